"""Who may see and change which meeting, decided per object (not only by hiding buttons).

- The Secretariat (permission change_any_meeting) and superusers: every meeting.
- Everyone else needs view_meeting, and sees confidential meetings only when they are
  on the delegation; they change a meeting only when they are on its delegation.
"""

from wagtail.permission_policies.base import ModelPermissionPolicy


def manages_all_meetings(user):
    return user.is_active and (user.is_superuser or user.has_perm("liaison.change_any_meeting"))


class MeetingPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if manages_all_meetings(user):
            return True
        on_delegation = instance.delegation.filter(pk=user.pk).exists()
        if action == "view":
            return on_delegation or instance.visibility != instance.Visibility.CONFIDENTIAL
        if action == "change":
            return on_delegation
        return False

    def instances_user_has_permission_for(self, user, action):
        from liaison.models import Meeting

        if not self.user_has_permission(user, action):
            return Meeting.objects.none()
        if manages_all_meetings(user):
            return Meeting.objects.all()
        if action == "view":
            return Meeting.objects.visible_to(user)
        if action == "change":
            return Meeting.objects.filter(delegation=user)
        return Meeting.objects.none()


class ActionItemPermissionPolicy(ModelPermissionPolicy):
    """An action is as visible as its meeting; delegates change actions of their meetings
    and actions they own."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if manages_all_meetings(user):
            return True
        meeting = instance.meeting
        if action == "view":
            return MeetingPermissionPolicy(type(meeting)).user_has_permission_for_instance(
                user, "view", meeting
            )
        if action == "change":
            return instance.owner_id == user.pk or meeting.delegation.filter(pk=user.pk).exists()
        return False

    def instances_user_has_permission_for(self, user, action):
        from django.db.models import Q

        from liaison.models import ActionItem, Meeting

        if not self.user_has_permission(user, action):
            return ActionItem.objects.none()
        if manages_all_meetings(user):
            return ActionItem.objects.select_related("meeting", "owner")
        if action == "view":
            return ActionItem.objects.filter(
                meeting__in=Meeting.objects.visible_to(user)
            ).select_related("meeting", "owner")
        if action == "change":
            return ActionItem.objects.filter(
                Q(owner=user) | Q(meeting__delegation=user)
            ).distinct()
        return ActionItem.objects.none()
