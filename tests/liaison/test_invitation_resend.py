"""Resending an invitation from the delivery log: who may, and which deliveries."""

import datetime

from django.core import mail
from django.utils import timezone
from django_q.models import Schedule

from liaison.calendars import invitations as invites
from liaison.models import InviteDelivery
from tests.liaison.invitations import (
    LOG_URL,
    SMTP_DOWN,
    D,
    DeliveryLogTestCase,
    by_recipient,
    event_of,
)


class InvitationResendTestCase(DeliveryLogTestCase):
    def test_the_secretariat_can_resend_a_delivery(self):
        self.confirm()
        mail.outbox.clear()
        delivery = self.delivery()
        self.client.force_login(self.secretariat)
        listing = self.client.get(LOG_URL).content.decode()
        self.assertIn(f'action="{LOG_URL}resend/{delivery.pk}/"', listing)
        self.assertIn('name="csrfmiddlewaretoken"', listing)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"{LOG_URL}resend/{delivery.pk}/", {"next": LOG_URL})

        self.assertRedirects(response, LOG_URL)
        self.assertEqual(list(by_recipient()), ["dana@example.org"])
        _, event = event_of(mail.outbox[0])
        self.assertEqual(int(event["SEQUENCE"]), delivery.sequence)
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (D.SENT, 1))

    def test_a_failed_delivery_can_be_resent_once_the_server_is_back(self):
        self.meeting.delegation.set([self.dana])
        with SMTP_DOWN:
            self.confirm()
        for attempts in (1, 2):
            Schedule.objects.filter(name__startswith="invite-retry-").delete()
            with SMTP_DOWN:
                invites.retry_delivery(self.delivery().pk, attempts)
        delivery = self.delivery()
        self.assertEqual(delivery.status, D.FAILED)
        self.client.force_login(self.secretariat)

        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"{LOG_URL}resend/{delivery.pk}/")

        delivery.refresh_from_db()
        self.assertEqual(
            (delivery.status, delivery.attempts, delivery.last_error), (D.SENT, 1, "")
        )
        self.assertIn("dana@example.org", by_recipient())

    def test_a_delivery_stuck_in_the_queue_can_be_resent_but_not_a_fresh_one(self):
        # A worker claimed it and died before recording the outcome: queued, no retry due.
        self.confirm()
        mail.outbox.clear()
        delivery = self.delivery()
        InviteDelivery.objects.filter(pk=delivery.pk).update(status=D.QUEUED, sent_at=None)
        self.client.force_login(self.secretariat)
        url = f"{LOG_URL}resend/{delivery.pk}/"

        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url)
        self.assertEqual(mail.outbox, [])  # just touched: a retry may still be on its way
        self.assertNotIn(url, self.client.get(LOG_URL).content.decode())

        long_ago = timezone.now() - invites.STUCK_AFTER - datetime.timedelta(minutes=1)
        InviteDelivery.objects.filter(pk=delivery.pk).update(updated_at=long_ago)
        self.assertIn(url, self.client.get(LOG_URL).content.decode())
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url)

        self.assertEqual(list(by_recipient()), ["dana@example.org"])
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (D.SENT, 1))

    def test_resending_needs_a_post_and_the_permission(self):
        self.confirm()
        mail.outbox.clear()
        delivery = self.delivery()
        url = f"{LOG_URL}resend/{delivery.pk}/"

        self.client.force_login(self.secretariat)
        self.assertEqual(self.client.get(url).status_code, 405)
        for user in (self.dana, self.reader):
            self.client.force_login(user)
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(url)
            self.assertEqual(response.status_code, 403)
        self.assertEqual(mail.outbox, [])

    def test_an_out_of_date_delivery_is_not_resent(self):
        meeting = self.confirm()
        old = self.delivery()
        self.save(meeting, location="Silver Spring")
        mail.outbox.clear()
        self.client.force_login(self.secretariat)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"{LOG_URL}resend/{old.pk}/", follow=True)

        self.assertEqual(mail.outbox, [])
        self.assertContains(response, "was not resent")
