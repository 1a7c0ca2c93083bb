"""The directory (regulators, organisations, contacts), meetings, their agenda and actions."""

import datetime
import uuid
import zoneinfo
from datetime import UTC

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import BaseLogEntry, Orderable
from wagtail.models.audit_log import ModelLogEntryManager
from wagtail.search import index

from advocacy.models import Jurisdiction, PositionPage
from cms.widgets import Checklist
from liaison.meetings import recurrence


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a known IANA time zone.") from None


def days_text(first, last):
    """A day, or a run of days, written out: "Thursday 19 November 2026 (all day)",
    "Monday 7 – Wednesday 9 December 2026", "Wednesday 30 December 2026 – Friday 1 January
    2027"."""
    if first == last:
        return f"{first:%A %-d %B %Y} (all day)"
    if first.year != last.year:
        return f"{first:%A %-d %B %Y} – {last:%A %-d %B %Y}"
    if first.month != last.month:
        return f"{first:%A %-d %B} – {last:%A %-d %B %Y}"
    return f"{first:%A %-d} – {last:%A %-d %B %Y}"


def all_day_bounds(first, last, zone):
    """(starts_at, ends_at) of a meeting held all day from ``first`` to ``last`` in
    ``zone``: midnight of the first day to midnight after the last. A midnight the clocks
    skip (a few zones change at 00:00) is read as the first moment of that day."""
    zone = zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone

    def midnight(day):
        naive = datetime.datetime.combine(day, datetime.time())
        moment = naive.replace(tzinfo=zone)
        # A nonexistent local midnight round-trips to another wall time: take the gap's end.
        back = moment.astimezone(UTC).astimezone(zone)
        if back.replace(tzinfo=None) != naive:
            moment = (naive + datetime.timedelta(hours=1)).replace(tzinfo=zone)
        return moment.astimezone(UTC)

    return midnight(first), midnight(last + datetime.timedelta(days=1))


class Regulator(index.Indexed, models.Model):
    """A regulatory agency (or an office of one) the society meets."""

    name = models.CharField(max_length=200, unique=True)
    acronym = models.CharField(max_length=30, help_text="As delegates say it, e.g. FDA CBER.")
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="regulators"
    )
    website = models.URLField(blank=True)
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        validators=[validate_time_zone],
        help_text="Meetings with this regulator default to this zone.",
    )
    listed_publicly = models.BooleanField(
        "listed on the public site",
        default=False,
        help_text="Gives the regulator a public page and a calendar feed stakeholders can "
        "subscribe to, even before a public meeting with it is planned.",
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("acronym")]),
        FieldRowPanel([FieldPanel("jurisdiction"), FieldPanel("time_zone")]),
        FieldPanel("website"),
        FieldPanel("listed_publicly"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("acronym"),
        index.AutocompleteField("name"),
        index.AutocompleteField("acronym"),
    ]

    class Meta:
        ordering = ["acronym"]

    def __str__(self):
        return self.acronym


