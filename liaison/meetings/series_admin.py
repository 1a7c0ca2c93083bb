"""Meeting series in the admin (Liaison ▸ Series): the form that takes a rule and checks it,
and the views that make the series' meetings when it is saved (liaison.meetings.series)."""

from django import forms
from django.urls import reverse
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.validators import refuse_control_characters_in_text
from cms.widgets import Checklist
from liaison import visibility
from liaison.meetings import admin_views, recurrence, series
from liaison.meetings.forms import (
    FIRST_YEAR,
    LAST_YEAR,
    TimeZoneField,
    attendance_label,
    may_see_meetings,
)
from liaison.meetings.models import MeetingSeries
from liaison.meetings.timezones import AmbiguousTime, NonexistentTime, local_time_text, make_aware


class SeriesForm(WagtailAdminModelForm):
    """A series, with its rule typed as the first meeting's local start in the series' zone.
    A rule changed on a series that has meetings applies from a chosen day on
    (``series.change_rule``)."""

    time_zone = TimeZoneField(
        label="Time zone",
        required=False,
        help_text="The rule's times are in this zone; left empty, the first regulator's zone.",
    )
    local_first_start = forms.DateTimeField(
        label="First meeting starts",
        required=False,
        widget=AdminDateTimeInput,
        help_text="Its weekday and date set the rule: the second Tuesday, the 14th…",
    )
    changes_from = forms.DateField(
        label="Apply the new schedule from",
        required=False,
        widget=AdminDateInput,
        help_text="Only when changing the rule of a series that has meetings: those before "
        "this day keep their dates and records; from this day on, the new rule applies and "
        "calendars show a new series.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.first_start:
            self.initial.setdefault(
                "local_first_start",
                instance.first_start.astimezone(instance.rule_zone).replace(tzinfo=None),
            )
        fields = self.fields
        if "time_zone" in fields:
            fields["time_zone"].keep(instance.time_zone if instance.pk else None)
        if "delegation" in fields:
            fields["delegation"].queryset = may_see_meetings(
                also=MeetingSeries.delegation.through.objects.filter(
                    meetingseries_id=instance.pk
                ).values("user_id")
            )
            fields["delegation"].label_from_instance = attendance_label
        for name in ("regulators", "delegation"):
            if name in fields:
                field = fields[name]
                field.widget = Checklist(choices=field.choices, legend=field.label)
        for name in ("title", "location", "description"):
            if name in fields:
                fields[name].validators.append(refuse_control_characters_in_text)

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("time_zone")
        if not zone and "time_zone" not in self.errors:
            first = cleaned["regulators"].first() if cleaned.get("regulators") else None
            if first:
                zone = cleaned["time_zone"] = first.time_zone
            elif "regulators" not in self.errors:
                self.add_error("time_zone", "Choose the time zone the series is held in.")
        self.rule_change = False
        if not cleaned.get("frequency"):
            cleaned["first_start"] = None
            for name in ("until", "count"):
                cleaned[name] = None
            self.check_rule_change(cleaned)
            return cleaned
        local = cleaned.get("local_first_start")
        if local is None:
            if "local_first_start" not in self.errors:
                self.add_error(
                    "local_first_start", "A series with a rule needs its first meeting's start."
                )
            return cleaned
        local = local.replace(tzinfo=None)
        if not FIRST_YEAR <= local.year <= LAST_YEAR:
            self.add_error(
                "local_first_start", f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}."
            )
            return cleaned
        if not zone:
            return cleaned
        try:
            cleaned["first_start"] = make_aware(local, zone)
        except (NonexistentTime, AmbiguousTime) as exc:
            self.add_error("local_first_start", str(exc))
            return cleaned
        minutes = cleaned.get("duration_minutes")
        if minutes is not None and not 5 <= minutes <= 24 * 60:
            self.add_error(
                "duration_minutes", "A meeting of the series lasts 5 minutes to 24 hours."
            )
        rule = recurrence.Rule(
            frequency=cleaned["frequency"],
            start=local,
            zone=zone,
            interval=cleaned.get("interval") or 0,
            until=cleaned.get("until"),
            count=cleaned.get("count"),
        )
        for field, message in recurrence.problems(rule).items():
            self.add_error("local_first_start" if field == "first_start" else field, message)
        self.check_rule_change(cleaned)
        return cleaned

    def check_rule_change(self, cleaned):
        """On a series with meetings, a new rule needs the day it applies from, and no
        meeting with a record on or after that day."""
        instance = self.instance
        if not instance.pk or self.errors:
            return
        before = MeetingSeries.objects.get(pk=instance.pk)
        changed = [
            f for f in series.RULE_FIELDS if f in cleaned and cleaned[f] != getattr(before, f)
        ]
        if not changed or not before.meetings.exists():
            self.rule_change = bool(changed)
            self.changes_from = cleaned.get("changes_from") or (
                cleaned["first_start"].astimezone(before.rule_zone).date()
                if cleaned.get("first_start")
                else None
            )
            return
        day = cleaned.get("changes_from")
        if day is None:
            self.add_error(
                "changes_from",
                "This series has meetings: say from which day the new schedule applies.",
            )
            return
        first = cleaned.get("first_start")
        if first and first < series.cutoff(before, day):
            self.add_error(
                "local_first_start",
                f"The new schedule applies from {day:%-d %B %Y}: its first meeting cannot "
                "be earlier.",
            )
            return
        in_the_way = series.meetings_in_the_way(before, day)
        if in_the_way:
            names = "; ".join(local_time_text(m.starts_at, m.time_zone) for m in in_the_way[:5])
            self.add_error(
                "changes_from",
                f"Meetings on or after this day already have a record (held, actions, papers "
                f"or outcomes): {names}. Apply the new schedule from a later day.",
            )
            return
        self.rule_change = True
        self.changes_from = day

    def save(self, commit=True):
        instance = self.instance
        instance.first_start = self.cleaned_data.get("first_start")
        before = MeetingSeries.objects.get(pk=instance.pk) if instance.pk else None
        saved = super().save(commit=commit)
        if not commit:
            return saved
        if before is None:
            series.schedule(saved)
        elif self.rule_change:
            series.change_rule(before, saved, self.changes_from)
        else:
            series.propagate(before, saved)
            series.schedule(saved)
        return saved


