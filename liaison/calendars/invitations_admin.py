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
from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
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

from liaison import visibility
from liaison.calendars import invitations as invites
from liaison.calendars.models import InviteDelivery
from liaison.meetings import admin_views

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
        return super().get_base_queryset().select_related("meeting")

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
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("resend/<int:pk>/", resend_view, name="resend"),
            path("retry-failed/", retry_failed_view, name="retry_failed"),
        ]
