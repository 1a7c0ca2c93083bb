"""iCalendar (RFC 5545) for meetings: one event per meeting, one file per feed or invite.

Pure builders, no views. What a reader of the file learns follows from the *audience*
(``liaison.visibility.Audience``, where who gets which audience is decided):

============  ===================================================================================
PUBLIC        Public page downloads and public feeds; public meetings only (anything else raises
              ``ValueError``). Title, time, place, status, regulators, public summary and the
              titles of non-confidential agenda items. No organiser, no attendees, no join link.
MEMBERS       Members' feeds; public and members-only meetings (confidential ones raise). As
              PUBLIC plus the organiser (name and e-mail). No attendees, no join link.
INVITEE       Invites to people outside the delegation (external attendees) and their feeds;
              any meeting they are invited to. As MEMBERS plus the join link and the attendees.
              Confidential agenda items and the delegation's asks and objectives stay out.
DELEGATION    The delegation and the Secretariat; any meeting. Everything: objectives, the full
              agenda with confidential items (marked) and each item's ask, join link, organiser
              and attendees.
============  ===================================================================================

Each event has:

* ``UID``: the meeting's UUID, nothing else (no e-mail, token, host or database id), so it
  is the same in every file, feed and invite and a calendar updates the event in place;
* ``SEQUENCE``: ``meeting.sequence``, which ``Meeting.save`` raises when time, place or status
  change; ``DTSTAMP`` and ``LAST-MODIFIED``: ``meeting.updated_at``, so unchanged data gives
  byte-identical files (feeds can send a strong ETag);
* ``DTSTART``/``DTEND`` in the meeting's own zone (``DTSTART;TZID=America/Toronto:...``) with
  one ``VTIMEZONE`` per zone in the file, built from the tz database as yearly ``RRULE``
  blocks (what Outlook expects and what ical.js, vobject and icalendar read right, unlike the
  multi-value ``RDATE`` lists icalendar writes) covering the years of the meetings, after 2038
  too. A start or end whose local time happens twice (the hour the clocks go back) is written
  in UTC instead, because clients disagree about which of the two a local time means;
* ``STATUS``: planned and postponed give TENTATIVE, confirmed and held CONFIRMED, cancelled
  CANCELLED. Postponed and cancelled meetings say so at the start of the summary (Outlook
  shows cancelled feed events as if they were on) and are ``TRANSP:TRANSPARENT``.

Text is cleaned before it is written: control characters that RFC 5545 TEXT and XML forbid
are dropped (tab and newline are kept in descriptions), titles and places become one line,
and ``"``, ``^`` and ``\\`` are dropped from display names, where parsers disagree on them.
Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 sequence.

The builder reads the meeting's regulators, agenda items, delegation, attendees and organiser
and runs no query of its own when they were fetched up front, in one of two ways:

* ``fetch(queryset, audience)``: a list of meetings with plain rows of just what the audience
  sees, in at most five queries. The fast way for feeds: 5,000 meetings fetch and render in
  about a third to a half of the time icalendar takes only to serialise the same events.
* ``for_calendar(queryset)`` (``select_related(*SELECT_RELATED)`` and
  ``prefetch_related(*PREFETCH)``): model instances, for callers that also use them for
  something else (a page). Correct, but model instances for every agenda item and person
  cost several times more than the rendering.

Unsaved meetings work too: modelcluster keeps children and m2m values assigned in memory, so
``Meeting(...)`` with ``meeting.agenda_items = [AgendaItem(...)]`` renders without a database.

The file is written here directly rather than through ``icalendar``'s serialiser, which is
several times slower for a feed of thousands of events; ``meeting_event`` returns the same
event as an ``icalendar.Event`` for callers that want one, and the tests read every file
back with icalendar, vobject and ical.js. VTIMEZONEs are cached per zone and year range.
"""

import dataclasses
import datetime
import functools
import re
import urllib.parse
import zoneinfo
from collections.abc import Callable, Iterable

import icalendar
from django.conf import settings
from django.utils import timezone

from liaison.meetings.models import AgendaItem, Meeting
from liaison.visibility import Audience

__all__ = [
    "PREFETCH",
    "SELECT_RELATED",
    "Audience",
    "Person",
    "calendar_bytes",
    "clean_line",
    "clean_text",
    "display_name",
    "fetch",
    "for_calendar",
    "meeting_event",
    "vtimezone",
]

