"""The invitations' outbox: delivery rows written in the transaction of the send (a save
writes none), one hint to the worker per meeting and transaction, the sweep when the broker
is down, and the "Retry failed" page of the delivery log."""

import datetime
from unittest import mock

import time_machine
from django.conf import settings
from django.core import mail
from django.db import transaction
from django_q.models import Schedule
from django_q.tasks import async_task

from cms import outbox
from liaison.calendars import invitations as invites
from liaison.models import InviteDelivery, Meeting
from tests.liaison.factories import ADD_URL, meeting_form
from tests.liaison.invitations import (
    BROKER_DOWN,
    LOG_URL,
    SMTP_DOWN,
    UTC,
    D,
    DeliveryLogTestCase,
    S,
    by_recipient,
    send_url,
)
from tests.outbox import committed

T0 = datetime.datetime(2026, 12, 1, 9, tzinfo=UTC)
RETRY_URL = f"{LOG_URL}retry-failed/"


def invitation_tasks(enqueue):
    """The send_invitations tasks a mocked ``async_task`` was asked to run."""
    return [c for c in enqueue.call_args_list if c.args and c.args[0] == invites.TASK]


class InvitationOutboxTestCase(DeliveryLogTestCase):
    def deliveries(self):
        return InviteDelivery.objects.filter(meeting=self.meeting)

    def test_the_rows_are_written_in_the_transaction_of_the_send(self):
        with self.captureOnCommitCallbacks() as callbacks:
            self.meeting.status = S.CONFIRMED
            self.meeting.save()
        # The save alone writes no row and asks the worker nothing.
        self.assertFalse(self.deliveries().exists())
        self.assertNotIn(outbox.Hint(invites.TASK, (self.meeting.pk,)), callbacks)

        with self.captureOnCommitCallbacks() as callbacks:
            invites.queue(self.meeting, sent_by=self.secretariat)
            # Before the commit: on record, queued and due, and nothing sent.
            self.assertEqual({d.recipient_email for d in self.deliveries()}, self.recipients)
            self.assertEqual(set(self.deliveries().values_list("status", flat=True)), {D.QUEUED})
        self.assertEqual(mail.outbox, [])
        # One hint, for this meeting, once the transaction commits.
        self.assertEqual(callbacks, [outbox.Hint(invites.TASK, (self.meeting.pk,))])

    def test_a_send_rolled_back_leaves_no_rows_and_asks_nothing(self):
        meeting = self.save(Meeting.objects.get(pk=self.meeting.pk), status=S.CONFIRMED)
        with committed() as callbacks:
            try:
                with transaction.atomic():
                    invites.queue(meeting, sent_by=self.secretariat)
                    self.assertEqual(self.deliveries().count(), 3)
                    raise RuntimeError("the form failed after saving")
            except RuntimeError:
                pass

        self.assertFalse(self.deliveries().exists())
        self.assertEqual(callbacks, [])
        self.assertEqual(self.sweep(), 0)
        self.assertEqual(mail.outbox, [])

    def test_a_meeting_created_confirmed_in_the_admin_is_sent_with_one_hint(self):
        self.client.force_login(self.organiser)
        form = meeting_form(self.regulator, status="confirmed", organiser=self.organiser.pk)
        form["delegation"] = [self.dana.pk, self.eli.pk]
        form["attendees"] = [self.contact.pk]

        # The meeting, its delegation and its attendees are saved one after the other: none
        # of it writes a row or asks the worker anything.
        with (
            mock.patch("django_q.tasks.async_task", wraps=async_task) as enqueue,
            committed() as callbacks,
        ):
            response = self.client.post(ADD_URL, form)

        self.assertEqual(response.status_code, 302)
        meeting = Meeting.objects.get(title="Annual Cell Therapy Liaison Meeting")
        self.assertFalse(InviteDelivery.objects.filter(meeting=meeting).exists())
        self.assertEqual(invitation_tasks(enqueue), [])
        self.assertEqual(mail.outbox, [])

        # The send queues a row per recipient and asks the worker once, when it commits.
        with (
            mock.patch("django_q.tasks.async_task", wraps=async_task) as enqueue,
            committed() as callbacks,
        ):
            response = self.client.post(send_url(meeting), {"sequence": meeting.sequence})

        self.assertEqual(response.status_code, 302)
        hints = [c for c in callbacks if isinstance(c, outbox.Hint) and c.task == invites.TASK]
        self.assertEqual(hints, [outbox.Hint(invites.TASK, (meeting.pk,))])
        [task] = invitation_tasks(enqueue)
        self.assertEqual(task.args, (invites.TASK, meeting.pk))
        # Each recipient gets one e-mail.
        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(set(by_recipient()), self.recipients)
        rows = InviteDelivery.objects.filter(meeting=meeting)
        self.assertEqual(set(rows.values_list("status", "attempts")), {(D.SENT, 1)})

    def test_when_the_broker_is_down_the_rows_wait_for_the_sweep_which_sends_each_once(self):
        with BROKER_DOWN as enqueue, self.assertLogs("cms.outbox", "WARNING") as logs:
            self.confirm()

        self.assertEqual(len(invitation_tasks(enqueue)), 1)  # tried, and refused
        self.assertIn("Could not reach the task broker", logs.output[0])
        self.assertEqual(mail.outbox, [])
        self.assertEqual(
            sorted(self.deliveries().values_list("recipient_email", "status", "attempts")),
            sorted((email, D.QUEUED, 0) for email in self.recipients),
        )

        # The sweep (every minute) sends them; run twice, or with a late task, nothing more.
        self.assertEqual(self.sweep(), 3)
        self.assertEqual(self.sweep(), 0)
        self.assertEqual(invites.send_invitations(self.meeting.pk), 0)

        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(set(by_recipient()), self.recipients)
        self.assertEqual(set(self.deliveries().values_list("status", "attempts")), {(D.SENT, 1)})

    def test_the_sweep_runs_every_minute(self):
        schedule = Schedule.objects.get(func="liaison.tasks.send_due_invitations")
        self.assertEqual((schedule.schedule_type, schedule.minutes), (Schedule.MINUTES, 1))
        self.assertEqual(schedule.repeats, -1)
        self.assertFalse(Schedule.objects.filter(func="liaison.tasks.retry_delivery").exists())


