"""Meeting times for the public site's liaison templates. (Advocacy's pages show meetings
through the ``advocacy_page_sections`` hook that liaison/wagtail_hooks.py answers.)"""

import datetime

from django import template
from django.utils import dateformat
from django.utils.html import format_html

register = template.Library()

DAY = "D j F Y"


def _iso_utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _abbreviation(moment):
    """EDT, JST; zones without a usual abbreviation (tzdata writes "+04") as UTC+04."""
    name = moment.tzname()
    return f"UTC{name}" if name[:1] in "+-" else name


def _range(start, end, start_label, end_label):
    """'Tue 9 June 2026, 09:00–11:30 EDT', with the end's date when it falls on another day
    and both abbreviations when the clocks change during the meeting."""
    first = f"{dateformat.format(start, DAY)}, {start:%H:%M}"
    if start_label != end_label:
        first += f" {start_label}"
    if start.date() != end.date():
        return f"{first} – {dateformat.format(end, DAY)}, {end:%H:%M} {end_label}"
    dash = " – " if start_label != end_label else "–"
    return f"{first}{dash}{end:%H:%M} {end_label}"


@register.simple_tag
def meeting_when(meeting):
    """The meeting's time in its own zone, then the same instants in UTC, e.g.
    'Tue 9 June 2026, 09:00–11:30 EDT (America/Toronto) · 13:00–15:30 UTC'; an all-day
    meeting's days, 'Thursday 19 November 2026 (all day)'."""
    if meeting.all_day:
        # Whole days: no clock times, no zone, no UTC.
        return format_html(
            '<time datetime="{}">{}</time>', meeting.first_day.isoformat(), meeting.days_text()
        )
    start, end = meeting.local_start, meeting.local_end
    local = _range(start, end, _abbreviation(start), _abbreviation(end))
    utc_start = meeting.starts_at.astimezone(datetime.UTC)
    utc_end = meeting.ends_at.astimezone(datetime.UTC)
    if (utc_start.date(), utc_end.date()) == (start.date(), end.date()):
        utc = f"{utc_start:%H:%M}–{utc_end:%H:%M} UTC"
    else:
        utc = _range(utc_start, utc_end, "UTC", "UTC")
    return format_html(
        '<time datetime="{}">{}</time> <span class="when__zone">({})</span>'
        ' <span class="when__utc">· {}</span>',
        _iso_utc(meeting.starts_at),
        local,
        meeting.time_zone.replace("_", " "),
        utc,
    )


@register.simple_tag
def meeting_day(meeting):
    """The day the meeting starts, in its own zone: '9 June 2026'."""
    return format_html(
        '<time datetime="{}">{}</time>',
        _iso_utc(meeting.starts_at),
        dateformat.format(meeting.local_start, "j F Y"),
    )