PRODID = "-//Liaise//Regulator liaison meetings//EN"

#: What the builder reads from each meeting; pass to ``prefetch_related``/``select_related``.
PREFETCH = ("regulators", "agenda_items", "delegation", "attendees")
SELECT_RELATED = ("organiser",)

METHODS = ("PUBLISH", "REQUEST", "CANCEL")


# What each audience may be shown is decided in liaison.visibility (Audience).
ALLOWED_VISIBILITY = {audience: audience.meeting_visibilities for audience in Audience}
SHOWS_ORGANISER = {audience for audience in Audience if audience.sees_organiser}
SHOWS_PEOPLE = {audience for audience in Audience if audience.sees_people}
SHOWS_CONFIDENTIAL = {audience for audience in Audience if audience.sees_confidential}

STATUS = {
    Meeting.Status.PLANNED: "TENTATIVE",
    Meeting.Status.CONFIRMED: "CONFIRMED",
    Meeting.Status.HELD: "CONFIRMED",
    Meeting.Status.POSTPONED: "TENTATIVE",
    Meeting.Status.CANCELLED: "CANCELLED",
}
SUMMARY_PREFIX = {
    Meeting.Status.POSTPONED: "Postponed: ",
    Meeting.Status.CANCELLED: "Cancelled: ",
}
STATUS_NOTE = {
    Meeting.Status.POSTPONED: "Postponed: a new date will follow.",
    Meeting.Status.CANCELLED: "This meeting is cancelled.",
}
CLASS = {
    Meeting.Visibility.PUBLIC: "PUBLIC",
    Meeting.Visibility.MEMBERS: "PRIVATE",
    Meeting.Visibility.CONFIDENTIAL: "CONFIDENTIAL",
}
UNTITLED = "Meeting"

# Zones that are UTC under another name: their times are written with a Z, no VTIMEZONE.
UTC_KEYS = frozenset(
    [
        "UTC",
        "Etc/UTC",
        "Etc/UCT",
        "UCT",
        "Etc/Universal",
        "Universal",
        "Etc/Zulu",
        "Zulu",
        "GMT",
        "Etc/GMT",
        "Etc/GMT0",
        "GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "GMT+0",
        "GMT-0",
        "Etc/Greenwich",
        "Greenwich",
    ]
)


@dataclasses.dataclass(frozen=True)
class Person:
    """Someone to list as ATTENDEE (or ORGANIZER): a display name and an e-mail address."""

    name: str
    email: str


# --- text ----------------------------------------------------------------------------------

# C0 controls but tab and newline, DEL, lone surrogates (unencodable) and the non-characters
# U+FFFE/U+FFFF: forbidden in iCalendar TEXT (RFC 5545 3.3.11) and in XML.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_NEWLINES = re.compile("\r\n?|[\x85\u2028\u2029]")
_LINE_SPACE = re.compile("[ \t\n]+")
_NOT_IN_NAMES = re.compile(r'["^\\]')
_URI_SAFE = "!#$%&'()*+,-./:;=?@[]_~"
_URI_UNSAFE = re.compile(r"[^A-Za-z0-9!#$%&'()*+,\-./:;=?@\[\]_~]")


def clean_text(value):
    """``value`` as iCalendar TEXT may carry it: newlines normalised to LF (NEL and the Unicode
    line and paragraph separators count as newlines), forbidden control characters dropped."""
    if not value:
        return ""
    return _FORBIDDEN.sub("", _NEWLINES.sub("\n", str(value)))


def clean_line(value):
    """``clean_text`` on one line: runs of spaces, tabs and newlines become one space."""
    return _LINE_SPACE.sub(" ", clean_text(value)).strip(" ")


