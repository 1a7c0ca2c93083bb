"""The meetings of a series: made from its rule (liaison.meetings.recurrence), each a meeting
of its own with its agenda, record and actions, and told apart from what the rule says when a
calendar writes the series as one event (liaison.calendars.ics).

A meeting of a rule-based series keeps, as ``recurrence_id``, the start the rule gave it: a
moved meeting is the same occurrence at another time (RECURRENCE-ID in calendars), and a
meeting the rule gives that is no longer stored is an exception (EXDATE).
"""

import datetime
import uuid

from django.db import transaction

from liaison.meetings.models import AgendaItem, Meeting, MeetingSeries, SeriesAgendaItem

# What a new meeting takes from its series.
COPIED = ("title", "kind", "visibility", "description", "time_zone", "location", "join_url")


def new_meeting(series, starts_at, *, recurrence_id=None, ends_at=None):
    """A meeting of ``series`` at ``starts_at`` (saved), with the series' regulators,
    delegation and template agenda."""
    meeting = Meeting(
        series=series,
        recurrence_id=recurrence_id,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + series.duration,
        organiser_id=series.organiser_id,
        **{field: getattr(series, field) for field in COPIED},
    )
    # Parental many-to-many values are kept in memory until the meeting is saved.
    meeting.regulators.set(series.regulators.all())
    meeting.delegation.set(series.delegation.all())
    meeting.save()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            sort_order=n,
            title=item.title,
            duration_minutes=item.duration_minutes,
            presenter=item.presenter,
            background=item.background,
        )
        for n, item in enumerate(series.agenda_template.all())
    )
    return meeting


@transaction.atomic
def schedule(series):
    """Make the meetings the series' rule gives that are not stored yet; return them.
    A meeting deleted on purpose is not made again: only a rule (re)made does that."""
    rule = series.rule
    if rule is None:
        return []
    stored = set(series.meetings.values_list("recurrence_id", flat=True))
    return [
        new_meeting(series, start, recurrence_id=start)
        for start in rule.starts()
        if start not in stored
    ]


def rule_starts(series):
    """The instants the series' rule gives (UTC)."""
    rule = series.rule
    return rule.starts() if rule else []


def differs(meeting, series, *, agenda=(), template=()):
    """Does ``meeting`` (of the rule-based ``series``) differ from what the rule and the
    series say, so that a calendar needs an event of its own for it (a RECURRENCE-ID
    override)? Moved, shortened, cancelled or postponed, retitled, elsewhere, held with a
    summary, or with an agenda (the titles the reader sees) other than the series'
    template."""
    return bool(
        meeting.starts_at != meeting.recurrence_id
        or meeting.ends_at - meeting.starts_at != series.duration
        or meeting.all_day
        or meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED)
        or (meeting.status == Meeting.Status.HELD and meeting.public_summary)
        or meeting.title != series.title
        or meeting.location != series.location
        or meeting.join_url != series.join_url
        or meeting.description != series.description
        or [item.title for item in agenda] != list(template)
    )


def series_with_rule(ids):
    return MeetingSeries.objects.filter(pk__in=ids).exclude(frequency="")


# The rule's fields: a change to any of them changes the schedule.
RULE_FIELDS = (
    "frequency",
    "interval",
    "first_start",
    "duration_minutes",
    "until",
    "count",
    "time_zone",
)


def has_record(meeting):
    """Has ``meeting`` a record a new schedule must not throw away: held, an agenda of its
    own (not the series' template), actions, papers or an outcome on an item?"""
    template = (
        [item.title for item in meeting.series.agenda_template.all()] if meeting.series else []
    )
    agenda = list(
        meeting.agenda_items.order_by("sort_order", "pk").values_list("title", flat=True)
    )
    return bool(
        meeting.status == Meeting.Status.HELD
        or agenda != template
        or meeting.actions.exists()
        or meeting.materials.exists()
        or meeting.agenda_items.exclude(
            regulator_response="", decision="", outcome_notes=""
        ).exists()
    )


def cutoff(series, day):
    """Midnight at the start of ``day`` in the series' zone, as an instant."""
    from liaison.meetings.models import all_day_bounds

    return all_day_bounds(day, day, series.time_zone)[0]


def meetings_in_the_way(series, day):
    """The meetings of ``series`` the rule gave on or after ``day`` that have a record: a new
    rule from ``day`` on would have to drop them."""
    later = series.meetings.filter(recurrence_id__gte=cutoff(series, day))
    return [m for m in later.order_by("starts_at") if has_record(m)]


@transaction.atomic
def change_rule(before, series, day):
    """``series`` has been saved with a new rule (``before`` holds it as it was), to apply
    from ``day``. Meetings the old rule gave before ``day`` keep their dates and records, in
    a series of their own that keeps the old calendar UID and ends the day before; the
    others are dropped and ``series``, under a new UID, makes its meetings from the new
    rule. Calendar clients then see the old series end and a new one start, never the same
    event twice (OpenProject's lesson). Returns the series holding the past, if any."""

    start = cutoff(before, day)
    past = before.meetings.filter(recurrence_id__lt=start)
    kept = None
    # The series row that was edited keeps its id (and its page); the past moves out.
    old_uuid = before.uuid
    series.uuid = uuid.uuid4()
    series.sequence = 0
    series.previous = None
    series.save()
    if past.exists():
        kept = MeetingSeries(
            **{
                field.name: getattr(before, field.name)
                for field in MeetingSeries._meta.concrete_fields
                if field.name not in ("id", "created_at", "updated_at", "previous")
            }
        )
        kept.uuid = old_uuid
        kept.until = day - datetime.timedelta(days=1)
        kept.count = None
        kept.sequence = before.sequence + 1
        kept.save()
        kept.regulators.set(before.regulators.all())
        kept.delegation.set(before.delegation.all())
        SeriesAgendaItem.objects.bulk_create(
            SeriesAgendaItem(
                series=kept,
                sort_order=item.sort_order,
                title=item.title,
                duration_minutes=item.duration_minutes,
                presenter=item.presenter,
                background=item.background,
            )
            for item in before.agenda_template.all()
        )
        past.update(series=kept)
        series.previous = kept
        series.save(update_fields=["previous"])
    for meeting in series.meetings.filter(recurrence_id__gte=start):
        meeting.delete()
    schedule(series)
    return kept


def propagate(before, series, now=None):
    """After an edit that keeps the rule: what the series' meetings take from it follows,
    on the meetings still to come that had the old value (visibility on every one: a series'
    meetings share it); the series' calendar event counts a new version when its title,
    place or link change."""
    from django.utils import timezone

    now = now or timezone.now()
    changed = [f for f in COPIED if getattr(before, f) != getattr(series, f)]
    for field in changed:
        meetings = series.meetings.all()
        if field != "visibility":
            meetings = meetings.filter(starts_at__gte=now, **{field: getattr(before, field)})
        meetings.update(**{field: getattr(series, field)}, updated_at=now)
    if {"title", "location", "join_url"} & set(changed):
        MeetingSeries.objects.filter(pk=series.pk).update(
            sequence=before.sequence + 1, updated_at=now
        )
    return changed
