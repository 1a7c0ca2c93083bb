"""Admin views that ask liaison.visibility about the object itself.

Wagtail's generic edit, inspect, delete, history and usage views check only model-level
permissions, and its choosers list every row. For meetings that would show confidential
meetings to anyone who may view meetings at all, so these subclasses check the object, through
the permission policies below, which only translate Wagtail's questions into
liaison.visibility's.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.widgets.button import Button, HeaderButton
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


class MeetingIndexView(SnippetIndexView):
    """Meetings listed with their title leading to the meeting page (Edit is one of its
    buttons), for those who may edit them too: a meeting is read more often than edited."""

    def _get_title_column(self, *args, **kwargs):
        column = super()._get_title_column(*args, **kwargs)
        column._get_url_func = self.get_inspect_url
        return column


def meeting_page_url(meeting):
    return reverse("wagtailsnippets_liaison_meeting:inspect", args=[meeting.pk])


class MeetingCreateView(snippet_views.CreateView):
    """After saving a new meeting, its page: the agenda, actions and papers are added from
    there, and invitations sent."""

    def get_success_url(self):
        return meeting_page_url(self.object)


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


class MeetingEditView(EditView):
    """After saving, back to the meeting page, where the changes read as the meeting."""

    def get_success_url(self):
        return meeting_page_url(self.object)


class DeleteView(ObjectPermissionMixin, snippet_views.DeleteView):
    object_permission = "delete"


class InspectView(ObjectPermissionMixin, snippet_views.InspectView):
    pass


class MeetingPageView(InspectView):
    """The meeting page (liaison.meetings.page): the meeting as its reader may see it, built
    for reading, with Edit and the things one does with a meeting one click away. Other parts
    add their sections (``sections``: invitations, briefings) where the parts meet
    (liaison/wagtail_hooks.py): this part knows nothing of them.

    A section is a callable ``(request, meeting, audience) -> (anchor, heading, html)`` or
    None when it has nothing for this reader."""

    template_name = "liaison/admin/meeting_page.html"
    sections = ()

    def get_object(self, *args, **kwargs):
        meeting = super().get_object(*args, **kwargs)  # the permission checks
        from liaison.meetings import page

        return page.load(Meeting.objects.all(), meeting.pk)

    def get_page_title(self):
        return self.object.title

    def get_page_subtitle(self):
        return None

    def get_breadcrumbs_items(self):
        items = [{"url": reverse(self.index_url_name), "label": "Meetings"}]
        return self.breadcrumbs_items + items + [{"url": "", "label": self.object.title}]

    def may(self, action):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, action, self.object
        )

    @cached_property
    def header_buttons(self):
        buttons = []
        if self.may("change"):
            buttons.append(
                HeaderButton(
                    "Edit",
                    url=reverse(self.edit_url_name, args=[self.object.pk]),
                    icon_name="edit",
                    attrs={"data-edit-meeting": ""},
                    priority=10,
                )
            )
        buttons.append(
            HeaderButton(
                "Download .ics",
                url=reverse("liaison_meeting_ics", args=[self.object.pk]),
                icon_name="download",
                priority=30,
            )
        )
        return buttons

    @cached_property
    def header_more_buttons(self):
        buttons = [
            Button(
                "History",
                url=reverse("wagtailsnippets_liaison_meeting:history", args=[self.object.pk]),
                icon_name="history",
                priority=30,
            )
        ]
        if self.may("delete"):
            buttons.append(
                Button(
                    "Delete",
                    url=reverse(self.delete_url_name, args=[self.object.pk]),
                    icon_name="bin",
                    priority=40,
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        from liaison.meetings import actions, materials_admin, page

        context = super().get_context_data(**kwargs)
        meeting, request = self.object, self.request
        shown = page.contents(meeting, request.user)
        here = request.get_full_path()
        may_act = actions.may_add_action(request.user, meeting)
        may_attach = materials_admin.may_attach(request.user, meeting)
        may_change = self.may("change")
        for item in shown["items"]:
            item.add_action_url = may_act and actions.add_url(meeting, item.item, here)
            item.attach_url = may_attach and materials_admin.add_url(meeting, item.item, here)
            for material in item.materials:
                material.edit_url = may_attach and materials_admin.edit_url(material, here)
        for material in shown["meeting_materials"]:
            material.edit_url = may_attach and materials_admin.edit_url(material, here)
        for action in meeting.actions.all():
            # The delegation and the Secretariat change any; an owner their own.
            mine = action.owner_id == request.user.pk
            action.edit_url = (may_change or mine) and actions.edit_url(action, here)
        earlier = {a.meeting_id for a in shown["carried_forward"]}
        changeable = set(
            Meeting.objects.changeable_by(request.user)
            .filter(pk__in=earlier)
            .values_list("pk", flat=True)
        )
        for action in shown["carried_forward"]:
            mine = action.owner_id == request.user.pk
            action.edit_url = (action.meeting_id in changeable or mine) and actions.edit_url(
                action, here
            )
        context.update(
            shown,
            meeting=meeting,
            may_change=may_change,
            add_action_url=may_act and actions.add_url(meeting, None, here),
            attach_url=may_attach and materials_admin.add_url(meeting, None, here),
            edit_url=reverse(self.edit_url_name, args=[meeting.pk]) if may_change else "",
            sections=[
                found
                for section in self.sections
                if (found := section(request, meeting, shown["audience"]))
            ],
        )
        return context


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
    # Other parts add to the page where the parts meet (liaison/wagtail_hooks.py): each a
    # callable ``(request, obj) -> html`` or None.
    sections = ()

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
        context["sections"] = [
            html for section in self.sections if (html := section(self.request, self.object))
        ]
        return context