SERIES_PANELS = [
    FieldPanel("title"),
    MultiFieldPanel(
        [
            FieldPanel("regulators"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("visibility")]),
            FieldPanel("description"),
        ],
        heading="What",
    ),
    MultiFieldPanel(
        [
            FieldPanel("frequency"),
            FieldRowPanel([FieldPanel("interval"), FieldPanel("time_zone")]),
            FieldRowPanel([FieldPanel("local_first_start"), FieldPanel("duration_minutes")]),
            FieldRowPanel([FieldPanel("until"), FieldPanel("count")]),
            FieldPanel("changes_from"),
        ],
        heading="Schedule",
        help_text="Leave “repeats” empty for a series whose dates are chosen one at a time, "
        "such as the annual liaison meeting: add its meetings from the meeting form. With a "
        "rule, the series makes its meetings (at most 100) when saved.",
    ),
    MultiFieldPanel(
        [FieldPanel("location"), FieldPanel("join_url")],
        heading="Where",
    ),
    MultiFieldPanel(
        [FieldPanel("organiser"), FieldPanel("delegation")],
        heading="Who",
        help_text="Put on each new meeting of the series.",
    ),
    InlinePanel("agenda_template", heading="Template agenda", label="Item"),
]


class SeriesPermissionPolicy(ModelPermissionPolicy):
    """Who sees and manages series: liaison.visibility decides."""

    def user_has_permission(self, user, action):
        if action == "view":
            return super().user_has_permission(user, action)
        return super().user_has_permission(user, action) and visibility.may_manage_series(user)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return visibility.series_visible_to(user).filter(pk=instance.pk).exists()

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return MeetingSeries.objects.none()
        return visibility.series_visible_to(user)


series_policy = SeriesPermissionPolicy(MeetingSeries)


class SeriesViewSet(SnippetViewSet):
    model = MeetingSeries
    icon = "repeat"
    menu_label = "Series"
    list_display = ["title", "frequency", "visibility", "time_zone"]
    list_filter = ["visibility", "frequency"]
    edit_handler = ObjectList(SERIES_PANELS, base_form_class=SeriesForm)

    permission_policy = series_policy
    # An unseen series answers 404, like an unknown id; a seen one not to be changed, 403.
    edit_view_class = admin_views.EditView
    delete_view_class = admin_views.DeleteView

    def get_queryset(self, request):
        return visibility.series_visible_to(request.user)


def series_admin_url(item):
    return reverse("wagtailsnippets_liaison_meetingseries:edit", args=[item.pk])
