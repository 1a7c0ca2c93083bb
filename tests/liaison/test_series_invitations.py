"""Invitations for one meeting of a rule-based series speak of it as that occurrence of the
series (its UID, RECURRENCE-ID): an update or a cancellation changes that meeting alone in
the recipient's calendar, and each recipient gets one message per change."""

import datetime

from django.core import mail

from liaison.meetings import recurrence
from liaison.meetings.models import Meeting, MeetingSeries
from liaison.meetings.series import schedule
from tests.liaison.invitations import InvitationTestCase, S, by_recipient, event_of

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
