"""Rules for meetings that recur: the choices the series form offers, the checks it runs, the
RRULE a calendar carries and the dates a rule gives. Pure: no database.

A rule is read in the meeting's own zone (RFC 5545 3.8.5.3): a call at 10:00 in Toronto stays
at 10:00 there across a change of the clocks. A local time the clocks skip is read with the
offset from before the gap (an instance at 02:30 on the morning the clocks go forward happens
at 03:30 daylight time), one they repeat as its first occurrence, as RFC 5545 says and as
Python's ``fold=0`` does.
"""

import dataclasses
import datetime
import zoneinfo

from dateutil import rrule
from django.db import models

MAX_OCCURRENCES = 100
MAX_INTERVAL = 52
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly, on the same weekday"
    MONTHLY_DATE = "monthly_date", "Monthly, on the same date"
    MONTHLY_WEEKDAY = "monthly_weekday", "Monthly, on the same weekday (e.g. second Tuesday)"
    YEARLY = "yearly", "Yearly, on the same date"


UNIT = {
    Frequency.WEEKLY: "week",
    Frequency.MONTHLY_DATE: "month",
    Frequency.MONTHLY_WEEKDAY: "month",
    Frequency.YEARLY: "year",
}
DATEUTIL = {
    Frequency.WEEKLY: rrule.WEEKLY,
    Frequency.MONTHLY_DATE: rrule.MONTHLY,
    Frequency.MONTHLY_WEEKDAY: rrule.MONTHLY,
    Frequency.YEARLY: rrule.YEARLY,
}


