import django_filters
from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateTimeInput

from cms.validators import is_storable_int, refuse_control_characters_in_text
from liaison.meetings.timezones import EARLIER, LATER, AmbiguousTime, NonexistentTime, make_aware

TITLE_MAX = 255
FIRST_YEAR, LAST_YEAR = 1950, 2200


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


class MeetingForm(WagtailAdminModelForm):
    """Start and end are typed as wall-clock times in the meeting's own time zone."""

    local_start = forms.DateTimeField(label="Starts", widget=AdminDateTimeInput)
    local_end = forms.DateTimeField(label="Ends", widget=AdminDateTimeInput)
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
        for name in ("title", "location", "objectives", "public_summary"):
            if name in self.fields:
                self.fields[name].validators.append(refuse_control_characters_in_text)

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("time_zone")
        start, end = cleaned.get("local_start"), cleaned.get("local_end")
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
        return cleaned

    def save(self, commit=True):
        self.instance.starts_at = self.cleaned_data["starts_at"]
        self.instance.ends_at = self.cleaned_data["ends_at"]
        return super().save(commit=commit)


class ActionItemForm(WagtailAdminModelForm):
    """Offer only the meetings the user may change (an action is part of its meeting's
    record: the Secretariat's, or a delegation's for its own meetings), and only their
    agenda items. An owner editing an action of a meeting they are not on keeps that
    meeting, and sees its agenda items except the confidential ones. The owner must be
    someone who may see the meeting (liaison.visibility.may_own_action)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        from liaison.meetings.models import AgendaItem, Meeting

        user = self.for_user
        changeable = (
            Meeting.objects.none() if user is None else Meeting.objects.changeable_by(user)
        )
        current = self.instance.meeting_id
        meetings = Meeting.objects.filter(Q(pk__in=changeable.values("pk")) | Q(pk=current))
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].widget = forms.Select(choices=self.fields["meeting"].choices)
        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(
            Q(meeting__in=changeable.values("pk"))
            | Q(meeting=current, confidential=False)
            | Q(pk=self.instance.agenda_item_id)
        ).select_related("meeting")

    def clean(self):
        cleaned = super().clean()
        from liaison import visibility

        owner, meeting = cleaned.get("owner"), cleaned.get("meeting")
        changed = {"owner", "meeting"} & set(self.changed_data)
        if owner and meeting and changed and not visibility.may_own_action(owner, meeting):
            name = owner.get_full_name() or owner.get_username()
            self.add_error(
                "owner",
                f"{name} may not see this {meeting.get_visibility_display().lower()} meeting, "
                "so cannot own its actions: choose someone on its delegation, or add them "
                "to the delegation first.",
            )
        return cleaned