class Organisation(index.Indexed, models.Model):
    """A stakeholder or member organisation: a company, a patient group, a society."""

    class Kind(models.TextChoices):
        MEMBER = "member", "Member organisation"
        STAKEHOLDER = "stakeholder", "Stakeholder"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STAKEHOLDER)
    website = models.URLField(blank=True)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]), FieldPanel("website")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Contact(index.Indexed, models.Model):
    """A person outside the society's staff: at a regulator or at an organisation."""

    name = models.CharField(max_length=200)
    job_title = models.CharField("title", max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    regulator = models.ForeignKey(
        Regulator, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("job_title")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        MultiFieldPanel(
            [FieldPanel("regulator"), FieldPanel("organisation")],
            heading="Works at",
            help_text="A regulator or an organisation, not both.",
        ),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("email"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(regulator__isnull=True) | models.Q(organisation__isnull=True),
                name="contact_works_at_one_place",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.regulator_id and self.organisation_id:
            raise ValidationError("A contact works at a regulator or an organisation, not both.")

    @property
    def affiliation(self):
        return self.regulator or self.organisation


class MeetingQuerySet(models.QuerySet):
    def public(self):
        """The meetings the public may see (liaison.visibility decides)."""
        from liaison import visibility

        return visibility.meetings_for(visibility.Audience.PUBLIC, self)

    def upcoming(self, at=None):
        """Meetings still to start: the date decides, never the status (a meeting left
        "Confirmed" after it took place is past). Every list of upcoming meetings uses this."""
        return self.filter(starts_at__gte=at or timezone.now())

    def started(self, at=None):
        """The rest: meetings under way or over, listed with the past ones."""
        return self.filter(starts_at__lt=at or timezone.now())

    def visible_to(self, user):
        """The meetings `user` may see (liaison.visibility decides)."""
        from liaison import visibility

        return visibility.meetings_visible_to(user, self)

    def changeable_by(self, user):
        from liaison import visibility

        return visibility.meetings_changeable_by(user, self)


class Meeting(index.Indexed, ClusterableModel):
    """A meeting with one or more regulators: the society's record of what was said."""

    class Kind(models.TextChoices):
        LIAISON = "liaison", "Liaison meeting"
        WORKING_CALL = "call", "Working call"
        SUMMIT = "summit", "Summit"
        WORKSHOP = "workshop", "Workshop"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        CONFIRMED = "confirmed", "Confirmed"
        HELD = "held", "Held"
        POSTPONED = "postponed", "Postponed"
        CANCELLED = "cancelled", "Cancelled"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        MEMBERS = "members", "Members only"
        CONFIDENTIAL = "confidential", "Confidential"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=255)
    series = models.ForeignKey(
        "MeetingSeries",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    # The start the series' rule gave this meeting (RECURRENCE-ID), kept when it is moved.
    recurrence_id = models.DateTimeField(null=True, blank=True, editable=False)
    regulators = ParentalManyToManyField(Regulator, related_name="meetings")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LIAISON)
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        validators=[validate_time_zone],
        help_text="Start and end are entered in this zone.",
    )
    # A day-long or multi-day meeting runs from midnight of its first day to midnight after
    # its last, in its zone: calendars show it as dates, pages as "(all day)" or a range.
    all_day = models.BooleanField("all day", default=False)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(db_index=True)
    location = models.CharField(max_length=255, blank=True)
    join_url = models.URLField("online join link", max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_meetings",
    )
    delegation = ParentalManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="delegated_meetings"
    )
    attendees = ParentalManyToManyField(
        Contact, blank=True, related_name="meetings", verbose_name="external attendees"
    )
    # Who actually came, ticked by the Secretariat after the meeting: the record goes by
    # this, not by the invitation list.
    delegates_present = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name="delegates who attended",
    )
    attendees_present = ParentalManyToManyField(
        Contact, blank=True, related_name="+", verbose_name="external attendees who attended"
    )
    description = models.TextField(
        "public description",
        blank=True,
        help_text="What this meeting is for, in a few sentences: shown on the public page (public "
        "meetings), in calendars, invitations and the pre-read. Not the delegation's objectives.",
    )
    objectives = models.TextField(blank=True)
    public_summary = models.TextField(
        blank=True, help_text="Shown on the public site after the meeting (public meetings)."
    )
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="Rises whenever time, place or status change."
    )
    reminded_for = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The start time the delegation was last reminded of (one reminder per date).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=2),
        index.AutocompleteField("title"),
        index.SearchField("description"),
        index.SearchField("objectives"),
        index.SearchField("location"),
        index.FilterField("status"),
        index.FilterField("visibility"),
        index.FilterField("starts_at"),
        # visible_to() limits confidential meetings to their delegation by id.
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["-starts_at"]
        permissions = [("change_any_meeting", "Manage every meeting, confidential ones too")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["series", "recurrence_id"],
                condition=models.Q(recurrence_id__isnull=False),
                name="one_meeting_per_occurrence",
            ),
        ]

    def __str__(self):
        return self.title

    # Changes that calendar clients must see as an update of the same event.
    CALENDAR_FIELDS = (
        "all_day",
        "starts_at",
        "ends_at",
        "time_zone",
        "location",
        "join_url",
        "status",
    )

    def save(self, *args, **kwargs):
        if self.pk:
            before = (
                Meeting.objects.filter(pk=self.pk)
                .values("sequence", "reminded_for", *self.CALENDAR_FIELDS)
                .first()
            )
            if before:
                # This object may have been loaded before a reminder went out or another
                # save raised the sequence: keep the stored values, never go back.
                self.reminded_for = before["reminded_for"]
                self.sequence = before["sequence"]
                if any(before[f] != getattr(self, f) for f in self.CALENDAR_FIELDS):
                    self.sequence += 1
        super().save(*args, **kwargs)
        self.touch_series()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.touch_series()
        return result

    def touch_series(self):
        """A series is written to calendars whole: any change to one of its meetings is a
        change to it (feeds' validators read its ``updated_at``)."""
        if self.series_id:
            MeetingSeries.objects.filter(pk=self.series_id).update(updated_at=timezone.now())

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self):
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self):
        return self.ends_at.astimezone(self.zone)

    @property
    def first_day(self):
        return self.local_start.date()

    @property
    def last_day(self):
        """The last day the meeting runs on: for an all-day meeting the day before the
        midnight it ends at."""
        end = self.local_end
        if self.all_day:
            return (end - datetime.timedelta(days=1)).date()
        return end.date()

    def days(self):
        """Each day the meeting runs on, first to last (one for most meetings)."""
        first, last = self.first_day, self.last_day
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    def agenda_by_day(self, items):
        """``items`` (agenda items of this meeting, in order) grouped by the day they are
        on: [(date, items)] for a meeting over several days (an item with no day, or a day
        past the last, is on the first), [(None, items)] otherwise."""
        days = self.days()
        if len(days) < 2:
            return [(None, list(items))] if items else []
        groups = {day: [] for day in days}
        for item in items:
            number = item.day if item.day and item.day <= len(days) else 1
            groups[days[number - 1]].append(item)
        return [(day, group) for day, group in groups.items() if group]

    def days_text(self):
        """The days written out, e.g. "Thursday 19 November 2026 (all day)" or "Monday 7 –
        Wednesday 9 December 2026" (see ``days_text``)."""
        return days_text(self.first_day, self.last_day)

    def when_local(self):
        """e.g. "Wed 10 Jun 2026, 09:00–11:30 EDT": wall-clock time in the meeting's zone;
        the days of an all-day meeting (``days_text``)."""
        if self.all_day:
            return self.days_text()
        start, end = self.local_start, self.local_end
        same_day = start.date() == end.date()
        until = f"{end:%H:%M}" if same_day else f"{end:%a %-d %b %Y, %H:%M}"
        return f"{start:%a %-d %b %Y, %H:%M}–{until} {end.tzname()}"

    def when_utc(self):
        """The same instants in UTC; empty for an all-day meeting, which is held on days
        of its own zone rather than between two instants."""
        if self.all_day:
            return ""
        start, end = self.starts_at.astimezone(UTC), self.ends_at.astimezone(UTC)
        until = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%-d %b %Y, %H:%M}"
        return f"{start:%-d %b %Y, %H:%M}–{until} UTC"

    def regulator_names(self):
        return ", ".join(r.acronym for r in self.regulators.all())

    @property
    def duration_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_public(self):
        return self.visibility == self.Visibility.PUBLIC

    def carried_forward_actions(self, for_user):
        """Open actions from earlier meetings with any of this meeting's regulators that
        `for_user` may see (a user, or visibility.SHARED for a document the whole delegation
        reads)."""
        from liaison import visibility

        return visibility.carried_forward_actions(self, for_user)


