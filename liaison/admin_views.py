"""Admin views that ask the permission policy about the object itself.

Wagtail's generic edit, inspect, delete, history and usage views check only model-level
permissions, and its choosers list every row. For meetings that would show confidential
meetings to anyone who may view meetings at all, so these subclasses check the object.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views


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
    object_permission = "view"

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.object_permission, obj
        ):
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
        from liaison.forms import LARGEST_ID

        ids = [int(pk) for pk in pks if pk.isascii() and pk.isdigit() and int(pk) <= LARGEST_ID]
        return visible_objects(self).filter(pk__in=ids)


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
        from liaison.models import ActionItem, Meeting, Regulator

        user = self.request.user
        obj = self.object
        if isinstance(obj, Regulator):
            meetings = Meeting.objects.filter(regulators=obj)
            actions = ActionItem.objects.filter(owner_regulator=obj)
        else:
            meetings = Meeting.objects.filter(attendees__organisation=obj)
            actions = ActionItem.objects.filter(owner_organisation=obj)
        visible = Meeting.objects.visible_to(user).values("pk")
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
