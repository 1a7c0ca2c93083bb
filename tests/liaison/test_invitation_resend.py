"""Resending an invitation from the delivery log: who may, and which deliveries; and a
delivery whose worker died, which the sweep sends again once its lease runs out."""

import datetime

import time_machine
from django.conf import settings
from django.core import mail

from cms import outbox
from tests.liaison.invitations import (
    BROKER_DOWN,
    LOG_URL,
    SMTP_DOWN,
    UTC,
    D,
    DeliveryLogTestCase,
    by_recipient,
    event_of,
)
from tests.outbox import committed

T0 = datetime.datetime(2026, 12, 1, 9, tzinfo=UTC)


class InvitationResendTestCase(DeliveryLogTestCase):
    def test_the_secretariat_can_resend_a_delivery(self):
        self.confirm()
        mail.outbox.clear()
        delivery = self.delivery()
        self.client.force_login(self.secretariat)
        listing = self.client.get(LOG_URL).content.decode()
        self.assertIn(f'action="{LOG_URL}resend/{delivery.pk}/"', listing)
        self.assertIn('name="csrfmiddlewaretoken"', listing)

        with committed():
            response = self.client.post(f"{LOG_URL}resend/{delivery.pk}/", {"next": LOG_URL})

        self.assertRedirects(response, LOG_URL)
        self.assertEqual(list(by_recipient()), ["dana@example.org"])
        _, event = event_of(mail.outbox[0])
        self.assertEqual(int(event["SEQUENCE"]), delivery.sequence)
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (D.SENT, 1))

    def test_a_failed_delivery_can_be_resent_once_the_server_is_back(self):
        self.meeting.delegation.set([self.dana])
        with time_machine.travel(T0, tick=False), SMTP_DOWN:
            self.confirm()
        # Refused for longer than the retry window: failed, with the reason.
        window = datetime.timedelta(hours=settings.OUTBOX_RETRY_HOURS)
        with time_machine.travel(T0 + window, tick=False), SMTP_DOWN:
            self.sweep()
        delivery = self.delivery()
        self.assertEqual(delivery.status, D.FAILED)
        self.assertIn("SMTPServerDisconnected", delivery.last_error)
        self.assertEqual(mail.outbox, [])
        self.client.force_login(self.secretariat)

        with committed():
            self.client.post(f"{LOG_URL}resend/{delivery.pk}/")

        delivery.refresh_from_db()
        self.assertEqual(
            (delivery.status, delivery.attempts, delivery.last_error), (D.SENT, 1, "")
        )
        self.assertEqual(list(by_recipient()), ["dana@example.org"])

    def test_a_delivery_whose_worker_died_is_sent_again_once_its_lease_runs_out(self):
        # The hint is lost (the broker is down): the rows wait, due, for the sweep.
        with time_machine.travel(T0, tick=False), BROKER_DOWN, self.assertLogs("cms.outbox"):
            self.confirm()
        self.assertEqual(mail.outbox, [])
        # A worker claims Dana's and dies before it could send it or record the outcome.
        with time_machine.travel(T0, tick=False):
            self.assertTrue(outbox.claim(self.delivery()))
            # Held by a live lease: the sweep sends the others, not Dana's.
            self.assertEqual(self.sweep(), 2)
        self.assertNotIn("dana@example.org", by_recipient())
        delivery = self.delivery()
        self.assertEqual((delivery.status, delivery.attempts), (D.QUEUED, 1))
        lease = datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        self.assertEqual(delivery.lease_until, T0 + lease)
        # Queued, so on its way: it offers no resend.
        self.client.force_login(self.secretariat)
        url = f"{LOG_URL}resend/{delivery.pk}/"
        self.assertNotIn(url, self.client.get(LOG_URL).content.decode())
        with committed():
            self.client.post(url)
        self.assertNotIn("dana@example.org", by_recipient())

        with time_machine.travel(T0 + lease - datetime.timedelta(seconds=1), tick=False):
            self.assertEqual(self.sweep(), 0)
        self.assertNotIn("dana@example.org", by_recipient())

        # The lease has run out: the next sweep sends it, once.
        with time_machine.travel(T0 + lease + datetime.timedelta(seconds=1), tick=False):
            self.assertEqual(self.sweep(), 1)
            self.assertEqual(self.sweep(), 0)
        self.assertEqual(
            [m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox].count("dana@example.org"),
            1,
        )
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (D.SENT, 2))
        self.assertIsNone(delivery.lease_until)

    def test_resending_needs_a_post_and_the_permission(self):
        self.confirm()
        mail.outbox.clear()
        delivery = self.delivery()
        url = f"{LOG_URL}resend/{delivery.pk}/"

        self.client.force_login(self.secretariat)
        self.assertEqual(self.client.get(url).status_code, 405)
        for user in (self.dana, self.reader):
            self.client.force_login(user)
            with committed():
                response = self.client.post(url)
            self.assertEqual(response.status_code, 403)
        self.assertEqual(mail.outbox, [])

    def test_an_out_of_date_delivery_is_not_resent(self):
        meeting = self.confirm()
        old = self.delivery()
        self.save(meeting, location="Silver Spring")
        mail.outbox.clear()
        self.client.force_login(self.secretariat)

        with committed():
            response = self.client.post(f"{LOG_URL}resend/{old.pk}/", follow=True)

        self.assertEqual(mail.outbox, [])
        self.assertContains(response, "was not resent")
