"""VTIMEZONE components from the tz database, and the date-time values that refer to them.

No Django here: ``vtimezone_lines(key, first_year, last_year)`` gives the content lines of a
VTIMEZONE that is right for any time in those years, built as yearly ``RRULE`` blocks (what
Outlook expects, and what ical.js, vobject and icalendar read right, unlike the multi-value
``RDATE`` lists icalendar writes). Results are cached per zone and year range.
"""

import datetime
import functools
import re
import zoneinfo

import icalendar

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


def format_utc(value):
    value = value.astimezone(datetime.UTC)
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}"
        f"T{value.hour:02d}{value.minute:02d}{value.second:02d}Z"
    )


def format_local(value):
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}"
        f"T{value.hour:02d}{value.minute:02d}{value.second:02d}"
    )


def format_offset(delta):
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def is_ambiguous(local):
    """True if the wall-clock time ``local`` (aware, in its zone) happens twice."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


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
def vtimezone_lines(key, first_year, last_year):
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
                rrule += f";UNTIL={format_utc(until + datetime.timedelta(days=1))}"
        blocks.append((first_local, is_dst, offset_from, offset_to, name, rrule))

    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    for local, dst, offset_from, offset_to, name, rrule in sorted(blocks, key=lambda b: b[0]):
        kind = "DAYLIGHT" if dst else "STANDARD"
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{format_local(local)}",
            f"TZOFFSETFROM:{format_offset(offset_from)}",
            f"TZOFFSETTO:{format_offset(offset_to)}",
        ]
        if name:
            lines.append(f"TZNAME:{_tzname(name)}")
        if rrule:
            lines.append(f"RRULE:{rrule}")
        lines.append(f"END:{kind}")
    lines.append("END:VTIMEZONE")
    return tuple(lines)


def vtimezone(key, first_year, last_year):
    """The VTIMEZONE this module writes for zone ``key`` and meetings in those years."""
    text = "\r\n".join(vtimezone_lines(key, first_year, last_year)) + "\r\n"
    return icalendar.Timezone.from_ical(text)


def _tzname(name):
    """A TZNAME value: one line of text, escaped (RFC 5545 3.3.11)."""
    name = " ".join(re.sub("[\x00-\x1f\x7f]", " ", name).split())
    return name.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
