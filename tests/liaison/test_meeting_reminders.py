"""The e-mail to the delegation a week before a confirmed meeting, and again if it moves."""

import datetime
from unittest import mock

import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from cms import outbox
from cms.models import OutgoingMail
from liaison.models import ActionItem, AgendaItem, Meeting
from liaison.tasks import send_meeting_reminders
from tests.factories import make_society, make_user
from tests.liaison.factories import make_meeting, make_regulator
from tests.liaison.reminders import DAY, DELEGATES, FAIL_TO_SEND, by_recipient, run, sweep

UTC = datetime.UTC
A = ActionItem.Status
M = Meeting.Status
NOW = datetime.datetime(2026, 6, 4, 7, tzinfo=UTC)
STARTS = datetime.datetime(2026, 6, 10, 13, tzinfo=UTC)  # 09:00 in Toronto


class MeetingRemindersTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_society()
        cls.regulator = make_regulator()
        cls.priya = make_user(DELEGATES, email="priya@example.org", first_name="Priya")
        cls.dev = make_user(DELEGATES, email="dev@example.org", first_name="Dev")
        cls.no_email = make_user(DELEGATES, email="")
        cls.inactive = make_user(DELEGATES, email="gone@example.org", is_active=False)
        cls.bystander = make_user(DELEGATES, email="bystander@example.org")
        cls.meeting = make_meeting(
            cls.regulator,
            delegation=[cls.priya, cls.dev, cls.no_email, cls.inactive],
            starts_at=STARTS,
            location="Ottawa, Holland Cross",
            join_url="https://meet.example.org/abc",
            status=M.CONFIRMED,
        )
        AgendaItem.objects.create(
            meeting=cls.meeting, title="Potency assays", duration_minutes=30, sort_order=0
        )
        AgendaItem.objects.create(
            meeting=cls.meeting,
            title="Comparability strategy",
            duration_minutes=20,
            confidential=True,
            sort_order=1,
        )

    def test_each_delegate_with_an_address_is_reminded_once(self):
        sent = run(send_meeting_reminders, now=NOW)

        self.assertEqual(sent, 2)
        self.assertEqual(set(by_recipient()), {"priya@example.org", "dev@example.org"})
        message = by_recipient()["priya@example.org"]
        self.assertEqual(
            message.subject,
            "[SCGTP] Reminder: Annual Cell Therapy Liaison Meeting, Wednesday 10 June",
        )
        body = message.body
        self.assertIn("Hello Priya,", body)
        self.assertIn("which is in 6 days", body)
        self.assertIn("With:   Health Canada BRDD", body)
        self.assertIn(
            "When:   Wednesday 10 June 2026, 09:00 to 11:00 EDT (America/Toronto time)", body
        )
        self.assertIn("That is Wednesday 10 June 2026, 13:00 to 15:00 UTC", body)
        self.assertIn("Where:  Ottawa, Holland Cross", body)
        self.assertIn("Join online: https://meet.example.org/abc", body)
        self.assertIn("1. Potency assays (30 minutes)", body)
        self.assertIn("2. Comparability strategy (20 minutes, confidential)", body)
        self.assertIn(
            f"http://testserver/admin/snippets/liaison/meeting/edit/{self.meeting.pk}/", body
        )
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.reminded_for, STARTS)

    def test_a_second_run_sends_nothing(self):
        run(send_meeting_reminders, now=NOW)
        mail.outbox.clear()

        self.assertEqual(run(send_meeting_reminders, now=NOW + DAY), 0)
        self.assertEqual(mail.outbox, [])

    def test_a_moved_meeting_is_reminded_of_again(self):
        run(send_meeting_reminders, now=NOW)
        mail.outbox.clear()
        self.meeting.refresh_from_db()  # as the admin's edit view loads it
        self.meeting.starts_at = STARTS + datetime.timedelta(days=1, hours=2)
        self.meeting.ends_at = self.meeting.starts_at + datetime.timedelta(hours=2)
        self.meeting.save()

        self.assertEqual(run(send_meeting_reminders, now=NOW + DAY), 2)
        message = by_recipient()["dev@example.org"]
        self.assertEqual(
            message.subject,
            "[SCGTP] Meeting moved: Annual Cell Therapy Liaison Meeting, Thursday 11 June",
        )
        self.assertIn("which gave Wednesday 10 June 2026, 09:00 EDT", message.body)
        self.assertIn("Thursday 11 June 2026, 11:00 to 13:00 EDT", message.body)
        self.assertIn("That is Thursday 11 June 2026, 15:00 to 17:00 UTC", message.body)

    def test_a_meeting_when_the_clocks_go_back_shows_which_hour_is_meant(self):
        # 01:30 happens twice in Toronto on 1 November 2026; this is the first, in EDT.
        Meeting.objects.filter(pk=self.meeting.pk).update(
            starts_at=datetime.datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            ends_at=datetime.datetime(2026, 11, 1, 8, tzinfo=UTC),
        )

        run(send_meeting_reminders, now=datetime.datetime(2026, 10, 28, 7, tzinfo=UTC))

        body = by_recipient()["priya@example.org"].body
        self.assertIn("When:   Sunday 1 November 2026, 01:30 EDT to 03:00 EST", body)
        self.assertIn("That is Sunday 1 November 2026, 05:30 to 08:00 UTC", body)

    def test_meetings_not_coming_up_this_week_are_left_alone(self):
        Meeting.objects.all().delete()
        for status in [M.CANCELLED, M.POSTPONED, M.HELD]:
            make_meeting(self.regulator, delegation=[self.priya], starts_at=STARTS, status=status)
        make_meeting(self.regulator, delegation=[self.priya], starts_at=NOW - DAY)
        make_meeting(self.regulator, delegation=[self.priya], starts_at=NOW)
        make_meeting(
            self.regulator, delegation=[self.priya], starts_at=NOW + datetime.timedelta(days=8)
        )

        self.assertEqual(run(send_meeting_reminders, now=NOW), 0)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(Meeting.objects.filter(reminded_for__isnull=False).exists())

    def test_a_meeting_exactly_a_week_away_is_reminded_of(self):
        Meeting.objects.filter(pk=self.meeting.pk).update(
            starts_at=NOW + datetime.timedelta(days=7),
            ends_at=NOW + datetime.timedelta(days=7, hours=1),
        )

        self.assertEqual(run(send_meeting_reminders, now=NOW), 2)

    def test_a_meeting_without_reachable_delegates_stays_unclaimed(self):
        self.meeting.delegation.set([self.no_email])
        self.meeting.save()

        self.assertEqual(run(send_meeting_reminders, now=NOW), 0)
        self.meeting.refresh_from_db()
        self.assertIsNone(self.meeting.reminded_for)

    def test_a_refused_reminder_stays_in_the_outbox_until_the_server_answers(self):
        with FAIL_TO_SEND:
            self.assertEqual(run(send_meeting_reminders, now=NOW), 2)  # queued

        self.assertEqual(mail.outbox, [])
        rows = OutgoingMail.objects.filter(kind="reminder")
        self.assertEqual(
            sorted(rows.values_list("recipients", "status", "attempts")),
            [("dev@example.org", outbox.QUEUED, 1), ("priya@example.org", outbox.QUEUED, 1)],
        )
        # The meeting is claimed: its reminders are safe in the outbox, and the next run
        # does not queue them again.
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.reminded_for, STARTS)
        self.assertEqual(run(send_meeting_reminders, now=NOW + DAY), 0)

        # The server answers again: the next sweep once the wait is over sends each, once.
        with time_machine.travel(datetime.timedelta(minutes=2)):
            self.assertEqual(sweep(), 2)
            self.assertEqual(sweep(), 0)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["dev@example.org", "priya@example.org"]
        )

    def test_when_some_delegates_are_reached_nobody_gets_the_reminder_twice(self):
        real_send = EmailMessage.send
        calls = []

        def second_fails(message, *args, **kwargs):
            calls.append(message.to[0])
            if len(calls) == 2:
                raise ConnectionRefusedError("SMTP dropped")
            return real_send(message, *args, **kwargs)

        with (
            mock.patch.object(EmailMessage, "send", second_fails),
            self.assertLogs("cms.outbox", "WARNING") as logs,
        ):
            self.assertEqual(run(send_meeting_reminders, now=NOW), 2)
        reached = [m.to[0] for m in mail.outbox]
        self.assertEqual(len(reached), 1)
        missed = ({"priya@example.org", "dev@example.org"} - set(reached)).pop()
        self.assertIn(missed, "\n".join(logs.output))
        self.assertIn("SMTP dropped", "\n".join(logs.output))
        waiting = OutgoingMail.objects.get(status=outbox.QUEUED)
        self.assertEqual((waiting.recipients, waiting.attempts), (missed, 1))

        # Another run queues nothing; the sweep sends the missed one, and only that one.
        self.assertEqual(run(send_meeting_reminders, now=NOW), 0)
        with time_machine.travel(datetime.timedelta(minutes=2)):
            self.assertEqual(sweep(), 1)
            self.assertEqual(sweep(), 0)
        self.assertEqual([m.to[0] for m in mail.outbox], [*reached, missed])

    def test_open_actions_from_earlier_meetings_with_the_regulator_are_listed(self):
        earlier = make_meeting(
            self.regulator,
            title="Spring call",
            starts_at=datetime.datetime(2026, 3, 2, 15, tzinfo=UTC),
        )
        secret = make_meeting(
            self.regulator,
            title="Closed session",
            starts_at=datetime.datetime(2026, 4, 2, 15, tzinfo=UTC),
            visibility=Meeting.Visibility.CONFIDENTIAL,
            delegation=[self.priya],
        )
        other_regulator = make_meeting(
            make_regulator("EMA", "Europe/Amsterdam"),
            starts_at=datetime.datetime(2026, 3, 2, 15, tzinfo=UTC),
        )
        ActionItem.objects.create(
            meeting=earlier,
            description="Health Canada to share the draft guidance",
            owner_regulator=self.regulator,
            due_date=datetime.date(2026, 5, 1),
        )
        ActionItem.objects.create(
            meeting=earlier, description="Closed already", owner=self.dev, status=A.DONE
        )
        ActionItem.objects.create(
            meeting=secret, description="Confidential follow-up", owner=self.priya
        )
        ActionItem.objects.create(
            meeting=other_regulator, description="EMA follow-up", owner=self.priya
        )

        run(send_meeting_reminders, now=NOW)

        priya, dev = (
            by_recipient()["priya@example.org"].body,
            by_recipient()["dev@example.org"].body,
        )
        self.assertIn("STILL OPEN FROM EARLIER MEETINGS WITH THIS REGULATOR", priya)
        self.assertIn("Health Canada to share the draft guidance", priya)
        self.assertIn("Owed to us by Health Canada BRDD. Due 1 May 2026 (overdue).", priya)
        self.assertIn("From: Spring call, 2 March 2026", priya)
        self.assertIn("Confidential follow-up", priya)
        self.assertIn("Health Canada to share the draft guidance", dev)
        self.assertNotIn("Confidential follow-up", dev)
        for body in (priya, dev):
            self.assertNotIn("Closed already", body)
            self.assertNotIn("EMA follow-up", body)

    def test_queries_do_not_grow_with_the_delegation(self):
        # What the job reads does not grow with the delegation; what it writes is one outbox
        # row per e-mail (sending them is the outbox's work: not committed here).
        with CaptureQueriesContext(connection) as two:
            self.assertEqual(send_meeting_reminders(now=NOW), 2)
        Meeting.objects.update(reminded_for=None)
        self.meeting.delegation.add(*[make_user() for _ in range(5)])
        self.meeting.save()

        with CaptureQueriesContext(connection) as seven:
            self.assertEqual(send_meeting_reminders(now=NOW), 7)

        self.assertEqual(outbox_inserts(two), 2)
        self.assertEqual(outbox_inserts(seven), 7)
        self.assertEqual(len(other_queries(two)), len(other_queries(seven)))


def outbox_inserts(captured):
    return sum(q["sql"].startswith('INSERT INTO "cms_outgoingmail"') for q in captured)


def other_queries(captured):
    """The queries besides the outbox's writes: each row is inserted in a savepoint of its own
    (``cms.outbox.post``), so the savepoints go too."""
    return [
        q["sql"]
        for q in captured
        if not q["sql"].startswith(
            ('INSERT INTO "cms_outgoingmail"', "SAVEPOINT", "RELEASE SAVEPOINT")
        )
    ]