def _text(value):
    """Escape cleaned text for a TEXT value (RFC 5545 3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def display_name(value):
    """A name as a CN parameter carries it: ``clean_line`` without ``"`` (no parameter may
    hold one), ``^`` (RFC 6868 escapes, which vobject and many clients do not decode) and
    ``\\`` (parameters have no backslash escapes, yet icalendar reads ``\\,`` as ``,``)."""
    return clean_line(_NOT_IN_NAMES.sub("", clean_text(value)))


def _param(value):
    """A parameter value (a ``display_name``), in quotes if it holds ``:``, ``;`` or ``,``."""
    value = display_name(value)
    if any(c in value for c in ":;,"):
        return f'"{value}"'
    return value


def _uri(value):
    """A URI value: forbidden characters dropped, anything else that may not appear in a URI
    (spaces, quotes, non-ASCII letters) percent-encoded."""
    value = _FORBIDDEN.sub("", str(value or "")).strip()
    if _URI_UNSAFE.search(value):
        value = urllib.parse.quote(value, safe=_URI_SAFE)
    return value


def _fold(line):
    """One content line as bytes, folded at 75 octets (RFC 5545 3.1) between characters."""
    if len(line) <= 75 and line.isascii():
        return line.encode("ascii")
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data
    parts = []
    start, limit = 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # never cut inside a UTF-8 sequence
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # continuation lines start with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts)


# --- values --------------------------------------------------------------------------------


def _utc(value):
    value = value.astimezone(datetime.UTC)
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}"
        f"T{value.hour:02d}{value.minute:02d}{value.second:02d}Z"
    )


def _local(value):
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}"
        f"T{value.hour:02d}{value.minute:02d}{value.second:02d}"
    )


def _offset(delta):
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _duration(delta):
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        raise ValueError("A refresh interval must be positive.")
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    out = "P" + (f"{days}D" if days else "")
    if hours or minutes or seconds:
        out += "T" + "".join(
            f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n
        )
    return out


def _is_ambiguous(local):
    """True if the wall-clock time ``local`` (aware, in its zone) happens twice."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


# --- VTIMEZONE -----------------------------------------------------------------------------

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY = 86400


def _state(zone, timestamp):
    moment = datetime.datetime.fromtimestamp(timestamp, zone)
    return moment.utcoffset(), moment.dst(), moment.tzname()


def _transitions(zone, first, last):
    """(UTC timestamp, state before, state after) for each change of offset, DST or name
    between two timestamps, where a state is (utcoffset, dst, tzname). Each day is probed and
    the second of a change found by bisection."""
    found = []
    ts, before = first, _state(zone, first)
    while ts < last:
        probe = min(ts + _DAY, last)
        state = _state(zone, probe)
        if state == before:
            ts = probe
            continue
        low, high = ts, probe  # the state at low is `before`, at high it is not
        while high - low > 1:
            middle = (low + high) // 2
            if _state(zone, middle) == before:
                low = middle
            else:
                high = middle
        after = _state(zone, high)
        found.append((high, before, after))
        ts, before = high, after  # probe on from the change: another may follow that day
    return found


@functools.lru_cache(maxsize=4096)
def _year(key, year):
    """``_transitions`` of zone ``key`` in one UTC year (a few milliseconds; kept)."""
    first = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    last = datetime.datetime(year + 1, 1, 1, tzinfo=datetime.UTC)
    return tuple(
        _transitions(zoneinfo.ZoneInfo(key), int(first.timestamp()), int(last.timestamp()))
    )


def _by_day(day, weekday, days_in_month):
    """BYDAY codes that pick ``day`` in its month: its week number, and -1 if it is the last."""
    codes = {f"{(day - 1) // 7 + 1}{_WEEKDAYS[weekday]}"}
    if day + 7 > days_in_month:
        codes.add(f"-1{_WEEKDAYS[weekday]}")
    return codes


def _days_in_month(year, month):
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