class MeetingSeries(ClusterableModel):
    """Meetings that belong together. The annual Cell Therapy Liaison Meeting has no rule:
    each year's date is chosen and its meeting added to the series. Regular calls follow a
    rule (liaison.meetings.recurrence): their meetings are made from it, and calendars carry
    the series as one event with an RRULE (liaison.meetings.series)."""

    uuid = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="The UID of the series' calendar event: a new one when the rule changes.",
    )
    title = models.CharField(max_length=255)
    kind = models.CharField(
        max_length=20, choices=Meeting.Kind.choices, default=Meeting.Kind.LIAISON
    )
    regulators = ParentalManyToManyField(Regulator, related_name="series")
    visibility = models.CharField(
        max_length=20,
        choices=Meeting.Visibility.choices,
        default=Meeting.Visibility.MEMBERS,
        help_text="Every meeting of the series has it.",
    )
    description = models.TextField(
        "public description",
        blank=True,
        help_text="What the series is for: shown on its page, in calendars and invitations.",
    )
    time_zone = models.CharField(
        max_length=64, choices=time_zone_choices, validators=[validate_time_zone]
    )
    location = models.CharField(max_length=255, blank=True)
    join_url = models.URLField("online join link", max_length=500, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_series",
    )
    delegation = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="delegated_series",
        help_text="Put on the delegation of each new meeting of the series.",
    )
    # The rule; no frequency means no rule.
    frequency = models.CharField(
        "repeats", max_length=20, choices=recurrence.Frequency.choices, blank=True
    )
    interval = models.PositiveSmallIntegerField("every", default=1)
    first_start = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(default=60)
    until = models.DateField("last day", null=True, blank=True)
    count = models.PositiveSmallIntegerField("number of meetings", null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next",
        editable=False,
        help_text="The series this one continues, after a change of rule.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name_plural = "meeting series"

    def __str__(self):
        return self.title

    @property
    def rule_zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def has_rule(self):
        return bool(self.frequency)

    @property
    def rule(self):
        if not self.has_rule or self.first_start is None:
            return None
        zone = zoneinfo.ZoneInfo(self.time_zone)
        return recurrence.Rule(
            frequency=self.frequency,
            start=self.first_start.astimezone(zone).replace(tzinfo=None),
            zone=self.time_zone,
            interval=self.interval,
            until=self.until,
            count=self.count,
        )

    @property
    def duration(self):
        return datetime.timedelta(minutes=self.duration_minutes)


class SeriesAgendaItem(Orderable):
    """An item of a series' template agenda: put on each new meeting of the series."""

    series = ParentalKey(MeetingSeries, on_delete=models.CASCADE, related_name="agenda_template")
    title = models.CharField(max_length=255)
    duration_minutes = models.PositiveSmallIntegerField(default=15)
    presenter = models.CharField(max_length=200, blank=True)
    background = models.TextField(blank=True)

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("duration_minutes")]),
        FieldPanel("presenter"),
        FieldPanel("background"),
    ]

    def __str__(self):
        return self.title


