"""Invitations for one meeting of a rule-based series speak of it as that occurrence of the
series (its UID, RECURRENCE-ID): an update or a cancellation changes that meeting alone in
the recipient's calendar, and each recipient gets one message per change."""

import datetime

import icalendar
import recurring_ical_events
from django.core import mail

from liaison.meetings import recurrence
from liaison.meetings.models import Meeting, MeetingSeries
from liaison.meetings.series import schedule
from tests.factories import make_user
from tests.liaison.invitations import (
    InvitationTestCase,
    S,
    by_recipient,
    calendar_of,
    event_of,
)
from tests.outbox import CommittingClient, sweep

UTC = datetime.UTC


class OccurrenceInvitationTestCase(InvitationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.series = MeetingSeries.objects.create(
            title="Monthly call with CBER",
            time_zone="America/New_York",
            frequency=recurrence.Frequency.MONTHLY_WEEKDAY,
            first_start=datetime.datetime(2027, 1, 12, 15, tzinfo=UTC),
            duration_minutes=60,
            count=6,
            organiser=cls.organiser,
        )
        cls.series.regulators.set([cls.regulator])
        cls.series.delegation.set([cls.dana, cls.eli])
        cls.series.save()
        cls.march = next(m for m in schedule(cls.series) if m.recurrence_id.month == 3)

    def test_an_occurrence_is_invited_as_part_of_its_series(self):
        self.save(self.march, status=S.CONFIRMED)
        self.send(self.march)

        self.assertEqual(set(by_recipient()), {"dana@example.org", "eli@example.org"})
        calendar, event = event_of(by_recipient()["dana@example.org"])
        self.assertEqual(str(calendar["METHOD"]), "REQUEST")
        self.assertEqual(str(event["UID"]), str(self.series.uuid))
        self.assertEqual(event.decoded("RECURRENCE-ID").astimezone(UTC), self.march.recurrence_id)
        self.assertEqual(event["RECURRENCE-ID"].params["TZID"], "America/New_York")

    def test_moving_one_occurrence_sends_one_update_for_it_alone(self):
        self.save(self.march, status=S.CONFIRMED)
        self.send(self.march)
        first_sequence = event_of(by_recipient()["dana@example.org"])[1]["SEQUENCE"]
        mail.outbox.clear()

        moved = self.save(
            self.march,
            starts_at=self.march.starts_at + datetime.timedelta(days=1),
            ends_at=self.march.ends_at + datetime.timedelta(days=1),
        )
        self.send(moved)
        self.send(moved)  # pressed twice: nothing more

        self.assertEqual(len(mail.outbox), 2)
        _calendar, event = event_of(by_recipient()["eli@example.org"])
        self.assertEqual(event.decoded("RECURRENCE-ID").astimezone(UTC), self.march.recurrence_id)
        self.assertEqual(event.decoded("DTSTART").astimezone(UTC), moved.starts_at)
        self.assertGreater(event["SEQUENCE"], first_sequence)

    def test_cancelling_one_occurrence_cancels_it_alone(self):
        self.save(self.march, status=S.CONFIRMED)
        self.send(self.march)
        mail.outbox.clear()

        cancelled = self.save(self.march, status=S.CANCELLED)
        self.send(cancelled)

        self.assertEqual(len(mail.outbox), 2)
        for message in mail.outbox:
            calendar, event = event_of(message)
            self.assertEqual(str(calendar["METHOD"]), "CANCEL")
            self.assertEqual(str(event["UID"]), str(self.series.uuid))
            self.assertEqual(
                event.decoded("RECURRENCE-ID").astimezone(UTC), self.march.recurrence_id
            )
            self.assertEqual(str(event["STATUS"]), "CANCELLED")
        # The other meetings of the series are untouched.
        self.assertEqual(Meeting.objects.filter(series=self.series, status=S.CANCELLED).count(), 1)


class SeriesInvitationTestCase(InvitationTestCase):
    """Liaison ▸ Series ▸ Send invitations: one REQUEST of the whole series per delegate and
    version, with the rule and the meetings that differ from it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.secretariat = make_user("Secretariat")
        cls.series = MeetingSeries.objects.create(
            title="Monthly call with CBER",
            time_zone="America/New_York",
            frequency=recurrence.Frequency.MONTHLY_WEEKDAY,
            first_start=datetime.datetime(2027, 1, 12, 15, tzinfo=UTC),
            duration_minutes=60,
            count=6,
            organiser=cls.organiser,
            description="Follow-up on the annual meeting's asks.",
        )
        cls.series.regulators.set([cls.regulator])
        cls.series.delegation.set([cls.organiser, cls.dana, cls.eli, cls.inactive])
        cls.series.save()
        meetings = schedule(cls.series)
        cls.cancelled = meetings[2]
        cls.cancelled.status = S.CANCELLED
        cls.cancelled.save()

    def setUp(self):
        self.client = CommittingClient()
        self.client.force_login(self.secretariat)
        self.url = f"/admin/series/{self.series.pk}/send/"

    def press_send(self):
        self.series.refresh_from_db()
        return self.client.post(self.url, {"sequence": self.series.sequence})

    def test_each_delegate_gets_one_request_of_the_whole_series(self):
        page = self.client.get(self.url)
        self.assertContains(page, "dana@example.org")
        self.assertContains(page, "Send 2 invitations")

        self.press_send()
        self.press_send()  # pressed twice: nothing more
        sweep()

        self.assertEqual(set(by_recipient()), {"dana@example.org", "eli@example.org"})
        message = by_recipient()["dana@example.org"]
        self.assertIn("Every month on the second Tuesday, 6 times", message.subject + message.body)
        self.assertIn("Follow-up on the annual meeting's asks.", message.body)
        calendar = icalendar.Calendar.from_ical(calendar_of(message))
        self.assertEqual(str(calendar["METHOD"]), "REQUEST")
        events = calendar.walk("VEVENT")
        self.assertEqual({str(e["UID"]) for e in events}, {str(self.series.uuid)})
        master = next(e for e in events if "RRULE" in e)
        self.assertEqual(master.decoded("RRULE")["BYDAY"], ["2TU"])
        self.assertIn("ORGANIZER", master)
        override = next(e for e in events if "RECURRENCE-ID" in e)
        self.assertEqual(
            override.decoded("RECURRENCE-ID").astimezone(UTC), self.cancelled.recurrence_id
        )
        self.assertEqual(str(override["STATUS"]), "CANCELLED")
        found = recurring_ical_events.of(calendar).between((2026, 1, 1), (2028, 1, 1))
        self.assertEqual(
            sorted(e.decoded("DTSTART").astimezone(UTC) for e in found),
            sorted(Meeting.objects.filter(series=self.series).values_list("starts_at", flat=True)),
        )

    def test_a_new_version_of_the_series_goes_out_again(self):
        self.press_send()
        sweep()
        mail.outbox.clear()
        MeetingSeries.objects.filter(pk=self.series.pk).update(sequence=5)

        self.press_send()
        sweep()

        self.assertEqual(len(mail.outbox), 2)

    def test_only_the_secretariat_sends(self):
        self.client.force_login(self.dana)

        response = self.client.post(self.url, {"sequence": self.series.sequence})

        self.assertIn(response.status_code, (403, 404))
        sweep()
        self.assertEqual(mail.outbox, [])
