"""The iCalendar (RFC 5545) writer: plain event data in, the bytes of a VCALENDAR out.

No Django, no database: ``calendar_bytes(events, ...)`` takes ``Event`` objects that say
exactly what the file shows (liaison.calendars.ics decides that for each audience) and
writes them directly rather than through ``icalendar``'s serialiser, which is several times
slower for a feed of thousands of events. Unchanged data gives byte-identical files, so
feeds can send a strong ETag.

Each event has its ``UID`` (the meeting's UUID), ``SEQUENCE``, ``DTSTAMP``/``LAST-MODIFIED``
(the meeting's last change), ``DTSTART``/``DTEND`` in the meeting's own zone with one
VTIMEZONE per zone in the file (liaison.calendars.vtimezone), or in UTC when a local time
happens twice (clients disagree about which of the two it means), or as dates
(``VALUE=DATE``, the end exclusive) for an all-day meeting, and a ``STATUS``:
planned and postponed give TENTATIVE, confirmed and held CONFIRMED, cancelled CANCELLED.
Postponed and cancelled meetings say so at the start of the summary (Outlook shows cancelled
feed events as if they were on) and are ``TRANSP:TRANSPARENT``.

Text is cleaned before it is written: control characters that RFC 5545 TEXT and XML forbid
are dropped (tab and newline are kept in descriptions), titles and places become one line,
and ``"``, ``^`` and ``\\`` are dropped from display names, where parsers disagree on them.
Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 sequence.
"""

import dataclasses
import datetime
import re
import urllib.parse
import zoneinfo
from collections.abc import Iterable

from liaison.calendars.vtimezone import (
    UTC_KEYS,
    format_local,
    format_utc,
    is_ambiguous,
    vtimezone_lines,
)

PRODID = "-//Liaise//Regulator liaison meetings//EN"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")

STATUS = {
    "planned": "TENTATIVE",
    "confirmed": "CONFIRMED",
    "held": "CONFIRMED",
    "postponed": "TENTATIVE",
    "cancelled": "CANCELLED",
}
SUMMARY_PREFIX = {"postponed": "Postponed: ", "cancelled": "Cancelled: "}
STATUS_NOTE = {
    "postponed": "Postponed: a new date will follow.",
    "cancelled": "This meeting is cancelled.",
}
CLASS = {"public": "PUBLIC", "members": "PRIVATE", "confidential": "CONFIDENTIAL"}
UNTITLED = "Meeting"


@dataclasses.dataclass(frozen=True, slots=True)
class Person:
    """Someone to list as ATTENDEE (or ORGANIZER): a display name and an e-mail address."""

    name: str
    email: str


@dataclasses.dataclass(frozen=True, slots=True)
class AgendaLine:
    """One agenda item as the reader sees it (the ask only for those who see asks)."""

    title: str
    confidential: bool = False
    ask: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """One meeting, holding only what the file's reader may see."""

    uid: str
    sequence: int
    stamp: datetime.datetime  # the last change: DTSTAMP and LAST-MODIFIED
    created: datetime.datetime | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    time_zone: str
    title: str
    status: str  # planned, confirmed, held, postponed or cancelled
    visibility: str  # public, members or confidential: the CLASS
    location: str = ""
    join_url: str = ""
    url: str | None = None
    all_day: bool = False  # held on whole days of its zone: DATE values, no times
    regulators: tuple[str, ...] = ()
    description: str = ""  # what the meeting is for, public
    summary: str = ""  # the public summary, once the meeting is held
    objectives: str = ""
    agenda: tuple[AgendaLine, ...] = ()  # or anything with title, confidential and ask
    organiser: Person | None = None
    attendees: tuple[Person, ...] = ()
    # A series written as one event: its RRULE value, the rule's starts that have no meeting
    # (EXDATE) and its last start (the VTIMEZONE must reach it).
    rrule: str = ""
    exdates: tuple[datetime.datetime, ...] = ()
    last_start: datetime.datetime | None = None
    # One meeting of such a series that differs from the rule: the start the rule gave it.
    recurrence_id: datetime.datetime | None = None


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
    """A parameter value (a ``display_name``), in quotes if it holds ``:``, ``;`` or ``,``,
    or ``=``, around which icalendar drops spaces in an unquoted value ("0 =" reads "0=")."""
    value = display_name(value)
    if any(c in value for c in ":;,="):
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