@functools.lru_cache(maxsize=256)
def _vtimezone_lines(key, first_year, last_year):
    """VTIMEZONE content lines for zone ``key``, right for any time in the given years.

    Transitions from the year before ``first_year`` to the year after ``last_year`` are
    grouped into yearly rules (same month, weekday of the month, wall-clock time and offsets
    in consecutive years): one STANDARD or DAYLIGHT block with an RRULE per rule, closed with
    UNTIL when a later rule replaces it, open when it is still in force at the end, so times
    after the last year (and after 2038) follow the rule the tz database has for them. A lone
    change is a block of its own without RRULE.
    """
    zone = zoneinfo.ZoneInfo(key)
    start = datetime.datetime(first_year - 1, 1, 1, tzinfo=datetime.UTC)
    start_ts = int(start.timestamp())
    changes = [
        change for year in range(first_year - 1, last_year + 2) for change in _year(key, year)
    ]

    # Group into runs of yearly rules.
    runs = []  # each: dict(key, codes, items=[(timestamp, local)], year of the last item)
    open_runs = {}
    for timestamp, before, after in changes:
        local = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).replace(tzinfo=None)
        local += before[0]  # an observance starts at the old offset's wall-clock time
        rule_key = (before[0], after[0], after[1] != datetime.timedelta(0), after[2])
        shape = (*rule_key, local.month, local.weekday(), local.time())
        codes = _by_day(local.day, local.weekday(), _days_in_month(local.year, local.month))
        run = open_runs.get(shape)
        if run and run["year"] == local.year - 1 and run["codes"] & codes:
            run["codes"] &= codes
            run["items"].append((timestamp, local))
            run["year"] = local.year
        else:
            run = {"key": rule_key, "codes": codes, "items": [(timestamp, local)]}
            run["year"] = local.year
            runs.append(run)
            open_runs[shape] = run

    blocks = []  # (DTSTART, DST, TZOFFSETFROM, TZOFFSETTO, TZNAME, RRULE)
    first_meeting_year = datetime.datetime(first_year, 1, 1, tzinfo=datetime.UTC).timestamp()
    if not changes or changes[0][0] >= first_meeting_year:
        # No change in the year before the meetings: say what holds from the start.
        offset, dst, name = _state(zone, start_ts)
        blocks.append((start.replace(tzinfo=None) + offset, dst, offset, offset, name, None))
    for run in runs:
        offset_from, offset_to, is_dst, name = run["key"]
        first_local = run["items"][0][1]
        rrule = None
        if len(run["items"]) > 1:
            last_of_month = f"-1{_WEEKDAYS[first_local.weekday()]}"
            code = last_of_month if last_of_month in run["codes"] else min(run["codes"])
            rrule = f"FREQ=YEARLY;BYMONTH={first_local.month};BYDAY={code}"
            if run["year"] <= last_year:  # replaced by another rule before the range ends
                # A day after the last change: dateutil (so vobject) compares UNTIL with the
                # local time of each change as if UNTIL were local too, and would drop the
                # last one east of Greenwich. The next change by this rule is a year on.
                until = datetime.datetime.fromtimestamp(run["items"][-1][0], datetime.UTC)
                rrule += f";UNTIL={_utc(until + datetime.timedelta(days=1))}"
        blocks.append((first_local, is_dst, offset_from, offset_to, name, rrule))

    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    for local, dst, offset_from, offset_to, name, rrule in sorted(blocks, key=lambda b: b[0]):
        kind = "DAYLIGHT" if dst else "STANDARD"
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{_local(local)}",
            f"TZOFFSETFROM:{_offset(offset_from)}",
            f"TZOFFSETTO:{_offset(offset_to)}",
        ]
        if name:
            lines.append(f"TZNAME:{_text(clean_line(name))}")
        if rrule:
            lines.append(f"RRULE:{rrule}")
        lines.append(f"END:{kind}")
    lines.append("END:VTIMEZONE")
    return tuple(lines)


def vtimezone(key, first_year, last_year):
    """The VTIMEZONE this module writes for zone ``key`` and meetings in those years."""
    text = "\r\n".join(_vtimezone_lines(key, first_year, last_year)) + "\r\n"
    return icalendar.Timezone.from_ical(text)


# --- events --------------------------------------------------------------------------------


def _check(meeting, audience):
    if not isinstance(audience, Audience):
        raise TypeError(f"audience must be an Audience, not {audience!r}")
    if meeting.visibility not in ALLOWED_VISIBILITY[audience]:
        raise ValueError(
            f"A {meeting.get_visibility_display().lower()} meeting is not for the "
            f"{audience.value} audience."
        )


def _person(name, email):
    email = _uri(email)
    if "@" not in email:
        return None
    return Person(display_name(name), email)


def _user(user):
    return _person(user.get_full_name(), user.email) if user is not None else None


# --- what the builder reads from a meeting's relations --------------------------------------


@dataclasses.dataclass(frozen=True)
class AgendaRow:
    """What the builder reads from an agenda item (``fetch`` gives these instead of models)."""

    pk: int
    sort_order: int | None
    title: str
    confidential: bool
    ask: str


def _rows(meeting, relation):
    """Plain rows ``fetch`` attached for ``relation``, or None."""
    rows = getattr(meeting, "_calendar_rows", None)
    return None if rows is None else rows.get(relation)


def _regulators(meeting):
    rows = _rows(meeting, "regulators")
    return rows if rows is not None else [r.acronym for r in meeting.regulators.all()]


