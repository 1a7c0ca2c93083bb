import json

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

from cms.validators import is_storable_int, refuse_control_characters_in_text
from cms.widgets import Checklist
from liaison import visibility
from liaison.meetings.models import Meeting, all_day_bounds
from liaison.meetings.timezones import (
    EARLIER,
    LATER,
    AmbiguousTime,
    NonexistentTime,
    canonical_zones,
    find_zone,
    local_time_text,
    make_aware,
    zone_label,
)

TITLE_MAX = 255
FIRST_YEAR, LAST_YEAR = 1950, 2200
MAX_DAYS = 14  # the longest all-day meeting: a summit, a week of workshops


class AllDayDateInput(AdminDateInput):
    """The first-day box; its script shows the day boxes or the time boxes, as "all day"
    is ticked or not."""

    class Media:
        js = ["liaison/meeting_all_day.js"]


class StorableIdsMixin:
    """An id too large for the database is an invalid choice, like "abc": Django checks
    many-to-many choices with an ``__in`` query, which SQLite cannot even send with such a
    number (OverflowError, a server error)."""

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk).strip()
            digits = text.removeprefix("-")
            if digits.isascii() and digits.isdigit() and not is_storable_int(text):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class CheckedModelMultipleChoiceField(StorableIdsMixin, forms.ModelMultipleChoiceField):
    pass


class CheckedModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = type(
        "CheckedFilterField",
        (StorableIdsMixin, django_filters.fields.ModelMultipleChoiceField),
        {},
    )


class CheckedFilterSet(WagtailFilterSet):
    """Listing filters whose many-to-many choices check their ids (StorableIdsMixin)."""

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        filter_class, params = super().filter_for_lookup(field, lookup_type)
        if filter_class is django_filters.ModelMultipleChoiceFilter:
            filter_class = CheckedModelMultipleChoiceFilter
        return filter_class, params


class TimeZoneInput(forms.TextInput):
    """A text box that suggests zones as one types: an <input list> with a <datalist>, which
    every browser searches without any script of ours. Each zone is labelled with its offset
    now. Choosing a regulator fills the box while it is empty (meeting_time_zone.js)."""

    class Media:
        js = ["liaison/meeting_time_zone.js"]

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.zones = canonical_zones()
        self.regulators_field = None
        self.regulator_zones = None  # called only when the form is shown

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        options_id = f"{attrs.get('id') or name}-zones"
        attrs["list"] = options_id
        if self.regulators_field and self.regulator_zones:
            attrs["data-regulators-field"] = self.regulators_field
            attrs["data-regulator-zones"] = json.dumps(self.regulator_zones())
        now = timezone.now()
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            options_id,
            format_html_join(
                "", '<option value="{}">{}</option>', ((z, zone_label(z, now)) for z in self.zones)
            ),
        )


class TimeZoneField(forms.CharField):
    """A canonical zone (liaison.meetings.timezones.canonical_zones), typed by its name, its
    label or its city ("tokyo" is Asia/Tokyo). A meeting keeps the zone it has, even a legacy
    one such as US/Eastern."""

    widget = TimeZoneInput

    def __init__(self, **kwargs):
        super().__init__(max_length=64, **kwargs)
        self.kept = ()

    def keep(self, zone):
        if zone and zone not in canonical_zones():
            self.kept = (zone,)
            self.widget.zones = (zone, *canonical_zones())

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        zone = find_zone(value, self.kept)
        if zone is None:
            raise ValidationError(
                "“%(value)s” is not a time zone on the list: type a city, such as Tokyo or "
                "New York, and choose it from the suggestions.",
                code="invalid_choice",
                params={"value": value},
            )
        return zone