class RetryFailedTestCase(DeliveryLogTestCase):
    def fail_every_invitation(self):
        """The mail server refuses for longer than the retry window: every invitation fails."""
        with time_machine.travel(T0, tick=False), SMTP_DOWN:
            self.confirm()
        window = datetime.timedelta(hours=settings.OUTBOX_RETRY_HOURS)
        with time_machine.travel(T0 + window, tick=False), SMTP_DOWN:
            self.sweep()
        failed = InviteDelivery.objects.filter(meeting=self.meeting)
        self.assertEqual(set(failed.values_list("status", flat=True)), {D.FAILED})
        self.assertEqual(mail.outbox, [])

    def test_the_page_shows_the_count_and_a_post_sends_each_once(self):
        self.fail_every_invitation()
        self.client.force_login(self.secretariat)
        self.assertContains(self.client.get(LOG_URL), f'href="{RETRY_URL}"')

        page = self.client.get(RETRY_URL)

        self.assertContains(page, "3 failed invitations of 1 meeting could not be delivered")
        self.assertContains(page, "Retry 3 failed invitations")
        self.assertEqual(mail.outbox, [])  # asking sends nothing

        with committed():
            response = self.client.post(RETRY_URL, follow=True)

        self.assertRedirects(response, LOG_URL)
        self.assertContains(response, "3 failed invitations queued again")
        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(set(by_recipient()), self.recipients)
        rows = InviteDelivery.objects.filter(meeting=self.meeting)
        self.assertEqual(
            set(rows.values_list("status", "attempts", "last_error")), {(D.SENT, 1, "")}
        )

        # Nothing is left to retry: a second POST (a double click) sends nothing more.
        with committed():
            again = self.client.post(RETRY_URL, follow=True)
        self.assertContains(again, "There are no failed invitations to retry.")
        self.assertContains(self.client.get(RETRY_URL), "There are no failed invitations")
        self.assertEqual(self.sweep(), 0)
        self.assertEqual(len(mail.outbox), 3)

    def test_failed_invitations_of_an_older_version_are_not_retried(self):
        self.fail_every_invitation()
        # The meeting moved since: everyone got the new version; the old one is out of date.
        self.save(location="Silver Spring")
        self.send()
        self.assertEqual(len(mail.outbox), 3)
        self.client.force_login(self.secretariat)

        self.assertContains(self.client.get(RETRY_URL), "There are no failed invitations")
        with committed():
            self.client.post(RETRY_URL)

        self.assertEqual(len(mail.outbox), 3)
        old = InviteDelivery.objects.filter(meeting=self.meeting, sequence=1)
        self.assertEqual(set(old.values_list("status", flat=True)), {D.FAILED})

    def test_retrying_needs_the_permission_to_resend(self):
        self.fail_every_invitation()

        for user in (self.reader, self.dana):
            with self.subTest(user=user.get_username()):
                self.client.force_login(user)
                self.assertEqual(self.client.get(RETRY_URL).status_code, 403)
                with committed():
                    self.assertEqual(self.client.post(RETRY_URL).status_code, 403)
                self.assertNotIn(RETRY_URL, self.client.get(LOG_URL).content.decode())
        self.client.logout()
        self.assertEqual(self.client.post(RETRY_URL).status_code, 302)  # to the login page

        self.assertEqual(mail.outbox, [])
        failed = InviteDelivery.objects.filter(meeting=self.meeting)
        self.assertEqual(set(failed.values_list("status", flat=True)), {D.FAILED})
