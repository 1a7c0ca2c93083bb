import datetime
from unittest import mock

from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule

from liaison.models import ActionItem, AgendaItem, Meeting, Organisation
from liaison.tasks import send_action_reminders, send_meeting_reminders
from tests.factories import make_user
from tests.liaison.test_meeting_admin import make_meeting, make_regulator

UTC = datetime.UTC
DELEGATES = "Liaison delegates"
TODAY = datetime.date(2026, 11, 22)
DAY = datetime.timedelta(days=1)
A = ActionItem.Status
M = Meeting.Status
FAIL_TO_SEND = mock.patch(
    "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("SMTP down")
)


def by_recipient():
    return {message.to[0]: message for message in mail.outbox}


class ActionRemindersTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator("FDA CBER", "America/New_York")
        cls.organiser = make_user(DELEGATES, email="sam@example.org", first_name="Sam")
        cls.owner = make_user(DELEGATES, email="olive@example.org", first_name="Olive")
        cls.other_owner = make_user(DELEGATES, email="priya@example.org")
        cls.meeting = make_meeting(
            cls.regulator,
            title="Potency workshop",
            organiser=cls.organiser,
            starts_at=datetime.datetime(2026, 10, 1, 3, tzinfo=UTC),
        )

        def action(description, due, owner=cls.owner, status=A.OPEN, **kwargs):
            return ActionItem.objects.create(
                meeting=kwargs.pop("meeting", cls.meeting),
                description=description,
                owner=owner,
                due_date=TODAY + datetime.timedelta(days=due),
                status=status,
                **kwargs,
            )

        cls.action = action
        cls.overdue = action("Send the assay data", -3)
        cls.due_today = action("Draft the cover letter", 0, status=A.IN_PROGRESS)
        cls.due_in_a_week = action("Book the room", 7)
        cls.not_yet = action("Circulate the minutes", 8)
        cls.done = action("Already done", -5, status=A.DONE)
        cls.dropped = action("No longer needed", -5, status=A.DROPPED)
        cls.others = action("Priya's task", 2, owner=cls.other_owner)

    def test_owners_get_their_overdue_then_due_soon_actions(self):
        sent = send_action_reminders(today=TODAY)

        self.assertEqual(sent, 2)
        self.assertEqual(set(by_recipient()), {"olive@example.org", "priya@example.org"})
        olive = by_recipient()["olive@example.org"]
        self.assertEqual(
            olive.subject, "[Liaise] Actions to follow up: 1 overdue, 2 due in the next 7 days"
        )
        body = olive.body
        self.assertIn("Hello Olive,", body)
        self.assertLess(body.index("OVERDUE"), body.index("Send the assay data"))
        self.assertLess(body.index("Send the assay data"), body.index("DUE IN THE NEXT 7 DAYS"))
        self.assertLess(body.index("DUE IN THE NEXT 7 DAYS"), body.index("Draft the cover letter"))
        self.assertIn("Due Thursday 19 November 2026 (3 days overdue)", body)
        self.assertIn("Due Sunday 22 November 2026 (today)", body)
        self.assertIn("(in 7 days)", body)
        # The meeting's date where it was held: 23:00 on 30 September in New York.
        self.assertIn("From the meeting: Potency workshop, 30 September 2026", body)
        self.assertIn(f"http://testserver/admin/actions/edit/{self.overdue.pk}/", body)
        for left_out in ["Circulate the minutes", "Already done", "No longer needed", "Priya"]:
            self.assertNotIn(left_out, body)
        self.assertNotIn("Send the assay data", by_recipient()["priya@example.org"].body)
        self.assertEqual(
            by_recipient()["priya@example.org"].subject,
            "[Liaise] Action due soon: Priya's task",
        )
        self.overdue.refresh_from_db()
        self.not_yet.refresh_from_db()
        self.assertEqual(self.overdue.reminded_on, TODAY)
        self.assertIsNone(self.not_yet.reminded_on)

    def test_running_twice_on_a_day_sends_nothing_the_second_time(self):
        send_action_reminders(today=TODAY)
        mail.outbox.clear()

        self.assertEqual(send_action_reminders(today=TODAY), 0)
        self.assertEqual(mail.outbox, [])

    def test_it_reminds_again_the_next_day(self):
        send_action_reminders(today=TODAY)
        mail.outbox.clear()

        self.assertEqual(send_action_reminders(today=TODAY + DAY), 2)
        self.assertIn("Circulate the minutes", by_recipient()["olive@example.org"].body)
        self.assertIn("(4 days overdue)", by_recipient()["olive@example.org"].body)

    def test_actions_owed_to_us_go_to_the_meeting_organiser_to_chase(self):
        organisation = Organisation.objects.create(name="Alliance for Regenerative Medicine")
        self.action("ARM to share its survey", -1, owner=None, owner_organisation=organisation)
        self.action("FDA to send written feedback", 5, owner=None, owner_regulator=self.regulator)

        send_action_reminders(today=TODAY)

        sam = by_recipient()["sam@example.org"]
        self.assertIn("Hello Sam,", sam.body)
        self.assertIn("ARM to share its survey", sam.body)
        self.assertIn(
            "Owed to us by Alliance for Regenerative Medicine: please chase them.", sam.body
        )
        self.assertIn("Owed to us by FDA CBER: please chase them.", sam.body)
        self.assertIn("(1 day overdue)", sam.body)
        self.assertNotIn("ARM to share", by_recipient()["olive@example.org"].body)

    def test_owed_actions_without_an_organiser_are_skipped(self):
        meeting = make_meeting(self.regulator, title="No organiser")
        self.action(
            "FDA to reply", -1, owner=None, owner_regulator=self.regulator, meeting=meeting
        )

        send_action_reminders(today=TODAY)

        self.assertEqual(len(mail.outbox), 2)
        self.assertTrue(all("FDA to reply" not in m.body for m in mail.outbox))

    def test_inactive_owners_and_owners_without_an_address_are_skipped(self):
        self.action("Inactive owner's task", 1, owner=make_user(is_active=False))
        self.action("Silent owner's task", 1, owner=make_user(DELEGATES, email=""))

        self.assertEqual(send_action_reminders(today=TODAY), 2)
        self.assertTrue(all("owner's task" not in m.body for m in mail.outbox))
        self.assertFalse(
            ActionItem.objects.filter(
                description__contains="owner's task", reminded_on=TODAY
            ).exists()
        )

    def test_a_confidential_meeting_is_not_shown_to_an_organiser_outside_it(self):
        meeting = make_meeting(
            self.regulator,
            title="Confidential pre-submission",
            organiser=make_user(email="outsider@example.org"),
            visibility=Meeting.Visibility.CONFIDENTIAL,
        )
        self.action(
            "FDA to confirm", 1, owner=None, owner_regulator=self.regulator, meeting=meeting
        )

        send_action_reminders(today=TODAY)

        self.assertNotIn("outsider@example.org", by_recipient())

    def test_a_failed_send_gives_the_claim_back_so_a_retry_sends_it(self):
        ActionItem.objects.filter(pk=self.overdue.pk).update(reminded_on=TODAY - DAY)

        with FAIL_TO_SEND, self.assertRaises(ConnectionRefusedError):
            send_action_reminders(today=TODAY)

        self.overdue.refresh_from_db()
        self.assertEqual(self.overdue.reminded_on, TODAY - DAY)
        self.assertFalse(ActionItem.objects.filter(reminded_on=TODAY).exists())
        self.assertEqual(send_action_reminders(today=TODAY), 2)
        self.assertIn("Send the assay data", by_recipient()["olive@example.org"].body)

    def test_an_action_claimed_by_a_concurrent_run_is_not_mentioned(self):
        ActionItem.objects.filter(pk=self.others.pk).update(reminded_on=TODAY)

        send_action_reminders(today=TODAY)

        self.assertEqual(set(by_recipient()), {"olive@example.org"})


