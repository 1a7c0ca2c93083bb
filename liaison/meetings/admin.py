"""The liaison admin for the directory, meetings and the action register: Wagtail viewsets,
registered in liaison/wagtail_hooks.py. Every listing, chooser and object view asks
liaison.visibility (through the permission policies in admin_views) what the user may see."""

import django_filters
from django import forms
from django.forms import modelform_factory
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from liaison.meetings import actions, admin_views
from liaison.meetings.forms import CheckedFilterSet, MeetingForm
from liaison.meetings.models import ActionItem, Contact, Meeting, Organisation, Regulator
from liaison.meetings.panels import CarriedForwardPanel, MeetingChecksPanel


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


meeting_policy = admin_views.MeetingPermissionPolicy(Meeting)
action_policy = admin_views.ActionItemPermissionPolicy(ActionItem)


class MeetingFilterSet(CheckedFilterSet):
    starts_at = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)

    class Meta:
        model = Meeting
        fields = ["regulators", "status", "visibility", "kind", "starts_at"]


# The meeting form; the briefings panel is added where all parts meet (wagtail_hooks).
MEETING_PANELS = [
    MeetingChecksPanel(heading="Checks"),
    FieldPanel("title"),
    MultiFieldPanel(
        [
            FieldPanel("regulators"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("status")]),
            FieldRowPanel([FieldPanel("visibility"), FieldPanel("series")]),
        ],
        heading="What",
    ),
    FieldPanel(
        "description",
        heading="What this meeting is for",
        help_text="A few sentences saying what this meeting is for. Public: shown on the public "
        "page of a public meeting and in public calendars, and shared with everyone invited "
        "(invitations, calendars, the stakeholder pre-read). Keep the delegation's aims for "
        "the objectives further down, which stay with the delegation.",
    ),
    MultiFieldPanel(
        [
            FieldPanel("time_zone"),
            FieldPanel(
                "all_day",
                help_text="For a meeting held over one or more whole days, such as a summit: "
                "calendars show it on those days rather than at set times.",
            ),
            FieldRowPanel([FieldPanel("local_start"), FieldPanel("local_end")]),
            FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day")]),
            FieldPanel("occurrence"),
            FieldPanel("location"),
            FieldPanel("join_url"),
        ],
        heading="When and where",
    ),
    MultiFieldPanel(
        [FieldPanel("organiser"), FieldPanel("delegation"), FieldPanel("attendees")],
        heading="Who",
    ),
    FieldPanel("objectives"),
    InlinePanel("agenda_items", heading="Agenda", label="Agenda item"),
    MultiFieldPanel(
        [
            FieldPanel("delegates_present", widget=forms.CheckboxSelectMultiple),
            FieldPanel("attendees_present", widget=forms.CheckboxSelectMultiple),
        ],
        heading="Attendance",
        help_text="Once the meeting has taken place, tick who actually attended: the meeting "
        "record lists them. Only those invited (and saved) are listed here.",
    ),
    CarriedForwardPanel(heading="Open actions carried forward"),
    FieldPanel("public_summary"),
]


class MeetingViewSet(SnippetViewSet):
    model = Meeting
    index_view_class = admin_views.MeetingIndexView
    chooser_viewset_class = admin_views.ChooserViewSet
    icon = "date"
    permission_policy = meeting_policy
    add_view_class = admin_views.MeetingCreateView
    edit_view_class = admin_views.MeetingEditView
    delete_view_class = admin_views.DeleteView
    inspect_view_class = admin_views.MeetingPageView
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
    edit_handler = ObjectList(MEETING_PANELS, base_form_class=MeetingForm)

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
    # Both go back to ?next= (the meeting page) after saving, and e-mail a new owner.
    add_view_class = actions.CreateView
    edit_view_class = actions.EditView
    delete_view_class = admin_views.ModelDeleteView
    inspect_view_class = admin_views.ModelInspectView
    history_view_class = admin_views.ModelHistoryView
    usage_view_class = admin_views.ModelUsageView
    copy_view_enabled = False
    # "owner" is the form's one Owner field, which sets the three owner columns.
    form_fields = [
        "meeting",
        "agenda_item",
        "description",
        "ask",
        "owner",
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
            form=actions.ActionItemForm,
            fields=self.form_fields,
            formfield_callback=self.formfield_for_dbfield,
        )

    def get_queryset(self, request):
        return action_policy.instances_user_has_permission_for(
            request.user, "view"
        ).select_related("meeting", "owner", "owner_organisation", "owner_regulator")
