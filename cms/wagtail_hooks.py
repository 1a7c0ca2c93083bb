"""The outgoing e-mail log in the admin (Settings ▸ Outgoing e-mail): what the outbox holds,
for those with ``cms.view_outgoingmail`` (superusers). Read-only, contents never shown (some
carry credentials); "Retry failed" puts every failed e-mail back in the queue, for after a
mail outage longer than the outbox's retry window. Invitations have their own log.

And the dashboard's nudge to superusers while Settings ▸ Society has no name, and the menu's
*Dev mailbox* in development (``cms.mailbox``).
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from cms import mailbox, outbox
from cms.models import OutgoingMail, SocietySettings

NAMESPACE = "outgoing_mail"


class ReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, "view")

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")


mail_policy = ReadOnlyPolicy(OutgoingMail)
register_permission_policy(OutgoingMail, mail_policy)


def may_retry(user):
    return user.has_perm("cms.change_outgoingmail")


def retry_failed_view(request):
    """GET: how many failed e-mails a retry would send; POST: queue them all again."""
    if not may_retry(request.user):
        return HttpResponseForbidden("You may not retry e-mail.")
    failed = OutgoingMail.objects.filter(status=OutgoingMail.Status.FAILED)
    if request.method == "POST":
        queued = outbox.requeue(failed)
        if queued:
            outbox.hint(outbox.SEND_DUE)
            messages.success(request, f"{queued} failed e-mail(s) queued again.")
        else:
            messages.info(request, "There is no failed e-mail to retry.")
        return redirect(f"{NAMESPACE}:index")
    return TemplateResponse(
        request,
        "cms/outbox_retry_failed.html",
        {"count": failed.count(), "index_url": reverse(f"{NAMESPACE}:index")},
    )


class MailFilterSet(WagtailFilterSet):
    class Meta:
        model = OutgoingMail
        fields = ["status", "kind"]


class MailIndexView(generic.IndexView):
    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if may_retry(self.request.user):
            url = reverse(f"{NAMESPACE}:retry_failed")
            buttons.append(HeaderButton("Retry failed", url=url, icon_name="resubmit"))
        return buttons


class OutgoingMailViewSet(ModelViewSet):
    model = OutgoingMail
    icon = "mail"
    menu_label = "Outgoing e-mail"
    add_to_settings_menu = True
    filterset_class = MailFilterSet
    index_view_class = MailIndexView
    copy_view_enabled = False
    form_fields = ["status"]  # never used: nobody adds or edits an e-mail
    ordering = ["-created_at"]
    list_per_page = 50
    search_fields = ["recipients", "subject"]
    list_display = [
        "subject",
        "recipients",
        "kind",
        "status",
        "attempts",
        Column(
            "last_error", label="Last error", accessor=lambda m: Truncator(m.last_error).chars(80)
        ),
        DateColumn("created_at", label="Queued"),
        DateColumn("sent_at", label="Sent"),
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("retry-failed/", retry_failed_view, name="retry_failed"),
        ]


@hooks.register("register_admin_viewset")
def register_outgoing_mail():
    return OutgoingMailViewSet(NAMESPACE)


# --- the society ------------------------------------------------------------------------------


class SocietyNudgePanel(Component):
    """Dashboard, above everything, for superusers: the society has no name yet, so
    everything that leaves the building names the fallback (SITE_NAME)."""

    name = "society_nudge"
    template_name = "cms/admin/society_nudge_panel.html"
    order = -100

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["fallback"] = settings.SITE_NAME
        context["settings_url"] = reverse(
            "wagtailsettings:edit",
            args=[SocietySettings._meta.app_label, SocietySettings._meta.model_name],
        )
        return context


@hooks.register("construct_homepage_panels")
def nudge_to_name_the_society(request, panels):
    if request.user.is_superuser and not SocietySettings.load(request).name.strip():
        panels.append(SocietyNudgePanel())


# --- development's mailbox ----------------------------------------------------------------------


class DevMailboxMenuItem(MenuItem):
    """*Dev mailbox* in the admin menu, only while the mailbox is on (cms.mailbox)."""

    def is_shown(self, request):
        return mailbox.enabled()


@hooks.register("register_admin_menu_item")
def register_dev_mailbox_menu_item():
    return DevMailboxMenuItem(
        "Dev mailbox",
        reverse("dev_mailbox:index"),
        name="dev-mailbox",
        icon_name="mail",
        order=10000,
    )