class AgendaItem(ClusterableModel, Orderable):
    """One item on a meeting's agenda: what we ask, why, and what the regulator answered."""

    meeting = ParentalKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    title = models.CharField(max_length=255)
    duration_minutes = models.PositiveSmallIntegerField(default=15)
    # Which day of a meeting held over several days: 1 for the first (empty counts as 1).
    day = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="For a meeting over several days: 1 for its first day, 2 for the second…",
    )
    presenter = models.CharField(max_length=200, blank=True)
    ask = models.TextField("the ask", blank=True, help_text="What we want from the regulator.")
    background = models.TextField(blank=True)
    talking_points = models.TextField(blank=True)
    cited_positions = ParentalManyToManyField(
        PositionPage, blank=True, related_name="agenda_items"
    )
    confidential = models.BooleanField(
        default=False, help_text="Never shown outside the delegation and the Secretariat."
    )
    decision = models.TextField(blank=True)
    regulator_response = models.TextField(blank=True)
    outcome_notes = models.TextField("notes", blank=True)

    # What of a (non-confidential) item reaches people outside the delegation: invitations,
    # feeds and the public meeting page (the title), the stakeholder pre-read (all of these;
    # of the cited positions only the public ones). The form marks them; the pre-read is
    # built from them alone (liaison.briefings.data.Item.for_outsiders).
    SHARED_WITH_OUTSIDERS = (
        "title",
        "duration_minutes",
        "day",
        "presenter",
        "background",
        "cited_positions",
    )
    SHARED = "Shared with invitees and stakeholders (invitations, pre-read) unless the item is confidential."
    DELEGATION_ONLY = "Delegation only: never in an invitation or the pre-read."

    panels = [
        FieldRowPanel(
            [
                FieldPanel("title", help_text=SHARED),
                FieldPanel("duration_minutes", help_text=SHARED),
                FieldPanel("day"),
            ]
        ),
        FieldRowPanel(
            [
                FieldPanel("presenter", help_text=SHARED),
                FieldPanel(
                    "confidential",
                    help_text="Keeps the whole item, title included, within the delegation "
                    "and the Secretariat.",
                ),
            ]
        ),
        FieldPanel("ask", help_text="What we want from the regulator. " + DELEGATION_ONLY),
        FieldPanel("background", help_text=SHARED),
        FieldPanel("talking_points", help_text=DELEGATION_ONLY),
        FieldPanel(
            "cited_positions",
            widget=Checklist(label_from_instance=PositionPage.choice_label),
            help_text="The public ones are shared with invitees and stakeholders (pre-read) "
            "unless the item is confidential; all are in the delegate briefing.",
        ),
        # The asks of the ledger (liaison.asks) this item puts, and the answer to each.
        InlinePanel(
            "ask_links",
            heading="Asks put at this item",
            label="Ask",
            help_text="Asks from the ledger. Once the meeting has taken place, each is recorded "
            "as raised here, and the answer written against it as the regulator's answer.",
        ),
        MultiFieldPanel(
            [
                FieldPanel("regulator_response"),
                FieldPanel("decision"),
                FieldPanel("outcome_notes"),
            ],
            heading="Outcome (after the meeting)",
        ),
    ]

    def __str__(self):
        return self.title


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS])

    def overdue(self, on=None):
        return self.open().filter(due_date__lt=on or timezone.localdate())

    def visible_to(self, user):
        """The actions `user` may see (liaison.visibility decides)."""
        from liaison import visibility

        return visibility.actions_visible_to(user, self)

    def changeable_by(self, user):
        from liaison import visibility

        return visibility.actions_changeable_by(user, self)


