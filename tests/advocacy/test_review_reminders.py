import datetime
from unittest import mock

import time_machine
from django.core import mail
from django.test import TestCase
from django_q.models import Schedule

from advocacy.models import PositionPage, ReviewReminder
from advocacy.tasks import send_review_reminders
from cms import outbox
from cms.models import OutgoingMail
from tests.factories import make_position, make_position_index, make_society, make_user
from tests.outbox import run, sweep

TODAY = datetime.date(2026, 11, 22)
S = PositionPage.Status


class ReviewRemindersTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_society()
        cls.index = make_position_index()
        cls.owner = make_user(email="owner@example.org", first_name="Olive")
        cls.other_owner = make_user(email="other@example.org")

        def position(title, review_by, owner=cls.owner, status=S.ADOPTED):
            return make_position(
                cls.index,
                title=title,
                policy_status=status,
                adopted_on=datetime.date(2020, 1, 1),
                review_by=review_by,
                policy_owner=owner,
            )

        cls.overdue = position("Overdue position", TODAY - datetime.timedelta(days=3))
        cls.soon = position("Due soon", TODAY + datetime.timedelta(days=30))
        cls.later = position("Due later", TODAY + datetime.timedelta(days=31))
        cls.superseded = position(
            "Superseded one", TODAY - datetime.timedelta(days=1), status=S.SUPERSEDED
        )
        cls.others = position("Someone else's", TODAY, owner=cls.other_owner)

    def test_each_owner_gets_one_email_listing_their_due_positions(self):
        sent = run(send_review_reminders, today=TODAY)

        self.assertEqual(sent, 2)
        by_recipient = {m.to[0]: m for m in mail.outbox}
        olive = by_recipient["owner@example.org"]
        self.assertEqual(olive.subject, "[SCGTP] 2 positions due for review")
        self.assertIn("Overdue position", olive.body)
        self.assertIn("overdue", olive.body)
        self.assertIn("Due soon", olive.body)
        self.assertNotIn("Due later", olive.body)
        self.assertNotIn("Superseded one", olive.body)
        self.assertIn(f"/admin/pages/{self.overdue.pk}/edit/", olive.body)
        self.assertEqual(
            by_recipient["other@example.org"].subject,
            "[SCGTP] Position due for review: Someone else's",
        )

    def test_running_twice_on_a_day_sends_nothing_twice(self):
        run(send_review_reminders, today=TODAY)
        mail.outbox.clear()

        self.assertEqual(run(send_review_reminders, today=TODAY), 0)
        self.assertEqual(mail.outbox, [])

    def test_it_reminds_again_the_next_day(self):
        run(send_review_reminders, today=TODAY)
        mail.outbox.clear()

        run(send_review_reminders, today=TODAY + datetime.timedelta(days=1))

        self.assertEqual(len(mail.outbox), 2)

    def test_a_refused_reminder_stays_in_the_outbox_until_the_server_answers(self):
        with mock.patch(
            "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("down")
        ):
            self.assertEqual(run(send_review_reminders, today=TODAY), 2)  # queued

        self.assertEqual(mail.outbox, [])
        rows = OutgoingMail.objects.filter(kind="reminder")
        self.assertEqual(
            sorted(rows.values_list("recipients", "status", "attempts", "last_error")),
            [
                ("other@example.org", outbox.QUEUED, 1, "ConnectionRefusedError: down"),
                ("owner@example.org", outbox.QUEUED, 1, "ConnectionRefusedError: down"),
            ],
        )
        # Claimed for today with the e-mail safe in the outbox: a retry queues nothing more.
        self.assertEqual(ReviewReminder.objects.filter(sent_on=TODAY).count(), 3)
        self.assertEqual(run(send_review_reminders, today=TODAY), 0)

        # The server answers again: the next sweep once the wait is over sends each, once.
        with time_machine.travel(datetime.timedelta(minutes=2)):
            self.assertEqual(sweep(), 2)
            self.assertEqual(sweep(), 0)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["other@example.org", "owner@example.org"]
        )
        self.assertEqual(set(rows.values_list("status", flat=True)), {outbox.SENT})

    def test_it_runs_daily_from_a_schedule(self):
        schedule = Schedule.objects.get(func="advocacy.tasks.send_review_reminders")

        self.assertEqual(schedule.schedule_type, Schedule.DAILY)
        self.assertEqual(schedule.repeats, -1)

    def test_scheduled_publishing_runs_every_few_minutes(self):
        schedule = Schedule.objects.get(name="Publish scheduled pages")

        self.assertEqual(schedule.args, "'publish_scheduled'")
        self.assertEqual(schedule.schedule_type, Schedule.MINUTES)
        self.assertLessEqual(schedule.minutes, 10)


class DashboardPanelTestCase(TestCase):
    def test_policy_staff_see_positions_due_for_review(self):
        index = make_position_index()
        make_position(
            index,
            title="Potency assays",
            policy_status=S.ADOPTED,
            adopted_on=datetime.date(2020, 1, 1),
            review_by=datetime.date(2021, 1, 1),
        )
        self.client.force_login(make_user("Policy editors"))

        response = self.client.get("/admin/")

        self.assertContains(response, "Positions due for review")
        self.assertContains(response, "Potency assays")
        self.assertContains(response, "Overdue")

    def test_liaison_staff_do_not_get_the_panel(self):
        self.client.force_login(make_user("Liaison delegates"))

        response = self.client.get("/admin/")

        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Positions due for review")
