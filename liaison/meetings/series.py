"""The meetings of a series: made from its rule (liaison.meetings.recurrence), each a meeting
of its own with its agenda, record and actions, and told apart from what the rule says when a
calendar writes the series as one event (liaison.calendars.ics).

A meeting of a rule-based series keeps, as ``recurrence_id``, the start the rule gave it: a
moved meeting is the same occurrence at another time (RECURRENCE-ID in calendars), and a
meeting the rule gives that is no longer stored is an exception (EXDATE).
"""

from django.db import transaction

from liaison.meetings.models import AgendaItem, Meeting, MeetingSeries

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
    meeting.save()
    meeting.regulators.set(series.regulators.all())
    meeting.delegation.set(series.delegation.all())
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