class ActionItem(models.Model):
    """A follow-up agreed at a meeting, owned by a person, an organisation or a regulator."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaison_actions",
    )
    owner_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    owner_regulator = models.ForeignKey(
        Regulator, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    # The ask of the ledger (liaison.asks) the action follows up, if any.
    ask = models.ForeignKey(
        "liaison.Ask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
        help_text="The ask this action follows up, if any.",
    )
    due_date = models.DateField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    completion_note = models.TextField(blank=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.description[:80]

    def save(self, *args, **kwargs):
        if self.pk:
            # Keep the reminder claim the daily job may have made since this was loaded.
            stored = ActionItem.objects.filter(pk=self.pk).values_list("reminded_on", flat=True)
            self.reminded_on = next(iter(stored), self.reminded_on)
        super().save(*args, **kwargs)

    @property
    def owner_name(self):
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.get_username()
        return str(self.owner_organisation or self.owner_regulator or "")

    def is_overdue(self, today=None):
        return (
            self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)
            and self.due_date is not None
            and self.due_date < (today or timezone.localdate())
        )

    def clean(self):
        super().clean()
        owners = [self.owner_id, self.owner_organisation_id, self.owner_regulator_id]
        if sum(1 for o in owners if o) != 1:
            raise ValidationError(
                "Give the action one owner: a person, an organisation or a regulator."
            )
        if self.agenda_item_id and self.agenda_item.meeting_id != self.meeting_id:
            raise ValidationError({"agenda_item": "Choose an item from this meeting's agenda."})
        if self.status == self.Status.DONE and not self.completed_on:
            self.completed_on = timezone.localdate()


class LiaisonLogEntryManager(ModelLogEntryManager):
    def viewable_by_user(self, user):
        # Not super(): Wagtail caches the content types a user may see on the user object,
        # computed for whichever log model asks first, which would hide these entries.
        from liaison import visibility

        return visibility.log_entries_visible_to(user, self.all())


class LiaisonLogEntry(BaseLogEntry):
    """The history (Wagtail's log) of meetings and actions. An entry carries the title of its
    object at the time, so it is shown only to those who may see the meeting."""

    object_id = models.CharField(max_length=255, blank=False, db_index=True)

    objects = LiaisonLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = "meeting history entry"
        verbose_name_plural = "meeting history entries"

    def __str__(self):
        return f"LiaisonLogEntry {self.pk}: {self.action!r} on {self.object_verbose_name} {self.object_id}"


class MeetingMaterial(models.Model):
    """A paper of a meeting (slides, a regulator's document, our letter): a Wagtail document
    in the "Meeting materials" collection (liaison.meetings.materials), attached to a meeting
    or to one of its agenda items, for an audience. liaison.visibility decides who sees it:
    the delegation sees every material; invitees those marked for invitees or the public; the
    public site those marked public, of a public meeting. A material of a confidential agenda
    item stays with the delegation, whatever it is marked."""

    class Audience(models.TextChoices):
        DELEGATION = "delegation", "The delegation only"
        INVITEES = "invitees", "Invitees and the delegation"
        PUBLIC = "public", "Public (on the public meeting page)"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials")
    agenda_item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="materials",
        help_text="Leave empty for a paper of the whole meeting.",
    )
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.PROTECT, related_name="meeting_uses"
    )
    audience = models.CharField(
        "shared with", max_length=20, choices=Audience.choices, default=Audience.DELEGATION
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agenda_item__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "document"],
                condition=models.Q(agenda_item__isnull=True),
                name="material_once_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["agenda_item", "document"],
                condition=models.Q(agenda_item__isnull=False),
                name="material_once_per_item",
            ),
        ]

    def __str__(self):
        return self.document.title

    def clean(self):
        super().clean()
        if self.agenda_item_id and self.agenda_item.meeting_id != self.meeting_id:
            raise ValidationError({"agenda_item": "Choose an item from this meeting's agenda."})