class MeetingForm(WagtailAdminModelForm):
    """Start and end are typed as wall-clock times in the meeting's own time zone, which
    defaults to the zone of the first regulator chosen."""

    time_zone = TimeZoneField(
        label="Time zone",
        required=False,
        help_text="Start and end are entered in this zone. Type a city or an offset (Tokyo, "
        "UTC+09) and choose from the list; left empty, the first regulator's zone is used.",
    )
    # A timed meeting is entered with its start and end; an all-day one with its first and
    # last day (meeting_all_day.js shows the pair that applies). Either pair is required by
    # clean(), depending on "all day".
    local_start = forms.DateTimeField(label="Starts", required=False, widget=AdminDateTimeInput)
    local_end = forms.DateTimeField(label="Ends", required=False, widget=AdminDateTimeInput)
    first_day = forms.DateField(label="First day", required=False, widget=AllDayDateInput)
    last_day = forms.DateField(
        label="Last day",
        required=False,
        widget=AdminDateInput,
        help_text="Leave empty for a meeting of one day.",
    )
    occurrence = forms.ChoiceField(
        label="If the clocks go back during the meeting time",
        required=False,
        choices=[("", "—"), (EARLIER, "The earlier time"), (LATER, "The later time")],
        help_text="Only needed when a time happens twice in the zone.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = self.instance
        if meeting.pk and meeting.starts_at:
            self.initial.setdefault("local_start", meeting.local_start.replace(tzinfo=None))
            self.initial.setdefault("local_end", meeting.local_end.replace(tzinfo=None))
            self.initial.setdefault("first_day", meeting.first_day)
            if meeting.last_day != meeting.first_day:
                self.initial.setdefault("last_day", meeting.last_day)
        if "time_zone" in self.fields:
            zone_field = self.fields["time_zone"]
            zone_field.keep(meeting.time_zone if meeting.pk else None)
            if "regulators" in self.fields:
                regulators = self.fields["regulators"].queryset
                zone_field.widget.regulators_field = self.add_prefix("regulators")
                zone_field.widget.regulator_zones = lambda: {
                    str(pk): zone for pk, zone in regulators.values_list("pk", "time_zone")
                }
        for name in ("title", "location", "description", "objectives", "public_summary"):
            if name in self.fields:
                self.fields[name].validators.append(refuse_control_characters_in_text)
        self.offer_people_by_name()
        self.offer_only_the_invited()
        self.offer_series()

    def offer_series(self):
        """A meeting joins a series whose dates are chosen one at a time (the annual liaison
        meeting); a rule's meetings are made by their series and stay in it."""
        if "series" not in self.fields:
            return
        field = self.fields["series"]
        meeting = self.instance
        if meeting.recurrence_id is not None:
            field.disabled = True
            field.help_text = "Made by the series' rule: change the schedule on the series."
            return
        field.queryset = field.queryset.filter(frequency="")
        field.help_text = (
            "For a meeting that recurs on dates chosen each time, such as the annual liaison "
            "meeting: it then shares the series' page and calendar."
        )

    def offer_people_by_name(self):
        """Regulators, delegation and attendees are ticked in checkbox lists, people by their
        names: the delegation among those who may see meetings (and whoever is on it already),
        the attendees with their job and where they work."""
        fields = self.fields
        if "organiser" in fields:
            fields["organiser"].queryset = fields["organiser"].queryset.order_by(BY_NAME)
            fields["organiser"].label_from_instance = attendance_label
        if "delegation" in fields:
            on_it = Meeting.delegation.through.objects.filter(meeting_id=self.instance.pk)
            on_it = on_it.values("user_id")
            fields["delegation"].queryset = may_see_meetings(also=on_it)
            fields["delegation"].label_from_instance = attendance_label
            fields["delegation"].help_text = "Only staff with access to meetings are listed."
        if "attendees" in fields:
            attendees = fields["attendees"]
            attendees.queryset = attendees.queryset.select_related("regulator", "organisation")
            attendees.label_from_instance = contact_label
        for name in ("regulators", "delegation", "attendees"):
            if name in fields:
                # After the queryset and labels: the widget takes the choices as they are now.
                field = fields[name]
                field.widget = Checklist(choices=field.choices, legend=field.label)

    def offer_only_the_invited(self):
        """Attendance is ticked among those invited (as saved), people by their names."""
        meeting = self.instance
        for name, invited in (
            ("delegates_present", "delegation"),
            ("attendees_present", "attendees"),
        ):
            if name not in self.fields:
                continue
            field = self.fields[name]
            stored = getattr(meeting, invited).all() if meeting.pk else []
            field.queryset = field.queryset.filter(pk__in=[p.pk for p in stored])
            field.label_from_instance = attendance_label

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("time_zone")
        if not zone and "time_zone" not in self.errors:
            # Regulators are listed by acronym, as the form shows them: the first is the one
            # at the top of the list.
            first = cleaned["regulators"].first() if cleaned.get("regulators") else None
            if first:
                zone = cleaned["time_zone"] = first.time_zone
            elif "regulators" not in self.errors:
                self.add_error("time_zone", "Choose the time zone the meeting is held in.")
        if cleaned.get("all_day"):
            self.clean_days(zone)
            return self.clean_after_dates(zone)
        start, end = cleaned.get("local_start"), cleaned.get("local_end")
        for name, value in (("local_start", start), ("local_end", end)):
            if value is None and name not in self.errors:
                self.add_error(name, "Enter the date and time, or tick “all day”.")
        if not zone or start is None or end is None:
            return cleaned
        # The widget hands back the naive time as typed; the zone gives it meaning.
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        occurrence = cleaned.get("occurrence") or None
        for form_field, model_field, value in (
            ("local_start", "starts_at", start),
            ("local_end", "ends_at", end),
        ):
            if not FIRST_YEAR <= value.year <= LAST_YEAR:
                # Year 9999 would overflow on the way to UTC; nobody meets in 1066.
                self.add_error(form_field, f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.")
                continue
            try:
                cleaned[model_field] = make_aware(value, zone, occurrence)
            except (NonexistentTime, AmbiguousTime) as exc:
                self.add_error(form_field, str(exc))
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("local_end", "The meeting must end after it starts.")
        return self.clean_after_dates(zone)

    def clean_days(self, zone):
        """An all-day meeting: from midnight of its first day to midnight after its last,
        in its zone."""
        cleaned = self.cleaned_data
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first is None:
            if "first_day" not in self.errors:
                self.add_error("first_day", "Enter the first day of the meeting.")
            return
        last = last or first
        for name, value in (("first_day", first), ("last_day", last)):
            if not FIRST_YEAR <= value.year <= LAST_YEAR:
                self.add_error(name, f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.")
                return
        if last < first:
            self.add_error("last_day", "The last day cannot be before the first.")
        elif (last - first).days >= MAX_DAYS:
            self.add_error(
                "last_day",
                f"A meeting runs over {MAX_DAYS} days at most; enter a longer programme as "
                "several meetings.",
            )
        elif zone:
            cleaned["starts_at"], cleaned["ends_at"] = all_day_bounds(first, last, zone)

    def clean_agenda_days(self, starts, ends, all_day):
        """An agenda item's day must be one the meeting runs on."""
        if not (starts and ends) or "agenda_items" not in self.formsets:
            return
        probe = Meeting(starts_at=starts, ends_at=ends, all_day=all_day, time_zone=self.zone)
        count = len(probe.days())
        for form in self.formsets["agenda_items"].forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            day = form.cleaned_data.get("day")
            if day and day > count:
                form.add_error(
                    "day",
                    "The meeting runs on one day only: leave the day empty."
                    if count == 1
                    else f"The meeting runs over {count} days: choose a day from 1 to {count}.",
                )

    def clean_after_dates(self, zone):
        cleaned = self.cleaned_data
        starts = cleaned.get("starts_at")
        self.zone = zone
        self.clean_agenda_days(starts, cleaned.get("ends_at"), bool(cleaned.get("all_day")))
        if cleaned.get("status") == Meeting.Status.HELD and starts and starts > timezone.now():
            self.add_error(
                "status",
                "A meeting can be marked held once it has started "
                f"({local_time_text(starts, zone)}).",
            )
        self.clean_attendance(starts)
        series = cleaned.get("series")
        visibility = cleaned.get("visibility")
        if series and visibility and visibility != series.visibility:
            self.add_error(
                "visibility",
                f"The meetings of “{series}” are {series.get_visibility_display().lower()}: "
                "a series shares one visibility (change it on the series).",
            )
        return cleaned

    def clean_attendance(self, starts):
        cleaned = self.cleaned_data
        for name, invited, who in (
            ("delegates_present", "delegation", "on the delegation"),
            ("attendees_present", "attendees", "among the external attendees"),
        ):
            present = cleaned.get(name)
            if not present:
                continue
            if starts and starts > timezone.now():
                self.add_error(name, "Attendance can be recorded once the meeting has started.")
                continue
            still_invited = cleaned.get(invited)
            if still_invited is not None:
                gone = [p for p in present if p not in still_invited]
                if gone:
                    names = ", ".join(attendance_label(p) for p in gone)
                    self.add_error(name, f"{names}: no longer {who}; untick or add them back.")

    def save(self, commit=True):
        self.instance.starts_at = self.cleaned_data["starts_at"]
        self.instance.ends_at = self.cleaned_data["ends_at"]
        return super().save(commit=commit)


# A user's name as get_full_name() gives it, the username when they have none.
BY_NAME = Lower(
    Coalesce(NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")), "username")
)


def may_see_meetings(also=()):
    """Active users who may see meetings (liaison.visibility decides) and the users ``also``
    (ids or a subquery of ids), in one query, sorted by name."""
    viewers = visibility.users_who_may_view_meetings().values("pk")
    return (
        get_user_model().objects.filter(Q(pk__in=viewers) | Q(pk__in=also)).order_by(BY_NAME, "pk")
    )


def contact_label(contact):
    """A contact as "Name — Job title, Organisation": a name alone says little among hundreds."""
    about = ", ".join(str(part) for part in (contact.job_title, contact.affiliation) if part)
    return f"{contact.name} — {about}" if about else contact.name


def attendance_label(person):
    """A person by name: a user's full name, a contact's name and where they work."""
    if hasattr(person, "get_full_name"):
        return person.get_full_name() or person.get_username()
    works_at = person.regulator or person.organisation
    return f"{person.name} ({works_at})" if works_at else person.name
