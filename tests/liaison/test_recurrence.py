"""Series rules (liaison.meetings.recurrence): the dates they give in the meeting's zone, the
RRULE calendars carry, and the form's checks, each with a message a person can act on."""

import datetime
import zoneinfo

from dateutil import rrule as dateutil_rrule
from django.test import SimpleTestCase

from liaison.meetings.recurrence import MAX_OCCURRENCES, Frequency, Rule, problems

UTC = datetime.UTC
DT = datetime.datetime
D = datetime.date


def rule(frequency=Frequency.WEEKLY, start=None, **kw):
    start = start or DT(2026, 1, 13, 10)
    kw.setdefault("count", None if "until" in kw else 5)
    return Rule(frequency=frequency, start=start, zone="America/Toronto", **kw)


class RuleTestCase(SimpleTestCase):
    def test_weekly_every_two_weeks_stays_at_ten_local_across_the_clock_change(self):
        r = rule(interval=2, until=D(2026, 4, 1))

        starts = r.starts()

        toronto = zoneinfo.ZoneInfo("America/Toronto")
        self.assertEqual({s.astimezone(toronto).hour for s in starts}, {10})
        self.assertEqual({s.hour for s in starts}, {14, 15})  # EDT and EST in UTC
        self.assertEqual(r.rrule(), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20260402T035959Z")

    def test_monthly_by_nth_weekday(self):
        r = rule(Frequency.MONTHLY_WEEKDAY, count=3)

        self.assertEqual(r.rrule(), "FREQ=MONTHLY;BYDAY=2TU;COUNT=3")
        self.assertEqual(
            [s.date() for s in r.local_starts()], [D(2026, 1, 13), D(2026, 2, 10), D(2026, 3, 10)]
        )
        self.assertEqual(r.describe(), "Every month on the second Tuesday, 3 times")

    def test_a_fifth_weekday_becomes_the_last(self):
        r = rule(Frequency.MONTHLY_WEEKDAY, start=DT(2026, 3, 31, 9), count=3)

        self.assertEqual(r.rrule(), "FREQ=MONTHLY;BYDAY=-1TU;COUNT=3")
        self.assertEqual(
            [s.date() for s in r.local_starts()], [D(2026, 3, 31), D(2026, 4, 28), D(2026, 5, 26)]
        )

    def test_yearly_and_monthly_by_date(self):
        self.assertEqual(
            rule(Frequency.YEARLY, count=2).rrule(), "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=13;COUNT=2"
        )
        self.assertEqual(
            rule(Frequency.MONTHLY_DATE, count=2).rrule(), "FREQ=MONTHLY;BYMONTHDAY=13;COUNT=2"
        )

    def test_the_rrule_gives_the_same_dates_when_read_back(self):
        toronto = zoneinfo.ZoneInfo("America/Toronto")
        for r in (
            rule(interval=3, until=D(2026, 12, 31)),
            rule(Frequency.MONTHLY_WEEKDAY, count=12),
            rule(Frequency.MONTHLY_DATE, until=D(2027, 6, 1)),
            rule(Frequency.YEARLY, count=4),
        ):
            with self.subTest(r=r.rrule()):
                read = dateutil_rrule.rrulestr(r.rrule(), dtstart=r.start.replace(tzinfo=toronto))
                self.assertEqual([s.replace(tzinfo=None) for s in read], r.local_starts())

    def test_a_start_the_clocks_skip_is_read_with_the_offset_before_the_gap(self):
        # Toronto skips 02:00-03:00 on 8 March 2026: 02:30 is 07:30Z, i.e. 03:30 EDT.
        r = rule(start=DT(2026, 3, 1, 2, 30), count=2)

        self.assertEqual(r.starts()[1], DT(2026, 3, 8, 7, 30, tzinfo=UTC))


class ProblemsTestCase(SimpleTestCase):
    def test_a_good_rule_has_none(self):
        self.assertEqual(problems(rule(count=12)), {})

    def test_each_mistake_has_a_message(self):
        cases = [
            (rule(interval=0), "interval", "Repeat every 1 to"),
            (rule(count=None), "until", "end date or a number of meetings"),
            (rule(count=3, until=D(2026, 3, 1)), "count", "not both"),
            (rule(count=0), "count", f"1 to {MAX_OCCURRENCES} meetings"),
            (rule(count=101), "count", f"1 to {MAX_OCCURRENCES} meetings"),
            (rule(until=D(2025, 12, 1)), "until", "on or after the day of its first meeting"),
            (rule(interval=1, until=D(2028, 12, 31)), "until", "more than 100 meetings"),
            (
                rule(Frequency.MONTHLY_DATE, start=DT(2026, 1, 31, 10)),
                "first_start",
                "Not every month has a 31st",
            ),
            (
                rule(Frequency.YEARLY, start=DT(2028, 2, 29, 10)),
                "first_start",
                "29 February comes only in leap years",
            ),
        ]
        for r, field, message in cases:
            with self.subTest(field=field, message=message):
                found = problems(r)
                self.assertIn(field, found)
                self.assertIn(message, found[field])