def _agenda(meeting):
    rows = _rows(meeting, "agenda_items")
    items = rows if rows is not None else meeting.agenda_items.all()
    return sorted(items, key=lambda i: (i.sort_order or 0, i.pk or 0))


def _delegation(meeting):
    rows = _rows(meeting, "delegation")
    if rows is not None:
        return rows
    return [Person(u.get_full_name(), u.email) for u in meeting.delegation.all()]


def _attendees(meeting):
    rows = _rows(meeting, "attendees")
    if rows is not None:
        return rows
    return [Person(c.name, c.email) for c in meeting.attendees.all()]


def _people(meeting):
    """The attendees an audience sees: the delegation, then the external attendees, each in
    a stable order, without duplicates and without the organiser (who is ORGANIZER)."""
    organiser = _user(meeting.organiser)
    seen = {organiser.email.lower()} if organiser else set()
    people = []
    for group in (_delegation(meeting), _attendees(meeting)):
        for person in sorted(group, key=lambda p: (p.name, p.email)):
            person = _person(person.name, person.email)
            if person and person.email.lower() not in seen:
                seen.add(person.email.lower())
                people.append(person)
    return people


def _address(prop, person, extra=()):
    params = "".join(f";{p}" for p in extra)
    if person.name:
        params = f";CN={_param(person.name)}" + params
    return f"{prop}{params}:mailto:{person.email}"


def _description(meeting, audience, url, status_note):
    parts = []
    regulators = sorted(clean_line(acronym) for acronym in _regulators(meeting))
    if regulators:
        parts.append("With: " + ", ".join(regulators))
    if status_note:
        parts.append(status_note)
    # The public summary is the outcome: a draft of it stays out until the meeting is held
    # (a status, not the clock, so unchanged data still gives the same bytes).
    summary = ""
    if meeting.status == Meeting.Status.HELD:
        summary = clean_text(meeting.public_summary).strip("\n")
    if summary:
        parts.append(summary)
    confidential = audience in SHOWS_CONFIDENTIAL
    if confidential and meeting.objectives:
        objectives = clean_text(meeting.objectives).strip("\n")
        if objectives:
            parts.append("Objectives:\n" + objectives)
    agenda = []
    for item in _agenda(meeting):
        if item.confidential and not confidential:
            continue
        title = clean_line(item.title)
        agenda.append(f"- {'[Confidential] ' if item.confidential else ''}{title}")
        if confidential and item.ask:
            ask = clean_line(item.ask)
            if ask:
                agenda.append(f"  Ask: {ask}")
    if agenda:
        parts.append("Agenda:\n" + "\n".join(agenda))
    if audience in SHOWS_PEOPLE and meeting.join_url:
        parts.append(f"Join online: {_uri(meeting.join_url)}")
    if url:
        parts.append(f"Details: {_uri(url)}")
    return "\n\n".join(parts)


