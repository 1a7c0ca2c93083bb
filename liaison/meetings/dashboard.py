"""Panels on the admin dashboard: my upcoming meetings, my open actions, overdue actions.

Each panel runs a fixed number of queries, however many rows there are.
"""

from django.db.models import Q
from django.utils import timezone
from wagtail.admin.ui.components import Component

from liaison.meetings.models import ActionItem, Meeting

LIMIT = 10


class DashboardPanel(Component):
    order = 120

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["today"] = timezone.localdate()
        context.update(self.rows())
        return context


class MyMeetingsPanel(DashboardPanel):
    name = "my_upcoming_meetings"
    template_name = "liaison/admin/my_meetings_panel.html"
    order = 110

    def rows(self):
        user = self.request.user
        on_delegation = Meeting.delegation.through.objects.filter(user=user)
        meetings = (
            Meeting.objects.visible_to(user)
            .upcoming(timezone.now())
            # visible_to: an organiser outside a confidential meeting does not see it here
            .filter(Q(pk__in=on_delegation.values("meeting_id")) | Q(organiser=user))
            .exclude(status=Meeting.Status.CANCELLED)
            .prefetch_related("regulators")
            .order_by("starts_at")
        )
        return {"meetings": meetings[:LIMIT]}


class MyActionsPanel(DashboardPanel):
    name = "my_open_actions"
    template_name = "liaison/admin/my_actions_panel.html"
    order = 111

    def rows(self):
        # Only actions of meetings the user may see: an owner dropped from a confidential
        # meeting's delegation no longer sees its actions (liaison.visibility).
        actions = (
            ActionItem.objects.visible_to(self.request.user)
            .open()
            .filter(owner=self.request.user)
            .select_related("meeting")
            .order_by("due_date", "pk")
        )
        return {"actions": actions[:LIMIT], "count": actions.count()}


class OverdueActionsPanel(DashboardPanel):
    """Overdue actions on every meeting the user may see (the Secretariat: all of them)."""

    name = "overdue_actions"
    template_name = "liaison/admin/overdue_actions_panel.html"
    order = 112

    def rows(self):
        overdue = (
            ActionItem.objects.visible_to(self.request.user)
            .overdue()
            .select_related("meeting", "owner", "owner_organisation", "owner_regulator")
            .order_by("due_date", "pk")
        )
        return {"actions": overdue[:LIMIT], "count": overdue.count()}


def panels_for(request):
    user = request.user
    panels = []
    if user.has_perm("liaison.view_meeting"):
        panels.append(MyMeetingsPanel(request))
    if user.has_perm("liaison.view_actionitem"):
        panels += [MyActionsPanel(request), OverdueActionsPanel(request)]
    return panels