# --- values ---


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


def _person(name, email):
    email = _uri(email)
    if "@" not in email:
        return None
    return Person(display_name(name), email)


def _address(prop, person, extra=()):
    params = "".join(f";{p}" for p in extra)
    if person.name:
        params = f";CN={_param(person.name)}" + params
    return f"{prop}{params}:mailto:{person.email}"


# --- events --------------------------------------------------------------------------------


def _description(event, status_note):
    parts = []
    regulators = sorted(clean_line(acronym) for acronym in event.regulators)
    if regulators:
        parts.append("With: " + ", ".join(regulators))
    if status_note:
        parts.append(status_note)
    description = clean_text(event.description).strip("\n")
    if description:
        parts.append(description)
    summary = clean_text(event.summary).strip("\n")
    if summary:
        parts.append(summary)
    objectives = clean_text(event.objectives).strip("\n")
    if objectives:
        parts.append("Objectives:\n" + objectives)
    agenda = []
    for item in event.agenda:
        title = clean_line(item.title)
        agenda.append(f"- {'[Confidential] ' if item.confidential else ''}{title}")
        ask = clean_line(item.ask)
        if ask:
            agenda.append(f"  Ask: {ask}")
    if agenda:
        parts.append("Agenda:\n" + "\n".join(agenda))
    if event.join_url:
        parts.append(f"Join online: {_uri(event.join_url)}")
    if event.url:
        parts.append(f"Details: {_uri(event.url)}")
    return "\n\n".join(parts)


def _zoned(prop, moment, key):
    """``prop`` (RECURRENCE-ID, EXDATE) at ``moment``, in the zone the series is written in."""
    if key in UTC_KEYS:
        return f"{prop}:{format_utc(moment)}"
    return f"{prop};TZID={key}:{format_local(moment.astimezone(zoneinfo.ZoneInfo(key)))}"


