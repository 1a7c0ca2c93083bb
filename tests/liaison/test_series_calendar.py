"""A rule-based series in a calendar is one event with an RRULE in the meeting's zone, an
EXDATE for each start the rule gives that has no meeting, and an override (RECURRENCE-ID)
for each meeting that differs from the rule. Read back as clients read it, with
recurring-ical-events (icalendar), vobject and ical.js, the series expands to exactly the
meetings stored: across a change of the clocks, a cancelled meeting, a moved one and a
deleted one."""

import datetime
import zoneinfo

import icalendar
import recurring_ical_events
from django.test import TestCase

from liaison.calendars import ics
from liaison.meetings import recurrence
from liaison.meetings.models import AgendaItem, Meeting, MeetingSeries, SeriesAgendaItem
from liaison.meetings.series import schedule
from liaison.visibility import Audience
from tests.factories import make_user
from tests.js import icaljs
from tests.liaison.calendar_readers import read_vobject
from tests.liaison.factories import make_regulator

UTC = datetime.UTC
TORONTO = zoneinfo.ZoneInfo("America/Toronto")


def at(*args):
    return datetime.datetime(*args, tzinfo=TORONTO).astimezone(UTC)


class SeriesCalendarTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.organiser = make_user("Secretariat", first_name="Olu", last_name="Ade")
        # The second Tuesday of each month at 10:00 Toronto time, 12 times from January 2026:
        # the clocks go forward in March and back in November.
        cls.series = MeetingSeries.objects.create(
            title="Monthly call with BRDD",
            time_zone="America/Toronto",
            visibility=Meeting.Visibility.PUBLIC,
            kind=Meeting.Kind.WORKING_CALL,
            description="Where we follow up on the asks of the annual meeting.",
            organiser=cls.organiser,
            frequency=recurrence.Frequency.MONTHLY_WEEKDAY,
            first_start=at(2026, 1, 13, 10),
            duration_minutes=45,
            count=12,
        )
        cls.series.regulators.set([cls.regulator])
        SeriesAgendaItem.objects.create(series=cls.series, title="Open actions", sort_order=0)
        cls.made = schedule(cls.series)

    def meeting(self, month):
        return next(m for m in self.made if m.recurrence_id.astimezone(TORONTO).month == month)

    def calendar(self, audience=Audience.PUBLIC):
        return ics.feed_bytes(Meeting.objects.all(), audience)

    def expected(self):
        """(start, end, cancelled?) of every stored meeting, in order."""
        return sorted(
            (m.starts_at, m.ends_at, m.status == Meeting.Status.CANCELLED)
            for m in Meeting.objects.all()
        )

    def change_some(self):
        cancelled = self.meeting(3)
        cancelled.status = Meeting.Status.CANCELLED
        cancelled.save()
        moved = self.meeting(5)
        moved.starts_at, moved.ends_at = at(2026, 5, 14, 15), at(2026, 5, 14, 16)
        moved.save()
        self.meeting(7).delete()

    def test_the_rule_makes_each_meeting_with_the_series_template(self):
        self.assertEqual(len(self.made), 12)
        march, april = self.meeting(3), self.meeting(4)
        self.assertEqual(march.starts_at, at(2026, 3, 10, 10))
        self.assertEqual(march.starts_at.astimezone(UTC).hour, 14)  # EDT
        self.assertEqual(self.meeting(1).starts_at.astimezone(UTC).hour, 15)  # EST
        self.assertEqual(april.starts_at, at(2026, 4, 14, 10))
        self.assertEqual(april.ends_at - april.starts_at, datetime.timedelta(minutes=45))
        self.assertEqual([a.title for a in april.agenda_items.all()], ["Open actions"])
        april = Meeting.objects.get(pk=april.pk)
        self.assertEqual(list(april.regulators.all()), [self.regulator])
        self.assertEqual(april.visibility, Meeting.Visibility.PUBLIC)
        self.assertEqual(schedule(self.series), [])  # nothing twice

    def test_one_event_with_the_rule_and_no_override_when_nothing_differs(self):
        events = icalendar.Calendar.from_ical(self.calendar()).walk("VEVENT")

        self.assertEqual(len(events), 1)
        master = events[0]
        self.assertEqual(str(master["UID"]), str(self.series.uuid))
        self.assertEqual(master["DTSTART"].params["TZID"], "America/Toronto")
        self.assertEqual(master.decoded("RRULE")["FREQ"], ["MONTHLY"])
        self.assertEqual(master.decoded("RRULE")["BYDAY"], ["2TU"])
        self.assertIn("Where we follow up", str(master["DESCRIPTION"]))

    def test_recurring_ical_events_expands_to_exactly_the_stored_meetings(self):
        self.change_some()

        calendar = icalendar.Calendar.from_ical(self.calendar())
        found = recurring_ical_events.of(calendar).between((2025, 1, 1), (2028, 1, 1))

        self.assertEqual(
            sorted(
                (
                    e.decoded("DTSTART").astimezone(UTC),
                    e.decoded("DTEND").astimezone(UTC),
                    str(e.get("STATUS")) == "CANCELLED",
                )
                for e in found
            ),
            self.expected(),
        )
        self.assertEqual(len(found), 11)

    def test_icaljs_expands_to_exactly_the_stored_meetings(self):
        self.change_some()

        parsed = icaljs.parse(self.calendar())

        iso = "%Y-%m-%dT%H:%M:%S.000Z"
        self.assertEqual(
            sorted(
                (o["start"], o["end"], o["status"] == "CANCELLED") for o in parsed["occurrences"]
            ),
            [(s.strftime(iso), e.strftime(iso), cancelled) for s, e, cancelled in self.expected()],
        )
        moved = [o for o in parsed["occurrences"] if o["start"] != o["recurrence_id"]]
        self.assertEqual(len(moved), 1)
        self.assertEqual(moved[0]["recurrence_id"], at(2026, 5, 12, 10).strftime(iso))

    def test_vobject_reads_the_rule_the_exception_and_the_overrides(self):
        self.change_some()

        events = read_vobject(self.calendar()).vevent_list
        master = next(e for e in events if not hasattr(e, "recurrence_id"))
        overrides = [e for e in events if hasattr(e, "recurrence_id")]

        rule_starts = {d.astimezone(UTC) for d in master.getrruleset(addRDate=True)}
        stored = {m.recurrence_id for m in Meeting.objects.all()}
        self.assertEqual(rule_starts, stored)
        self.assertEqual(
            {e.recurrence_id.value.astimezone(UTC) for e in overrides},
            {at(2026, 3, 10, 10), at(2026, 5, 12, 10)},
        )

    def test_a_feed_window_still_carries_the_whole_series(self):
        self.change_some()
        recent = Meeting.objects.filter(starts_at__gte=at(2026, 10, 1))

        data = ics.feed_bytes(recent, Audience.PUBLIC)

        found = recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(
            (2025, 1, 1), (2028, 1, 1)
        )
        self.assertEqual(len(found), 11)

    def test_an_agenda_of_its_own_makes_an_override(self):
        april = self.meeting(4)
        AgendaItem.objects.create(meeting=april, title="Comparability protocol", sort_order=1)

        events = icalendar.Calendar.from_ical(self.calendar()).walk("VEVENT")

        override = next(e for e in events if "RECURRENCE-ID" in e)
        self.assertEqual(override.decoded("RECURRENCE-ID").astimezone(UTC), april.recurrence_id)
        self.assertIn("Comparability protocol", str(override["DESCRIPTION"]))

    def test_without_series_each_meeting_is_an_event_of_its_own(self):
        meetings = ics.fetch(Meeting.objects.all(), Audience.PUBLIC)
        events = icalendar.Calendar.from_ical(ics.calendar_bytes(meetings, Audience.PUBLIC)).walk(
            "VEVENT"
        )

        self.assertEqual(len(events), 12)
        self.assertFalse(any("RRULE" in e for e in events))

    def test_a_confidential_series_is_never_written_as_a_rule(self):
        Meeting.objects.update(visibility=Meeting.Visibility.CONFIDENTIAL)
        MeetingSeries.objects.update(visibility=Meeting.Visibility.CONFIDENTIAL)

        data = self.calendar(Audience.DELEGATION)

        events = icalendar.Calendar.from_ical(data).walk("VEVENT")
        self.assertEqual(len(events), 12)
        self.assertFalse(any("RRULE" in e for e in events))
