"""The invitation delivery log in the admin (*Invitations*), and the Secretariat's resend.

The log is read-only: nobody adds, edits or deletes deliveries by hand. It lists the
deliveries of the meetings the user may see (confidential meetings: their delegation and the
Secretariat), to users with ``view_invitedelivery`` (the Secretariat). Users with
``change_invitedelivery`` may resend a sent or failed delivery of a meeting's current
version (POST, with the CSRF token): a deliberate resend is the one case where a recipient
gets the same version twice; and may retry every failed delivery at once ("Retry failed",
after a mail outage longer than the outbox's retry window).
"""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.views.decorators.http import require_POST
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies.base import ModelPermissionPolicy

from cms import emails
from liaison import visibility
from liaison.calendars import ics
from liaison.calendars import invitations as invites
from liaison.calendars.models import InviteDelivery
from liaison.meetings import admin_views
from liaison.meetings.models import Meeting

URL_NAMESPACE = "invite_deliveries"


class InviteDeliveryPermissionPolicy(ModelPermissionPolicy):
    """Only viewing goes through the generic views (no add, edit or delete); a delivery is as
    visible as its meeting."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, "view")

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return InviteDelivery.objects.none()
        return visibility.of_visible_meetings(user, InviteDelivery.objects.all())

    def user_has_permission_for_instance(self, user, action, instance):
        return self.instances_user_has_permission_for(user, action).filter(pk=instance.pk).exists()


delivery_policy = InviteDeliveryPermissionPolicy(InviteDelivery)


def may_resend(user, delivery):
    """Whether ``user`` may resend ``delivery`` (whose meeting they may see): sent or failed
    (``invites.resendable``), and of the meeting's current version (an older version would
    be superseded at once)."""
    return (
        user.has_perm("liaison.change_invitedelivery")
        and invites.resendable(delivery)
        and delivery.sequence == delivery.meeting.sequence
    )


@require_POST
def resend_view(request, pk):
    # A plain 403 (Wagtail would turn PermissionDenied into a redirect to the dashboard).
    if not request.user.has_perm("liaison.change_invitedelivery"):
        return HttpResponseForbidden("You may not resend invitations.")
    visible = delivery_policy.instances_user_has_permission_for(request.user, "view")
    delivery = get_object_or_404(visible.select_related("meeting"), pk=pk)
    if not may_resend(request.user, delivery) or not invites.resend(delivery):
        messages.error(
            request,
            f"The invitation to {delivery.recipient_email} was not resent: it is queued "
            "already, or the meeting has changed since and a newer one went out.",
        )
    else:
        messages.success(
            request, f"The invitation to {delivery.recipient_email} is being sent again."
        )
    back = request.POST.get("next", "")
    # A path on this site only: redirect() would take a bare word for a URL name.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, {request.get_host()}, request.is_secure()
    ):
        back = reverse(f"{URL_NAMESPACE}:index")
    return HttpResponseRedirect(back)


def retry_failed_view(request):
    """GET: how many failed invitations a retry would send; POST: queue them all again."""
    if not request.user.has_perm("liaison.change_invitedelivery"):
        return HttpResponseForbidden("You may not resend invitations.")
    visible = delivery_policy.instances_user_has_permission_for(request.user, "view")
    if request.method == "POST":
        queued = invites.retry_failed(visible)
        if queued:
            messages.success(request, f"{plural(queued)} queued again; they are being sent.")
        else:
            messages.info(request, "There are no failed invitations to retry.")
        return redirect(f"{URL_NAMESPACE}:index")
    failed = invites.failed_and_current(visible)
    return TemplateResponse(
        request,
        "liaison/admin/deliveries_retry_failed.html",
        {
            "count": failed.count(),
            "meetings": failed.values("meeting").distinct().count(),
            "failed": plural(failed.count()),
            "index_url": reverse(f"{URL_NAMESPACE}:index"),
        },
    )


def plural(count):
    return "1 failed invitation" if count == 1 else f"{count} failed invitations"


# --- sending on purpose ---------------------------------------------------------------------


def may_send(user, meeting):
    """Sending invitations for a meeting: the Secretariat's (``change_invitedelivery``), on
    a meeting they may change."""
    return user.has_perm("liaison.change_invitedelivery") and visibility.may_change_meeting(
        user, meeting
    )


AUDIENCE_LABELS = {
    ics.Audience.DELEGATION: "Delegation: everything, confidential items included",
    ics.Audience.INVITEE: "External attendees: no confidential items, objectives or asks",
}


@emails.batch()
def samples(meeting, sends, organiser):
    """One e-mail of each kind the send contains (by audience and what it says), built
    exactly as the worker will build it, with its calendar event as text."""
    people = [s.recipient.person for s in sends if not s.removed]
    shown = {}
    for send in sends:
        key = (send.recipient.audience, send.what)
        if key in shown:
            continue
        message = invites.build_message(
            meeting,
            send.recipient,
            [send.recipient.person] if send.removed else people,
            send.method,
            organiser,
            update=send.update,
            removed=send.removed,
            note="[Your message to invitees appears here.]" if send.method == "CANCEL" else "",
        )
        calendar = next(
            content for content, mimetype in message.alternatives if "calendar" in mimetype
        )
        shown[key] = {
            "audience": AUDIENCE_LABELS[send.recipient.audience],
            "what": send.what,
            "example": send.recipient,
            "subject": message.subject,
            "body": message.body,
            "calendar": calendar,
            "count": sum(1 for s in sends if (s.recipient.audience, s.what) == key),
        }
    return list(shown.values())


def send_view(request, meeting_pk):
    """GET: what a send would queue, who gets what, each kind of e-mail and event exactly as
    it will go out. POST: queue it (once: a double click finds nothing left to send)."""
    meeting = get_object_or_404(
        ics.for_calendar(Meeting.objects.visible_to(request.user)), pk=meeting_pk
    )
    if not may_send(request.user, meeting):
        return HttpResponseForbidden("You may not send invitations for this meeting.")
    edit_url = reverse("wagtailsnippets_liaison_meeting:edit", args=[meeting.pk])
    page_url = reverse("wagtailsnippets_liaison_meeting:inspect", args=[meeting.pk])
    if request.method == "POST":
        with transaction.atomic():
            # One send at a time per meeting: a second click waits, then finds it done.
            locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
            if str(locked.sequence) != request.POST.get("sequence"):
                messages.warning(
                    request,
                    "The meeting changed after you opened the preview: nothing was sent. "
                    "Check the preview again.",
                )
                return redirect(request.path)
            note = request.POST.get("note", "").strip()[:2000]
            queued = invites.queue(
                ics.for_calendar(Meeting.objects.filter(pk=meeting.pk)).get(),
                sent_by=request.user,
                note=note,
            )
        if queued:
            messages.success(
                request,
                f"{'1 e-mail is' if queued == 1 else f'{queued} e-mails are'} being sent.",
            )
        else:
            messages.info(request, "Nothing to send: everyone has this version already.")
        return redirect(page_url + "#invitations")
    sends = invites.plan(meeting)
    organiser = invites.organiser_of(meeting)
    return TemplateResponse(
        request,
        "liaison/admin/invitations_send.html",
        {
            "meeting": meeting,
            "sends": sends,
            "organiser": organiser,
            "samples": samples(meeting, sends, organiser) if sends and organiser else [],
            "cancelling": invites.method_for(meeting) == "CANCEL",
            "changes": invites.changes_since(meeting, invites.held_version(meeting)),
            "edit_url": edit_url,
            "page_url": page_url,
        },
    )


def state(request, meeting):
    """Where the invitations of ``meeting`` stand, and what the next send would queue."""
    held = invites.held_version(meeting)
    return {
        "meeting": meeting,
        "held": held,
        "holders": len(invites.holders(meeting)),
        "sends": invites.plan(meeting),
        "changes": invites.changes_since(meeting, held),
        "method": invites.method_for(meeting),
        "replies": list(meeting.replies.all()),
        "may_send": may_send(request.user, meeting),
        "send_url": reverse(f"{URL_NAMESPACE}:send", args=[meeting.pk]),
    }


def page_section(request, meeting, audience):
    """The Invitations section of the meeting page, for the delegation and the Secretariat
    (it names every invitee and what they were sent)."""
    if audience is not visibility.Audience.DELEGATION:
        return None
    html = render_to_string("liaison/admin/invitations_panel.html", state(request, meeting))
    return "invitations", "Invitations", html


class ResendColumn(Column):
    cell_template_name = "liaison/admin/deliveries_resend_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = context["request"]
        context["can_resend"] = may_resend(request.user, instance)
        if context["can_resend"]:
            context["resend_url"] = reverse(f"{URL_NAMESPACE}:resend", args=[instance.pk])
            context["csrf_token"] = get_token(request)
            context["next"] = request.get_full_path()
        return context


class DeliveryFilterSet(WagtailFilterSet):
    class Meta:
        model = InviteDelivery
        fields = ["status", "method"]


class DeliveryIndexView(admin_views.ModelIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("meeting", "sent_by")

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm("liaison.change_invitedelivery"):
            buttons.append(
                HeaderButton(
                    "Retry failed",
                    url=reverse(f"{URL_NAMESPACE}:retry_failed"),
                    icon_name="resubmit",
                )
            )
        return buttons


class InviteDeliveryViewSet(ModelViewSet):
    model = InviteDelivery
    icon = "mail"
    menu_label = "Invitations"
    add_to_admin_menu = True
    menu_order = 215
    permission_policy = delivery_policy
    filterset_class = DeliveryFilterSet
    index_view_class = DeliveryIndexView
    inspect_view_class = admin_views.ModelInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["status"]  # never used: nobody may add or edit a delivery
    ordering = ["-created_at"]
    list_per_page = 50
    search_fields = ["recipient_email", "recipient_name"]
    list_display = [
        "recipient_email",
        "recipient_name",
        "meeting",
        "sequence",
        "method",
        "status",
        "attempts",
        Column(
            "last_error",
            label="Last error",
            accessor=lambda d: Truncator(d.last_error).chars(80),
        ),
        DateColumn("updated_at", label="Last attempt"),
        DateColumn("sent_at", label="Sent"),
        Column(
            "sent_by",
            label="Sent by",
            accessor=lambda d: (
                d.sent_by and (d.sent_by.get_full_name() or d.sent_by.get_username())
            ),
        ),
        ResendColumn("resend", label=""),
    ]
    list_export = [
        "recipient_email",
        "recipient_name",
        "meeting",
        "sequence",
        "method",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "updated_at",
        "sent_at",
        "sent_by",
        "note",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("resend/<int:pk>/", resend_view, name="resend"),
            path("retry-failed/", retry_failed_view, name="retry_failed"),
            path("send/<int:meeting_pk>/", send_view, name="send"),
        ]