@dataclasses.dataclass(frozen=True)
class Rule:
    """How a series repeats from its first meeting's start (local, in ``zone``)."""

    frequency: str
    start: datetime.datetime  # naive: the wall-clock start of the first meeting
    zone: str
    interval: int = 1
    until: datetime.date | None = None  # the last day a meeting may fall on
    count: int | None = None

    @property
    def nth_weekday(self):
        """For monthly-by-weekday: 1 to 4, or -1 when the first meeting is on the fifth
        such weekday of its month (which not every month has: it becomes "the last")."""
        n = (self.start.day - 1) // 7 + 1
        return -1 if n == 5 else n

    def _byday(self):
        return WEEKDAYS[self.start.weekday()]

    def _dateutil(self):
        kwargs = {"dtstart": self.start, "interval": self.interval}
        if self.frequency == Frequency.WEEKLY:
            kwargs["byweekday"] = self.start.weekday()
        elif self.frequency == Frequency.MONTHLY_DATE:
            kwargs["bymonthday"] = self.start.day
        elif self.frequency == Frequency.MONTHLY_WEEKDAY:
            kwargs["byweekday"] = rrule.weekday(self.start.weekday(), self.nth_weekday)
        if self.count:
            kwargs["count"] = self.count
        if self.until:
            kwargs["until"] = datetime.datetime.combine(self.until, datetime.time.max)
        return rrule.rrule(DATEUTIL[self.frequency], **kwargs)

    def local_starts(self, limit=None):
        """The wall-clock starts (naive) the rule gives, at most ``limit`` of them."""
        starts = []
        for start in self._dateutil():
            starts.append(start)
            if limit is not None and len(starts) >= limit:
                break
        return starts

    def starts(self, limit=None):
        """The instants (UTC) the rule gives."""
        zone = zoneinfo.ZoneInfo(self.zone)
        return [
            start.replace(tzinfo=zone).astimezone(datetime.UTC)
            for start in self.local_starts(limit)
        ]

    def rrule(self):
        """The RRULE value, e.g. ``FREQ=MONTHLY;BYDAY=2TU;COUNT=12``: UNTIL in UTC, as RFC
        5545 wants when DTSTART names a zone (the end of the last day, in the zone)."""
        parts = [f"FREQ={DATEUTIL_NAMES[self.frequency]}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.frequency == Frequency.WEEKLY:
            parts.append(f"BYDAY={self._byday()}")
        elif self.frequency == Frequency.MONTHLY_DATE:
            parts.append(f"BYMONTHDAY={self.start.day}")
        elif self.frequency == Frequency.MONTHLY_WEEKDAY:
            parts.append(f"BYDAY={self.nth_weekday}{self._byday()}")
        elif self.frequency == Frequency.YEARLY:
            parts.append(f"BYMONTH={self.start.month};BYMONTHDAY={self.start.day}")
        if self.count:
            parts.append(f"COUNT={self.count}")
        elif self.until:
            last = datetime.datetime.combine(self.until, datetime.time(23, 59, 59))
            last = last.replace(tzinfo=zoneinfo.ZoneInfo(self.zone)).astimezone(datetime.UTC)
            parts.append(f"UNTIL={last:%Y%m%dT%H%M%SZ}")
        return ";".join(parts)

    def describe(self):
        """In words: "Every 2 weeks on Tuesday, 12 times", "Monthly on the second Tuesday,
        until 15 December 2027"."""
        unit = UNIT[self.frequency]
        every = f"Every {unit}" if self.interval == 1 else f"Every {self.interval} {unit}s"
        if self.frequency == Frequency.WEEKLY:
            on = f" on {self.start:%A}"
        elif self.frequency == Frequency.MONTHLY_DATE:
            on = f" on day {self.start.day}"
        elif self.frequency == Frequency.MONTHLY_WEEKDAY:
            on = f" on the {ORDINALS[self.nth_weekday]} {self.start:%A}"
        else:
            on = f" on {self.start:%-d %B}"
        if self.count:
            end = f", {self.count} times"
        elif self.until:
            end = f", until {self.until:%-d %B %Y}"
        else:
            end = ""
        return f"{every}{on}{end}"


DATEUTIL_NAMES = {
    Frequency.WEEKLY: "WEEKLY",
    Frequency.MONTHLY_DATE: "MONTHLY",
    Frequency.MONTHLY_WEEKDAY: "MONTHLY",
    Frequency.YEARLY: "YEARLY",
}


def problems(rule):
    """What is wrong with ``rule``, as {field: message} for the series form (empty if
    nothing): fields ``interval``, ``until``, ``count`` and ``first_start``."""
    errors = {}
    if not 1 <= rule.interval <= MAX_INTERVAL:
        errors["interval"] = f"Repeat every 1 to {MAX_INTERVAL} {UNIT[rule.frequency]}s."
    if rule.until and rule.count is not None:
        errors["count"] = "Give an end date or a number of meetings, not both."
    elif not rule.until and rule.count is None:
        errors["until"] = "Give the series an end date or a number of meetings."
    elif rule.count is not None and not 1 <= rule.count <= MAX_OCCURRENCES:
        errors["count"] = f"A series holds 1 to {MAX_OCCURRENCES} meetings."
    elif rule.until and rule.until < rule.start.date():
        errors["until"] = "The series must end on or after the day of its first meeting."
    day = rule.start.day
    if rule.frequency == Frequency.MONTHLY_DATE and day > 28:
        errors["first_start"] = (
            f"Not every month has a {day}{'st' if day == 31 else 'th'}: a series on that date "
            "would skip those months. Start on a day up to the 28th, or repeat monthly on "
            "the same weekday."
        )
    elif rule.frequency == Frequency.YEARLY and (rule.start.month, day) == (2, 29):
        errors["first_start"] = "29 February comes only in leap years: choose another day."
    if errors:
        return errors
    found = len(rule.local_starts(limit=MAX_OCCURRENCES + 1))
    if found > MAX_OCCURRENCES:
        errors["until"] = (
            f"This rule gives more than {MAX_OCCURRENCES} meetings before the end date: "
            "choose an earlier end, a longer interval or a number of meetings."
        )
    return errors
