"""Read-only panels on the meeting form: what to watch for, and what is still owed."""

from django.utils import timezone
from wagtail.admin.panels import Panel

from liaison.meetings.checks import meeting_warnings


class MeetingChecksPanel(Panel):
    """Agenda overrun and cited positions that are superseded, withdrawn or past review."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "liaison/admin/meeting_checks_panel.html"

        def is_shown(self):
            return bool(self.instance.pk) and super().is_shown()

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["warnings"] = meeting_warnings(self.instance, timezone.localdate())
            return context


class CarriedForwardPanel(Panel):
    """Open actions from earlier meetings with the same regulators, as far as the user may
    see those meetings."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "liaison/admin/carried_forward_panel.html"

        def is_shown(self):
            return bool(self.instance.pk) and super().is_shown()

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["actions"] = self.instance.carried_forward_actions(self.request.user)[:50]
            context["today"] = timezone.localdate()
            return context