def _event_lines(meeting, audience, url, method=None, attendees=None):
    """The VEVENT's content lines, unfolded, and the zone its TZIDs name (None if UTC)."""
    _check(meeting, audience)
    stamp = meeting.updated_at or meeting.created_at
    if stamp is None:
        raise ValueError("The meeting has no updated_at: save it, or set it when unsaved.")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting.uuid}",
        f"SEQUENCE:{int(meeting.sequence or 0)}",
        f"DTSTAMP:{_utc(stamp)}",
    ]
    if meeting.created_at:
        lines.append(f"CREATED:{_utc(meeting.created_at)}")
    lines.append(f"LAST-MODIFIED:{_utc(stamp)}")

    key = meeting.time_zone
    zone = None if key in UTC_KEYS else zoneinfo.ZoneInfo(key)
    if zone is not None:
        start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
        if _is_ambiguous(start) or _is_ambiguous(end):
            zone = None
    if zone is None:
        key = None
        lines += [f"DTSTART:{_utc(meeting.starts_at)}", f"DTEND:{_utc(meeting.ends_at)}"]
    else:
        lines += [f"DTSTART;TZID={key}:{_local(start)}", f"DTEND;TZID={key}:{_local(end)}"]

    status = meeting.status
    title = clean_line(meeting.title) or UNTITLED
    lines.append(f"SUMMARY:{_text(SUMMARY_PREFIX.get(status, '') + title)}")
    lines.append(f"STATUS:{'CANCELLED' if method == 'CANCEL' else STATUS[status]}")
    lines.append(f"CLASS:{CLASS[meeting.visibility]}")
    lines.append(f"TRANSP:{'TRANSPARENT' if status in SUMMARY_PREFIX else 'OPAQUE'}")
    join_url = _uri(meeting.join_url) if audience in SHOWS_PEOPLE else ""
    location = clean_line(meeting.location) or join_url
    if location:
        lines.append(f"LOCATION:{_text(location)}")
    if url:
        lines.append(f"URL:{_uri(url)}")
    description = _description(meeting, audience, url, STATUS_NOTE.get(status))
    if description:
        lines.append(f"DESCRIPTION:{_text(description)}")
    if join_url:
        lines.append(f"CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Join online:{join_url}")

    if audience in SHOWS_ORGANISER:
        organiser = _user(meeting.organiser)
        if organiser:
            lines.append(_address("ORGANIZER", organiser))
        elif method in ("REQUEST", "CANCEL"):
            raise ValueError(f"METHOD:{method} needs an organiser with an e-mail address.")
    if audience in SHOWS_PEOPLE:
        people = _people(meeting) if attendees is None else attendees
        if method == "REQUEST":
            extra = ("ROLE=REQ-PARTICIPANT", "PARTSTAT=NEEDS-ACTION", "RSVP=TRUE")
        else:
            extra = ("ROLE=REQ-PARTICIPANT",)
        for person in people:
            person = _person(person.name, person.email)
            if person:
                lines.append(_address("ATTENDEE", person, extra))
    elif attendees is not None:
        raise ValueError(f"The {audience.value} audience is shown no attendees.")
    lines.append("END:VEVENT")
    return lines, key and (key, start.year, end.year)


def meeting_event(meeting, audience, url=None, *, method=None, attendees=None):
    """The meeting as an ``icalendar.Event`` for ``audience`` (see the module docstring).

    :param url: the meeting's page, absolute; written as URL and at the end of DESCRIPTION.
    :param method: the iTIP method of the file the event goes in, if any: REQUEST adds
        RSVP=TRUE to attendees, CANCEL sets STATUS:CANCELLED.
    :param attendees: ``Person`` list to write as ATTENDEEs instead of the meeting's
        delegation and external attendees (INVITEE and DELEGATION audiences only).
    """
    _check_method(method)
    lines, _zone = _event_lines(meeting, audience, url, method, attendees)
    text = "\r\n".join(lines) + "\r\n"
    return icalendar.Event.from_ical(text)


def _check_method(method):
    if method is not None and method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)} or None, not {method!r}")


# --- calendars -----------------------------------------------------------------------------


def calendar_bytes(
    meetings: Iterable[Meeting],
    audience: Audience | Callable[[Meeting], Audience],
    *,
    name: str | None = None,
    url_for: Callable[[Meeting], str | None] | None = None,
    method: str | None = None,
    refresh: datetime.timedelta | None = None,
    attendees: Iterable[Person] | None = None,
    empty_zone: str | None = None,
) -> bytes:
    """A whole VCALENDAR file (UTF-8 bytes) with one VEVENT per meeting.

    :param meetings: from ``fetch`` or ``for_calendar`` (see the module docstring); written
        in order of start, then UID, whatever order they come in.
    :param audience: an ``Audience``, or a function giving one per meeting (a personal feed
        shows the meetings a person is in the delegation of as DELEGATION, the rest as
        MEMBERS).
    :param name: the calendar's name (NAME and X-WR-CALNAME), for feeds.
    :param url_for: gives each meeting's absolute URL (URL property, end of DESCRIPTION).
    :param method: None for feeds and downloads (no METHOD: the safest for subscriptions),
        "PUBLISH", or "REQUEST"/"CANCEL" for e-mailed invites, which then need an organiser
        with an e-mail address.
    :param refresh: how often subscribers should poll: REFRESH-INTERVAL;VALUE=DURATION and
        X-PUBLISHED-TTL. Not allowed with REQUEST or CANCEL.
    :param attendees: ``Person`` list to write as ATTENDEEs of every event instead of the
        meetings' own (e.g. only the recipient of an invite).
    :param empty_zone: the zone whose VTIMEZONE an empty calendar carries (the grammar needs
        at least one component); defaults to ``settings.TIME_ZONE``.
    """
    _check_method(method)
    if refresh is not None and method in ("REQUEST", "CANCEL"):
        raise ValueError("A refresh interval belongs to feeds, not to invites.")
    audience_for = audience if callable(audience) and not isinstance(audience, Audience) else None
    people = None if attendees is None else list(attendees)
    meetings = sorted(meetings, key=lambda m: (m.starts_at, str(m.uuid)))

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        name = _text(clean_line(name))
        lines += [f"NAME:{name}", f"X-WR-CALNAME:{name}"]
    if refresh is not None:
        duration = _duration(refresh)
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{duration}", f"X-PUBLISHED-TTL:{duration}"]

    events = []
    years = {}  # zone key -> (first year, last year) of the meetings written in that zone
    for meeting in meetings:
        event, zone = _event_lines(
            meeting,
            audience_for(meeting) if audience_for else audience,
            url_for(meeting) if url_for else None,
            method,
            people,
        )
        events += event
        if zone:
            key, first, last = zone
            if key in years:
                first, last = min(first, years[key][0]), max(last, years[key][1])
            years[key] = (first, last)
    if not meetings:
        key = empty_zone or settings.TIME_ZONE
        key = "Etc/UTC" if key in UTC_KEYS else key
        year = timezone.now().year
        years[key] = (year, year)
    for key in sorted(years):
        lines += _vtimezone_lines(key, *years[key])
    lines += events
    lines.append("END:VCALENDAR")
    return b"\r\n".join([_fold(line) for line in lines]) + b"\r\n"


