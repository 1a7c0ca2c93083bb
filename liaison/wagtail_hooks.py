import django_filters
from django.contrib import messages
from django.forms import modelform_factory
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from liaison import admin_views, dashboard
from liaison.checks import meeting_warnings
from liaison.forms import ActionItemForm, CheckedFilterSet
from liaison.models import ActionItem, Contact, Meeting, Organisation, Regulator
from liaison.permissions import ActionItemPermissionPolicy, MeetingPermissionPolicy
from liaison.protection import dependants, page_dependants


class RegulatorViewSet(SnippetViewSet):
    model = Regulator
    index_view_class = admin_views.SnippetIndexView
    chooser_viewset_class = admin_views.ChooserViewSet
    icon = "site"
    list_display = ["acronym", "name", "jurisdiction", "time_zone"]
    list_filter = ["jurisdiction"]
    list_export = ["acronym", "name", "jurisdiction", "website", "time_zone"]
    inspect_view_enabled = True
    inspect_view_class = admin_views.DirectoryInspectView
    ordering = ["acronym"]

    def get_queryset(self, request):
        return Regulator.objects.select_related("jurisdiction")


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    index_view_class = admin_views.SnippetIndexView
    chooser_viewset_class = admin_views.ChooserViewSet
    icon = "group"
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    list_export = ["name", "kind", "website"]
    inspect_view_enabled = True
    inspect_view_class = admin_views.DirectoryInspectView


class ContactViewSet(SnippetViewSet):
    model = Contact
    index_view_class = admin_views.SnippetIndexView
    chooser_viewset_class = admin_views.ChooserViewSet
    icon = "user"
    list_display = ["name", "job_title", "regulator", "organisation", "email"]
    list_filter = ["regulator", "organisation"]
    list_export = ["name", "job_title", "email", "phone", "regulator", "organisation"]
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Contact.objects.select_related("regulator", "organisation")


meeting_policy = MeetingPermissionPolicy(Meeting)
action_policy = ActionItemPermissionPolicy(ActionItem)
register_permission_policy(Meeting, meeting_policy)
register_permission_policy(ActionItem, action_policy)


class MeetingFilterSet(CheckedFilterSet):
    starts_at = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)

    class Meta:
        model = Meeting
        fields = ["regulators", "status", "visibility", "kind", "starts_at"]


class MeetingViewSet(SnippetViewSet):
    model = Meeting
    index_view_class = admin_views.SnippetIndexView
    chooser_viewset_class = admin_views.ChooserViewSet
    icon = "date"
    permission_policy = meeting_policy
    edit_view_class = admin_views.EditView
    delete_view_class = admin_views.DeleteView
    inspect_view_class = admin_views.InspectView
    history_view_class = admin_views.HistoryView
    usage_view_class = admin_views.UsageView
    # A copy would carry a confidential meeting's content to whoever makes it.
    copy_view_enabled = False
    filterset_class = MeetingFilterSet
    list_display = [
        "title",
        Column("when_local", label="When (local time)", sort_key="starts_at"),
        Column("regulator_names", label="Regulators"),
        "status",
        "visibility",
        UpdatedAtColumn(),
    ]
    list_export = [
        "uuid",
        "title",
        "kind",
        "starts_at",
        "ends_at",
        "time_zone",
        "location",
        "status",
        "visibility",
        "sequence",
    ]
    ordering = ["-starts_at"]
    inspect_view_enabled = True
    list_per_page = 50

    def get_queryset(self, request):
        return meeting_policy.instances_user_has_permission_for(
            request.user, "view"
        ).prefetch_related("regulators")