NOW = datetime.datetime(2026, 6, 4, 7, tzinfo=UTC)
STARTS = datetime.datetime(2026, 6, 10, 13, tzinfo=UTC)  # 09:00 in Toronto


class MeetingRemindersTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
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
        sent = send_meeting_reminders(now=NOW)

        self.assertEqual(sent, 2)
        self.assertEqual(set(by_recipient()), {"priya@example.org", "dev@example.org"})
        message = by_recipient()["priya@example.org"]
        self.assertEqual(
            message.subject,
            "[Liaise] Reminder: Annual Cell Therapy Liaison Meeting, Wednesday 10 June",
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
        send_meeting_reminders(now=NOW)
        mail.outbox.clear()

        self.assertEqual(send_meeting_reminders(now=NOW + DAY), 0)
        self.assertEqual(mail.outbox, [])

    def test_a_moved_meeting_is_reminded_of_again(self):
        send_meeting_reminders(now=NOW)
        mail.outbox.clear()
        self.meeting.refresh_from_db()  # as the admin's edit view loads it
        self.meeting.starts_at = STARTS + datetime.timedelta(days=1, hours=2)
        self.meeting.ends_at = self.meeting.starts_at + datetime.timedelta(hours=2)
        self.meeting.save()

        self.assertEqual(send_meeting_reminders(now=NOW + DAY), 2)
        message = by_recipient()["dev@example.org"]
        self.assertEqual(
            message.subject,
            "[Liaise] Meeting moved: Annual Cell Therapy Liaison Meeting, Thursday 11 June",
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

        send_meeting_reminders(now=datetime.datetime(2026, 10, 28, 7, tzinfo=UTC))

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

        self.assertEqual(send_meeting_reminders(now=NOW), 0)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(Meeting.objects.filter(reminded_for__isnull=False).exists())

    def test_a_meeting_exactly_a_week_away_is_reminded_of(self):
        Meeting.objects.filter(pk=self.meeting.pk).update(
            starts_at=NOW + datetime.timedelta(days=7),
            ends_at=NOW + datetime.timedelta(days=7, hours=1),
        )

        self.assertEqual(send_meeting_reminders(now=NOW), 2)

    def test_a_meeting_without_reachable_delegates_stays_unclaimed(self):
        self.meeting.delegation.set([self.no_email])
        self.meeting.save()

        self.assertEqual(send_meeting_reminders(now=NOW), 0)
        self.meeting.refresh_from_db()
        self.assertIsNone(self.meeting.reminded_for)

    def test_a_failed_send_gives_the_claim_back_so_a_retry_sends_it(self):
        with FAIL_TO_SEND, self.assertRaises(ConnectionRefusedError):
            send_meeting_reminders(now=NOW)

        self.meeting.refresh_from_db()
        self.assertIsNone(self.meeting.reminded_for)
        self.assertEqual(send_meeting_reminders(now=NOW), 2)

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
            self.assertLogs("liaison.meetings.reminders", "ERROR") as logs,
        ):
            self.assertEqual(send_meeting_reminders(now=NOW), 1)
        reached = [m.to[0] for m in mail.outbox]
        self.assertEqual(len(reached), 1)
        missed = ({"priya@example.org", "dev@example.org"} - set(reached)).pop()
        self.assertIn(missed, "\n".join(logs.output))
        self.assertIn("SMTP dropped", "\n".join(logs.output))

        self.assertEqual(send_meeting_reminders(now=NOW), 0)
        self.assertEqual([m.to[0] for m in mail.outbox], reached)

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

        send_meeting_reminders(now=NOW)

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
        with CaptureQueriesContext(connection) as two:
            send_meeting_reminders(now=NOW)
        Meeting.objects.update(reminded_for=None)
        self.meeting.delegation.add(*[make_user() for _ in range(5)])
        self.meeting.save()

        with CaptureQueriesContext(connection) as seven:
            self.assertEqual(send_meeting_reminders(now=NOW), 7)

        self.assertEqual(len(two.captured_queries), len(seven.captured_queries))


class ScheduleTestCase(TestCase):
    def test_both_reminders_run_daily_from_schedules(self):
        for name, func in [
            ("Action reminders", "liaison.tasks.send_action_reminders"),
            ("Meeting reminders", "liaison.tasks.send_meeting_reminders"),
        ]:
            with self.subTest(name):
                schedule = Schedule.objects.get(name=name)
                self.assertEqual(schedule.func, func)
                self.assertEqual(schedule.schedule_type, Schedule.DAILY)
                self.assertEqual(schedule.repeats, -1)
                self.assertEqual(schedule.next_run.time(), datetime.time(7, 0))


class StaleSaveTestCase(TestCase):
    """An admin form loaded before the daily job ran must not undo the job's claim."""

    def test_saving_a_stale_meeting_or_action_keeps_the_reminder_claims(self):
        import datetime as dt

        from liaison.models import ActionItem, Meeting
        from tests.factories import make_user
        from tests.liaison.test_meeting_admin import make_meeting, make_regulator

        meeting = make_meeting(make_regulator())
        action = ActionItem.objects.create(
            meeting=meeting, description="Send examples", owner=make_user()
        )
        stale_meeting = Meeting.objects.get(pk=meeting.pk)
        stale_action = ActionItem.objects.get(pk=action.pk)
        Meeting.objects.filter(pk=meeting.pk).update(reminded_for=meeting.starts_at, sequence=4)
        ActionItem.objects.filter(pk=action.pk).update(reminded_on=dt.date(2026, 6, 1))

        stale_meeting.title = "Renamed"
        stale_meeting.save()
        stale_action.description = "Send three examples"
        stale_action.save()

        meeting.refresh_from_db()
        action.refresh_from_db()
        self.assertEqual(meeting.reminded_for, meeting.starts_at)
        self.assertEqual(meeting.sequence, 4)
        self.assertEqual(action.reminded_on, dt.date(2026, 6, 1))
        self.assertEqual((meeting.title, action.description), ("Renamed", "Send three examples"))
