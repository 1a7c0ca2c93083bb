import django_filters
from django.forms import modelform_factory
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import UpdatedAtColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from liaison import admin_views
from liaison.forms import ActionItemForm
from liaison.models import ActionItem, Contact, Meeting, Organisation, Regulator
from liaison.permissions import ActionItemPermissionPolicy, MeetingPermissionPolicy


class RegulatorViewSet(SnippetViewSet):
    model = Regulator
    icon = "site"
    list_display = ["acronym", "name", "jurisdiction", "time_zone"]
    list_filter = ["jurisdiction"]
    list_export = ["acronym", "name", "jurisdiction", "website", "time_zone"]
    inspect_view_enabled = True
    ordering = ["acronym"]


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    list_export = ["name", "kind", "website"]
    inspect_view_enabled = True


class ContactViewSet(SnippetViewSet):
    model = Contact
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


class MeetingFilterSet(WagtailFilterSet):
    starts_at = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)

    class Meta:
        model = Meeting
        fields = ["regulators", "status", "visibility", "kind", "starts_at"]


class MeetingViewSet(SnippetViewSet):
    model = Meeting
    icon = "date"
    permission_policy = meeting_policy
    edit_view_class = admin_views.EditView
    delete_view_class = admin_views.DeleteView
    inspect_view_class = admin_views.InspectView
    history_view_class = admin_views.HistoryView
    usage_view_class = admin_views.UsageView
    chooser_viewset_class = admin_views.ChooserViewSet
    # A copy would carry a confidential meeting's content to whoever makes it.
    copy_view_enabled = False
    filterset_class = MeetingFilterSet
    list_display = ["title", "starts_at", "status", "visibility", UpdatedAtColumn()]
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
        return meeting_policy.instances_user_has_permission_for(request.user, "view")


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
    list_display = ["description", "meeting", "owner", "due_date", "status"]
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
        ).select_related("meeting", "owner")


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