def event_lines(event, method=None):
    """The VEVENT's content lines, unfolded, and (zone, first year, last year) of the zone its
    TZIDs name (None if UTC)."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{int(event.sequence or 0)}",
        f"DTSTAMP:{format_utc(event.stamp)}",
    ]
    if event.created:
        lines.append(f"CREATED:{format_utc(event.created)}")
    lines.append(f"LAST-MODIFIED:{format_utc(event.stamp)}")

    key = event.time_zone
    zone = None if key in UTC_KEYS else zoneinfo.ZoneInfo(key)
    if event.all_day:
        # Dates, with an exclusive end (RFC 5545 3.6.1): the days are the same in every
        # reader's zone and need no VTIMEZONE.
        local = zone or datetime.UTC
        first = event.starts_at.astimezone(local).date()
        after = event.ends_at.astimezone(local).date()
        lines += [f"DTSTART;VALUE=DATE:{first:%Y%m%d}", f"DTEND;VALUE=DATE:{after:%Y%m%d}"]
        zone = key = None
    elif zone is not None:
        start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        # A rule is read in its zone (RFC 5545 3.8.5.3): a series' times stay local.
        if (is_ambiguous(start) or is_ambiguous(end)) and not event.rrule:
            zone = None
    if event.all_day:
        pass
    elif zone is None:
        key = None
        lines += [f"DTSTART:{format_utc(event.starts_at)}", f"DTEND:{format_utc(event.ends_at)}"]
    else:
        lines += [
            f"DTSTART;TZID={key}:{format_local(start)}",
            f"DTEND;TZID={key}:{format_local(end)}",
        ]

    if event.recurrence_id is not None:
        lines.append(_zoned("RECURRENCE-ID", event.recurrence_id, event.time_zone))
    if event.rrule:
        lines.append(f"RRULE:{event.rrule}")
        # One EXDATE a line: ical.js and vobject read only the first of a list.
        lines += [_zoned("EXDATE", moment, event.time_zone) for moment in event.exdates]
        if event.last_start is not None and key:
            end = max(end, event.last_start.astimezone(zone))

    status = event.status
    title = clean_line(event.title) or UNTITLED
    lines.append(f"SUMMARY:{_text(SUMMARY_PREFIX.get(status, '') + title)}")
    lines.append(f"STATUS:{'CANCELLED' if method == 'CANCEL' else STATUS[status]}")
    lines.append(f"CLASS:{CLASS[event.visibility]}")
    lines.append(f"TRANSP:{'TRANSPARENT' if status in SUMMARY_PREFIX else 'OPAQUE'}")
    join_url = _uri(event.join_url)
    location = clean_line(event.location) or join_url
    if location:
        lines.append(f"LOCATION:{_text(location)}")
    if event.url:
        lines.append(f"URL:{_uri(event.url)}")
    description = _description(event, STATUS_NOTE.get(status))
    if description:
        lines.append(f"DESCRIPTION:{_text(description)}")
    if join_url:
        lines.append(f"CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Join online:{join_url}")

    organiser = event.organiser and _person(event.organiser.name, event.organiser.email)
    if organiser:
        lines.append(_address("ORGANIZER", organiser))
    if method == "REQUEST":
        extra = ("ROLE=REQ-PARTICIPANT", "PARTSTAT=NEEDS-ACTION", "RSVP=TRUE")
    else:
        extra = ("ROLE=REQ-PARTICIPANT",)
    for person in event.attendees:
        person = _person(person.name, person.email)
        if person:
            lines.append(_address("ATTENDEE", person, extra))
    lines.append("END:VEVENT")
    return lines, key and (key, start.year, end.year)


def check_method(method):
    if method is not None and method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)} or None, not {method!r}")


def calendar_bytes(
    events: Iterable[Event],
    *,
    name: str | None = None,
    method: str | None = None,
    refresh: datetime.timedelta | None = None,
    empty_zone: str = "Etc/UTC",
    empty_year: int = 2026,
) -> bytes:
    """A whole VCALENDAR file (UTF-8 bytes) with one VEVENT per event, in order of start,
    then UID.

    :param name: the calendar's name (NAME and X-WR-CALNAME), for feeds.
    :param method: None for feeds and downloads (no METHOD: the safest for subscriptions),
        "PUBLISH", or "REQUEST"/"CANCEL" for e-mailed invites.
    :param refresh: how often subscribers should poll: REFRESH-INTERVAL;VALUE=DURATION and
        X-PUBLISHED-TTL. Not allowed with REQUEST or CANCEL.
    :param empty_zone, empty_year: the VTIMEZONE an empty calendar carries (the grammar
        needs at least one component).
    """
    check_method(method)
    if refresh is not None and method in ("REQUEST", "CANCEL"):
        raise ValueError("A refresh interval belongs to feeds, not to invites.")
    events = sorted(events, key=lambda e: (e.starts_at, str(e.uid)))

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        name = _text(clean_line(name))
        lines += [f"NAME:{name}", f"X-WR-CALNAME:{name}"]
    if refresh is not None:
        duration = _duration(refresh)
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{duration}", f"X-PUBLISHED-TTL:{duration}"]

    body = []
    years = {}  # zone key -> (first year, last year) of the events written in that zone
    for event in events:
        event_body, zone = event_lines(event, method)
        body += event_body
        if zone:
            key, first, last = zone
            if key in years:
                first, last = min(first, years[key][0]), max(last, years[key][1])
            years[key] = (first, last)
    if not events:
        key = "Etc/UTC" if empty_zone in UTC_KEYS else empty_zone
        years[key] = (empty_year, empty_year)
    for key in sorted(years):
        lines += vtimezone_lines(key, *years[key])
    lines += body
    lines.append("END:VCALENDAR")
    return b"\r\n".join([_fold(line) for line in lines]) + b"\r\n"
