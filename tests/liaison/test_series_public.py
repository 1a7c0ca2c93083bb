"""A public series has a page (/series/<uuid>/) and a feed (/calendar/series/<uuid>.ics)
carrying every one of its meetings; feeds write a rule-based series as one event; anything
not public answers 404."""

import datetime
import uuid
import zoneinfo

import icalendar
import recurring_ical_events
from django.test import TestCase, override_settings

from liaison.meetings import recurrence
from liaison.meetings.models import AgendaItem, Meeting, MeetingSeries
from liaison.meetings.series import schedule
from tests.liaison.factories import make_meeting, make_regulator

UTC = datetime.UTC
TORONTO = zoneinfo.ZoneInfo("America/Toronto")


def at(*args):
    return datetime.datetime(*args, tzinfo=TORONTO).astimezone(UTC)


def parse(response):
    return icalendar.Calendar.from_ical(b"".join(response))


@override_settings(PAGE_CACHE_SECONDS=0)
class PublicSeriesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        # Day 1 of the month four months ago, at 10:00 in Toronto: some meetings are past,
        # one over 90 days ago (outside the public feed's window), some to come.
        today = datetime.date.today()
        month = (today.year * 12 + today.month - 1) - 4
        first = datetime.datetime(month // 12, month % 12 + 1, 1, 10, tzinfo=TORONTO)
        cls.calls = MeetingSeries.objects.create(
            title="Monthly call with BRDD",
            time_zone="America/Toronto",
            visibility=Meeting.Visibility.PUBLIC,
            description="Follow-up on the asks of the annual meeting.",
            frequency=recurrence.Frequency.MONTHLY_DATE,
            first_start=first.astimezone(UTC),
            duration_minutes=60,
            count=10,
        )
        cls.calls.regulators.set([cls.regulator])
        cls.calls.save()
        cls.made = schedule(cls.calls)
        cls.secret = MeetingSeries.objects.create(
            title="Members' briefings", time_zone="America/Toronto", visibility="members"
        )

    def test_the_page_shows_the_schedule_and_the_meetings(self):
        response = self.client.get(f"/series/{self.calls.uuid}/")

        self.assertContains(response, "Monthly call with BRDD")
        self.assertContains(response, "Follow-up on the asks")
        self.assertContains(response, "Every month on day 1, 10 times, at 10:00 America/Toronto")
        self.assertContains(response, f"/calendar/series/{self.calls.uuid}.ics")
        for meeting in self.made:
            self.assertContains(response, f"/meetings/{meeting.uuid}/")

    def test_a_series_not_public_and_an_unknown_one_are_404(self):
        for path in (
            f"/series/{self.secret.uuid}/",
            f"/calendar/series/{self.secret.uuid}.ics",
            f"/series/{uuid.uuid4()}/",
            f"/calendar/series/{uuid.uuid4()}.ics",
        ):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_the_series_feed_is_one_event_that_expands_to_every_meeting(self):
        old = self.made[0]  # over 90 days ago: outside the public feed's window
        old.status = Meeting.Status.CANCELLED
        old.save()

        calendar = parse(self.client.get(f"/calendar/series/{self.calls.uuid}.ics"))

        self.assertEqual(len([e for e in calendar.walk("VEVENT") if "RRULE" in e]), 1)
        found = recurring_ical_events.of(calendar).between((2000, 1, 1), (2100, 1, 1))
        self.assertEqual(
            sorted((e.decoded("DTSTART").astimezone(UTC), str(e["STATUS"])) for e in found),
            sorted(
                (m.starts_at, "CANCELLED" if m.status == "cancelled" else "CONFIRMED")
                for m in Meeting.objects.all()
            ),
        )

    def test_the_public_feed_writes_the_series_once_beside_single_meetings(self):
        single = make_meeting(
            self.regulator, title="Workshop", visibility="public", starts_at=at(2031, 5, 5, 9)
        )

        calendar = parse(self.client.get("/calendar/public.ics"))

        uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
        self.assertEqual(sorted(uids), sorted([str(self.calls.uuid), str(single.uuid)]))

    def test_a_change_to_one_meeting_changes_the_feeds_etag(self):
        first = self.client.get(f"/calendar/series/{self.calls.uuid}.ics")
        old = self.made[0]
        AgendaItem.objects.create(meeting=old, title="Comparability", sort_order=1)
        old.save()

        again = self.client.get(
            f"/calendar/series/{self.calls.uuid}.ics", HTTP_IF_NONE_MATCH=first["ETag"]
        )

        self.assertEqual(again.status_code, 200)
        self.assertNotEqual(again["ETag"], first["ETag"])
        # The series' events are cached under its last change: the new agenda shows at once.
        self.assertNotIn(b"Comparability", b"".join(first))
        overrides = [e for e in parse(again).walk("VEVENT") if "RECURRENCE-ID" in e]
        self.assertEqual(len(overrides), 1)
        self.assertIn("Comparability", str(overrides[0]["DESCRIPTION"]))