def for_calendar(queryset):
    """``queryset`` with everything the builder reads fetched up front, as model instances:
    for callers that use the meetings for more than the calendar."""
    return queryset.select_related(*SELECT_RELATED).prefetch_related(*PREFETCH)


def fetch(queryset, audience=None):
    """The meetings of ``queryset``, each with plain rows of exactly what the builder reads
    for ``audience`` (all of it if None or a function), in five queries at most. The query
    is run once more as a subquery for each relation, so it should name the same meetings
    each time (no random order under a slice).

    Several times faster than ``for_calendar`` for a big feed: no model instances for agenda
    items, people and regulators, no organiser for the public, no confidential items or
    people loaded for audiences that do not see them. The rows are for the builder only:
    ``meeting.agenda_items`` and the other relations still query the database when used.
    """
    everything = not isinstance(audience, Audience)
    if everything or audience in SHOWS_ORGANISER:
        queryset = queryset.select_related(*SELECT_RELATED)
    meetings = list(queryset)
    if not meetings:
        return meetings
    rows = {m.pk: {} for m in meetings}
    # The same meetings again as a subquery: cheaper than thousands of ids as parameters.
    ids = list(rows) if queryset.query.is_sliced else queryset.order_by().values("pk")

    def attach(relation, pairs):
        for meeting in meetings:
            rows[meeting.pk][relation] = []
        for meeting_id, row in pairs:
            if meeting_id in rows:
                rows[meeting_id][relation].append(row)

    through = Meeting.regulators.through.objects.filter(meeting_id__in=ids)
    attach("regulators", through.values_list("meeting_id", "regulator__acronym"))
    agenda = AgendaItem.objects.filter(meeting_id__in=ids)
    if everything or audience in SHOWS_CONFIDENTIAL:
        values = agenda.values_list(
            "meeting_id", "pk", "sort_order", "title", "confidential", "ask"
        )
    else:
        agenda = agenda.filter(confidential=False)
        values = agenda.values_list("meeting_id", "pk", "sort_order", "title", "confidential")
        values = ((*row, "") for row in values)
    attach("agenda_items", ((row[0], AgendaRow(*row[1:])) for row in values))
    if everything or audience in SHOWS_PEOPLE:
        through = Meeting.delegation.through.objects.filter(meeting_id__in=ids)
        values = through.values_list(
            "meeting_id", "user__first_name", "user__last_name", "user__email"
        )
        # As User.get_full_name() puts it.
        attach("delegation", ((m, Person(f"{fn} {ln}".strip(), e)) for m, fn, ln, e in values))
        through = Meeting.attendees.through.objects.filter(meeting_id__in=ids)
        values = through.values_list("meeting_id", "contact__name", "contact__email")
        attach("attendees", ((m, Person(n, e)) for m, n, e in values))
    for meeting in meetings:
        meeting._calendar_rows = rows[meeting.pk]
    return meetings
