"""Admin views that ask liaison.visibility about the object itself.

Wagtail's generic edit, inspect, delete, history and usage views check only model-level
permissions, and its choosers list every row. For meetings that would show confidential
meetings to anyone who may view meetings at all, so these subclasses check the object, through
the permission policies below, which only translate Wagtail's questions into
liaison.visibility's.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views

from cms.validators import storable_id
from liaison import visibility
from liaison.meetings.models import ActionItem, Meeting, Regulator


class MeetingPermissionPolicy(ModelPermissionPolicy):
    """Wagtail's questions about meetings, answered by liaison.visibility."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if action == "view":
            return visibility.may_view_meeting(user, instance)
        if action == "change":
            return visibility.may_change_meeting(user, instance)
        if action == "delete":
            return visibility.may_delete_meeting(user, instance)
        return False

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return Meeting.objects.none()
        if action == "view":
            return Meeting.objects.visible_to(user)
        if action == "change":
            return Meeting.objects.changeable_by(user)
        if action == "delete" and visibility.manages_all_meetings(user):
            return Meeting.objects.all()
        return Meeting.objects.none()


class ActionItemPermissionPolicy(ModelPermissionPolicy):
    """Wagtail's questions about actions, answered by liaison.visibility."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if action == "view":
            return visibility.may_view_action(user, instance)
        if action == "change":
            return visibility.may_change_action(user, instance)
        if action == "delete":
            return visibility.manages_all_meetings(user)
        return False

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return ActionItem.objects.none()
        if action == "view":
            return ActionItem.objects.visible_to(user).select_related("meeting", "owner")
        if action == "change":
            return ActionItem.objects.changeable_by(user)
        if action == "delete" and visibility.manages_all_meetings(user):
            return ActionItem.objects.all()
        return ActionItem.objects.none()


class CleanSpreadsheetMixin:
    """XLSX exports drop the characters a spreadsheet cannot hold (control characters
    pasted from Word, NUL in an SMTP error): openpyxl refuses them, which made the export a
    server error. CSV keeps the text as it is."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_XLSX and isinstance(value, str):
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return value


class SnippetIndexView(CleanSpreadsheetMixin, snippet_views.IndexView):
    pass


class ObjectPermissionMixin:
    """An object the user may not see answers 404, exactly as an unknown id does (a 403 or a
    redirect would confirm that a confidential meeting exists); one they see but may not
    change or delete answers 403."""

    object_permission = "view"

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        policy, user = self.permission_policy, self.request.user
        if not policy.user_has_permission_for_instance(user, "view", obj):
            raise Http404
        if not policy.user_has_permission_for_instance(user, self.object_permission, obj):
            raise PermissionDenied
        return obj


class EditView(ObjectPermissionMixin, snippet_views.EditView):
    object_permission = "change"


class DeleteView(ObjectPermissionMixin, snippet_views.DeleteView):
    object_permission = "delete"


class InspectView(ObjectPermissionMixin, snippet_views.InspectView):
    pass


class HistoryView(ObjectPermissionMixin, snippet_views.HistoryView):
    pass


class UsageView(ObjectPermissionMixin, snippet_views.UsageView):
    pass


class ModelIndexView(CleanSpreadsheetMixin, generic.IndexView):
    """Lists (and exports) only the rows the permission policy lets the user view."""

    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_permission_for(self.request.user, "view")


class ModelEditView(ObjectPermissionMixin, generic.EditView):
    object_permission = "change"


class ModelDeleteView(ObjectPermissionMixin, generic.DeleteView):
    object_permission = "delete"


class ModelInspectView(ObjectPermissionMixin, generic.InspectView):
    pass


class ModelHistoryView(ObjectPermissionMixin, history.HistoryView):
    pass


class ModelUsageView(ObjectPermissionMixin, usage.UsageView):
    pass


def visible_objects(view):
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(view.model_class)
    return policy.instances_user_has_permission_for(view.request.user, "view")


class VisibleObjectsMixin:
    def get_object_list(self):
        return visible_objects(self)


class ChooseView(VisibleObjectsMixin, snippet_chooser.ChooseView):
    pass


class ChooseResultsView(VisibleObjectsMixin, snippet_chooser.ChooseResultsView):
    pass


class ChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        try:
            return visible_objects(self).get(pk=pk)
        except (self.model_class.DoesNotExist, ValueError, ValidationError):
            raise Http404 from None  # unknown, hidden, or not an id at all


class ChosenMultipleView(snippet_chooser.SnippetChosenMultipleView):
    """Wagtail's looks the ids up among all rows, and crashes on one that is not a number."""

    def get_objects(self, pks):
        ids = [storable_id(pk) for pk in pks]
        return visible_objects(self).filter(pk__in=[pk for pk in ids if pk is not None])


class ChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    """Choosers that list, search and return only what the user may see, and answer a
    malformed id with a 404 rather than an error."""

    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView


class DirectoryInspectView(snippet_views.InspectView):
    """A regulator's or organisation's page in the directory, with its interaction history:
    the meetings and actions the user may see, newest first."""

    template_name = "liaison/admin/directory_inspect.html"
    history_limit = 50

    def get_history(self):
        user = self.request.user
        obj = self.object
        if isinstance(obj, Regulator):
            meetings = Meeting.objects.filter(regulators=obj)
            actions = ActionItem.objects.filter(owner_regulator=obj)
        else:
            meetings = Meeting.objects.filter(attendees__organisation=obj)
            actions = ActionItem.objects.filter(owner_organisation=obj)
        visible = visibility.meetings_visible_to(user).values("pk")
        meetings = (
            meetings.filter(pk__in=visible)
            .distinct()
            .prefetch_related("regulators")
            .order_by("-starts_at")
        )
        actions = (
            actions.filter(meeting__in=visible)
            .select_related("meeting")
            .order_by("status", "due_date", "pk")
        )
        return meetings, actions

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        context = super().get_context_data(**kwargs)
        meetings, actions = self.get_history()
        context["meetings"] = meetings[: self.history_limit]
        context["meeting_count"] = meetings.count()
        context["actions"] = actions[: self.history_limit]
        context["action_count"] = actions.count()
        context["today"] = timezone.localdate()
        return context