class ActionFilterSet(WagtailFilterSet):
    mine = django_filters.BooleanFilter(label="Mine", method="filter_mine")
    overdue = django_filters.BooleanFilter(label="Overdue", method="filter_overdue")
    regulator = django_filters.ModelChoiceFilter(
        label="Regulator", queryset=Regulator.objects.all(), field_name="meeting__regulators"
    )

    class Meta:
        model = ActionItem
        fields = ["status", "regulator", "mine", "overdue"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset


class ActionItemViewSet(ModelViewSet):
    model = ActionItem
    icon = "tasks"
    menu_label = "Action register"
    add_to_admin_menu = True
    menu_order = 210
    permission_policy = action_policy
    filterset_class = ActionFilterSet
    index_view_class = admin_views.ModelIndexView
    edit_view_class = admin_views.ModelEditView
    delete_view_class = admin_views.ModelDeleteView
    inspect_view_class = admin_views.ModelInspectView
    history_view_class = admin_views.ModelHistoryView
    usage_view_class = admin_views.ModelUsageView
    copy_view_enabled = False
    form_fields = [
        "meeting",
        "agenda_item",
        "description",
        "owner",
        "owner_organisation",
        "owner_regulator",
        "due_date",
        "status",
        "completed_on",
        "completion_note",
    ]
    list_display = [
        "description",
        "meeting",
        Column("owner_name", label="Owner"),
        "due_date",
        "status",
    ]
    list_export = [
        "description",
        "meeting",
        "owner",
        "owner_organisation",
        "owner_regulator",
        "due_date",
        "status",
        "completed_on",
    ]
    search_fields = ["description"]
    inspect_view_enabled = True
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return modelform_factory(
            ActionItem,
            form=ActionItemForm,
            fields=self.form_fields,
            formfield_callback=self.formfield_for_dbfield,
        )

    def get_queryset(self, request):
        return action_policy.instances_user_has_permission_for(
            request.user, "view"
        ).select_related("meeting", "owner", "owner_organisation", "owner_regulator")


@hooks.register("register_admin_viewset")
def register_action_register():
    return ActionItemViewSet("actions")


class LiaisonGroup(SnippetViewSetGroup):
    items = (MeetingViewSet, RegulatorViewSet, OrganisationViewSet, ContactViewSet)
    menu_label = "Liaison"
    menu_icon = "date"
    menu_name = "liaison"
    menu_order = 200


register_snippet(LiaisonGroup)


@hooks.register("construct_homepage_panels")
def add_liaison_panels(request, panels):
    panels.extend(dashboard.panels_for(request))


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def warn_about_the_meeting(request, instance):
    """Saving is never blocked by these; the user is told at once, and the meeting form
    shows the same warnings at its top."""
    if isinstance(instance, Meeting):
        for warning in meeting_warnings(instance, timezone.localdate()):
            messages.warning(request, f"{instance}: {warning}")


@hooks.register("before_delete_snippet")
def refuse_to_delete_what_meetings_use(request, instances):
    reasons = [reason for reason in map(dependants, instances) if reason]
    if reasons:
        for reason in reasons[:5]:
            messages.error(request, reason)
        meta = instances[0]._meta
        return redirect(reverse(f"wagtailsnippets_{meta.app_label}_{meta.model_name}:list"))
    return None


@hooks.register("before_delete_page")
def refuse_to_delete_cited_positions(request, page):
    reason = page_dependants(page)
    if reason:
        messages.error(request, reason)
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_bulk_action")
def refuse_to_bulk_delete_cited_positions(request, action_type, objects, action_class_instance):
    if action_type != "delete":
        return None
    from wagtail.models import Page

    reasons = [page_dependants(obj) for obj in objects if isinstance(obj, Page)]
    reasons = [r for r in reasons if r]
    if reasons:
        for reason in reasons[:5]:
            messages.error(request, reason)
        return redirect("wagtailadmin_explore", objects[0].get_parent().pk)
    return None


@hooks.register("before_delete_user")
def refuse_to_delete_users_with_meeting_history(request, user):
    owned = ActionItem.objects.filter(owner=user).count()
    meetings = Meeting.objects.filter(delegation=user).count()
    if owned or meetings:
        messages.error(
            request,
            f"{user.get_username()} owns {owned} action(s) and was on {meetings} delegation(s); "
            "deleting the account would rewrite meeting history. Deactivate it instead.",
        )
        return redirect("wagtailusers_users:edit", user.pk)
    return None


# Calendar feeds, invitations and subscribers register their own admin views and hooks.
from liaison import (  # noqa: E402, F401
    briefings_admin,
    feeds_admin,
    invites_admin,
    subscribers_admin,
)
