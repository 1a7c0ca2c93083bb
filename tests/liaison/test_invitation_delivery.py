"""Sending invitations when the mail server fails: recorded errors, retries with backoff,
one failing recipient among many, superseded retries, two workers, and an outage."""

import datetime
import smtplib
from unittest import mock

from django.core import mail
from django.utils import timezone
from django_q.models import Schedule

from liaison.calendars import invitations as invites
from liaison.models import InviteDelivery
from tests.liaison.invitations import SMTP_DOWN, D, InvitationTestCase, by_recipient


class InvitationRetryTestCase(InvitationTestCase):
    def test_an_error_text_holding_nul_is_still_recorded(self):
        # PostgreSQL cannot store NUL; the error is recorded without it, the retry queued.
        with mock.patch(
            "django.core.mail.EmailMessage.send", side_effect=OSError("bad\x00 reply")
        ):
            self.confirm()
        delivery = InviteDelivery.objects.get(recipient_email="dana@example.org")
        self.assertEqual((delivery.status, delivery.last_error), (D.QUEUED, "OSError: bad reply"))

    def test_a_failing_server_is_retried_with_backoff_then_the_delivery_fails(self):
        with SMTP_DOWN:
            self.confirm()
        self.assertEqual(mail.outbox, [])
        delivery = InviteDelivery.objects.get(recipient_email="dana@example.org")
        self.assertEqual((delivery.status, delivery.attempts), (D.QUEUED, 1))
        self.assertEqual(
            delivery.last_error, "SMTPServerDisconnected: Connection unexpectedly closed"
        )
        schedule = Schedule.objects.get(name=f"invite-retry-{delivery.pk}-1")
        wait = schedule.next_run - timezone.now()
        self.assertTrue(datetime.timedelta(minutes=1) < wait <= datetime.timedelta(minutes=2))

        with SMTP_DOWN:
            self.run_retry(delivery)
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (D.QUEUED, 2))
        wait = Schedule.objects.get(name=f"invite-retry-{delivery.pk}-2").next_run - timezone.now()
        self.assertTrue(datetime.timedelta(minutes=3) < wait <= datetime.timedelta(minutes=4))

        with SMTP_DOWN:
            self.run_retry(delivery)
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (D.FAILED, 3))
        self.assertIn("SMTPServerDisconnected", delivery.last_error)
        self.assertFalse(Schedule.objects.filter(name__startswith=f"invite-retry-{delivery.pk}-"))
        self.assertEqual(mail.outbox, [])

        # A stale retry of an earlier attempt does nothing.
        self.assertEqual(invites.retry_delivery(delivery.pk, 1), 0)
        self.assertEqual(mail.outbox, [])

    def test_one_failing_recipient_does_not_stop_the_others(self):
        send = mail.EmailMessage.send
        calls = []

        def flaky(message, *args, **kwargs):
            calls.append(message.to[0])
            if "eli@example.org" in message.to[0]:
                raise smtplib.SMTPRecipientsRefused({"eli@example.org": (450, b"Mailbox busy")})
            return send(message, *args, **kwargs)

        with mock.patch("django.core.mail.EmailMessage.send", flaky):
            self.confirm()

        self.assertEqual(len(calls), 3)
        self.assertEqual(set(by_recipient()), self.recipients - {"eli@example.org"})
        eli = InviteDelivery.objects.get(recipient_email="eli@example.org")
        self.assertEqual((eli.status, eli.attempts), (D.QUEUED, 1))
        self.assertIn("SMTPRecipientsRefused", eli.last_error)
        self.assertEqual(
            set(InviteDelivery.objects.exclude(pk=eli.pk).values_list("status", flat=True)),
            {D.SENT},
        )

    def test_a_retry_that_succeeds_sends_once(self):
        with SMTP_DOWN:
            self.confirm()
        delivery = InviteDelivery.objects.get(recipient_email="eli@example.org")

        self.assertEqual(self.run_retry(delivery), 1)
        self.assertEqual(invites.retry_delivery(delivery.pk, 1), 0)  # run twice

        delivery.refresh_from_db()
        self.assertEqual(
            (delivery.status, delivery.attempts, delivery.last_error), (D.SENT, 2, "")
        )
        self.assertEqual(list(by_recipient()), ["eli@example.org"])

    def test_a_retry_after_the_meeting_changed_again_is_superseded(self):
        with SMTP_DOWN:
            meeting = self.confirm()
            self.save(meeting, location="Silver Spring")
        old = InviteDelivery.objects.get(
            recipient_email="eli@example.org", sequence=meeting.sequence - 1
        )
        Schedule.objects.filter(name=f"invite-retry-{old.pk}-1").delete()

        self.assertEqual(invites.retry_delivery(old.pk, 1), 0)

        old.refresh_from_db()
        self.assertEqual(old.status, D.FAILED)
        self.assertTrue(old.last_error.startswith("Superseded"))
        self.assertEqual(mail.outbox, [])

    def test_two_workers_never_both_send_a_delivery(self):
        meeting = self.confirm()
        delivery = InviteDelivery.objects.get(recipient_email="eli@example.org")
        InviteDelivery.objects.filter(pk=delivery.pk).update(status=D.QUEUED)
        mail.outbox.clear()
        # Two workers read the same queued row (attempts=1); only one claims it.
        first = InviteDelivery.objects.get(pk=delivery.pk)
        second = InviteDelivery.objects.get(pk=delivery.pk)

        self.assertTrue(invites._claim(first))
        self.assertFalse(invites._claim(second))
        self.assertEqual(invites.retry_delivery(delivery.pk, 1), 0)
        self.assertEqual(invites.send_invitations(meeting.pk, meeting.sequence, "REQUEST"), 0)
        self.assertEqual(mail.outbox, [])


def closed_port():
    """A local TCP port nothing listens on: connecting to it is refused."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpOutageTestCase(InvitationTestCase):
    def test_refused_connections_then_recovery_deliver_every_invite_exactly_once(self):
        from django.test import override_settings

        refusing = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=closed_port(),
            EMAIL_TIMEOUT=2,
        )
        with refusing:
            self.confirm()
        deliveries = list(InviteDelivery.objects.order_by("pk"))
        self.assertEqual({d.recipient_email for d in deliveries}, self.recipients)
        self.assertTrue(all(d.status == D.QUEUED and d.attempts == 1 for d in deliveries))
        self.assertTrue(
            all("Connection" in d.last_error or "refused" in d.last_error for d in deliveries)
        )

        # The server is back: every scheduled retry runs, some twice (a redelivered task).
        for delivery in deliveries:
            self.run_retry(delivery)
            invites.retry_delivery(delivery.pk, 1)

        self.assertEqual(
            sorted(m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox),
            sorted(self.recipients),
        )
        self.assertEqual(set(InviteDelivery.objects.values_list("status", flat=True)), {D.SENT})
