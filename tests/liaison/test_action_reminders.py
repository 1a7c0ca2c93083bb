"""The daily e-mail to owners of overdue and soon-due actions, and to organisers who chase
actions owed to us."""

import datetime

import time_machine
from django.core import mail
from django.test import TestCase

from cms import outbox
from cms.models import OutgoingMail
from liaison.models import ActionItem, Meeting, Organisation
from liaison.tasks import send_action_reminders
from tests.factories import make_society, make_user
from tests.liaison.factories import make_meeting, make_regulator
from tests.liaison.reminders import DAY, DELEGATES, FAIL_TO_SEND, by_recipient, run, sweep

UTC = datetime.UTC
TODAY = datetime.date(2026, 11, 22)
A = ActionItem.Status


class ActionRemindersTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_society()
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
        sent = run(send_action_reminders, today=TODAY)

        self.assertEqual(sent, 2)
        self.assertEqual(set(by_recipient()), {"olive@example.org", "priya@example.org"})
        olive = by_recipient()["olive@example.org"]
        self.assertEqual(
            olive.subject, "[SCGTP] Actions to follow up: 1 overdue, 2 due in the next 7 days"
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
            "[SCGTP] Action due soon: Priya's task",
        )
        self.overdue.refresh_from_db()
        self.not_yet.refresh_from_db()
        self.assertEqual(self.overdue.reminded_on, TODAY)
        self.assertIsNone(self.not_yet.reminded_on)

    def test_running_twice_on_a_day_sends_nothing_the_second_time(self):
        run(send_action_reminders, today=TODAY)
        mail.outbox.clear()

        self.assertEqual(run(send_action_reminders, today=TODAY), 0)
        self.assertEqual(mail.outbox, [])

    def test_it_reminds_again_the_next_day(self):
        run(send_action_reminders, today=TODAY)
        mail.outbox.clear()

        self.assertEqual(run(send_action_reminders, today=TODAY + DAY), 2)
        self.assertIn("Circulate the minutes", by_recipient()["olive@example.org"].body)
        self.assertIn("(4 days overdue)", by_recipient()["olive@example.org"].body)

    def test_actions_owed_to_us_go_to_the_meeting_organiser_to_chase(self):
        organisation = Organisation.objects.create(name="Alliance for Regenerative Medicine")
        self.action("ARM to share its survey", -1, owner=None, owner_organisation=organisation)
        self.action("FDA to send written feedback", 5, owner=None, owner_regulator=self.regulator)

        run(send_action_reminders, today=TODAY)

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

        run(send_action_reminders, today=TODAY)

        self.assertEqual(len(mail.outbox), 2)
        self.assertTrue(all("FDA to reply" not in m.body for m in mail.outbox))

    def test_inactive_owners_and_owners_without_an_address_are_skipped(self):
        self.action("Inactive owner's task", 1, owner=make_user(is_active=False))
        self.action("Silent owner's task", 1, owner=make_user(DELEGATES, email=""))

        self.assertEqual(run(send_action_reminders, today=TODAY), 2)
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

        run(send_action_reminders, today=TODAY)

        self.assertNotIn("outsider@example.org", by_recipient())

    def test_a_refused_reminder_stays_in_the_outbox_until_the_server_answers(self):
        with FAIL_TO_SEND:
            self.assertEqual(run(send_action_reminders, today=TODAY), 2)  # queued

        self.assertEqual(mail.outbox, [])
        rows = OutgoingMail.objects.filter(kind="reminder")
        self.assertEqual(
            sorted(rows.values_list("recipients", "status", "attempts", "last_error")),
            [
                ("olive@example.org", outbox.QUEUED, 1, "ConnectionRefusedError: SMTP down"),
                ("priya@example.org", outbox.QUEUED, 1, "ConnectionRefusedError: SMTP down"),
            ],
        )
        # The actions are claimed for today: their reminder is safe in the outbox, so
        # another run today does not queue it again.
        self.overdue.refresh_from_db()
        self.assertEqual(self.overdue.reminded_on, TODAY)
        self.assertEqual(run(send_action_reminders, today=TODAY), 0)

        # The server answers again: the next sweep once the wait is over sends each, once.
        with time_machine.travel(datetime.timedelta(minutes=2)):
            self.assertEqual(sweep(), 2)
            self.assertEqual(sweep(), 0)
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual(set(by_recipient()), {"olive@example.org", "priya@example.org"})
        self.assertIn("Send the assay data", by_recipient()["olive@example.org"].body)
        self.assertEqual(set(rows.values_list("status", flat=True)), {outbox.SENT})

    def test_an_action_claimed_by_a_concurrent_run_is_not_mentioned(self):
        ActionItem.objects.filter(pk=self.others.pk).update(reminded_on=TODAY)

        run(send_action_reminders, today=TODAY)

        self.assertEqual(set(by_recipient()), {"olive@example.org"})
