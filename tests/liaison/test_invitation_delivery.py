"""Sending invitations when the mail server fails: recorded errors, retries by the sweep
with a growing wait, one failing recipient among many, superseded retries, two workers,
and an outage."""

import datetime
import smtplib
from unittest import mock

import time_machine
from django.conf import settings
from django.core import mail
from django.test import override_settings

from cms import outbox
from liaison.calendars import invitations as invites
from liaison.models import InviteDelivery
from tests.liaison.invitations import SMTP_DOWN, UTC, D, InvitationTestCase, by_recipient, event_of

T0 = datetime.datetime(2026, 12, 1, 9, tzinfo=UTC)
MINUTE = datetime.timedelta(minutes=1)


class InvitationRetryTestCase(InvitationTestCase):
    def test_an_error_text_holding_nul_is_still_recorded(self):
        # PostgreSQL cannot store NUL; the error is recorded without it, the retry queued.
        with mock.patch(
            "django.core.mail.EmailMessage.send", side_effect=OSError("bad\x00 reply")
        ):
            self.confirm()
        delivery = InviteDelivery.objects.get(recipient_email="dana@example.org")
        self.assertEqual((delivery.status, delivery.last_error), (D.QUEUED, "OSError: bad reply"))

    def test_a_failing_server_is_retried_with_a_growing_wait_then_the_delivery_fails(self):
        with time_machine.travel(T0, tick=False), SMTP_DOWN:
            self.confirm()
        self.assertEqual(mail.outbox, [])
        delivery = InviteDelivery.objects.get(recipient_email="dana@example.org")
        self.assertEqual((delivery.status, delivery.attempts), (D.QUEUED, 1))
        self.assertEqual(
            delivery.last_error, "SMTPServerDisconnected: Connection unexpectedly closed"
        )
        self.assertEqual(delivery.due_at, T0 + MINUTE)

        # Not due yet: the sweep leaves it alone.
        with time_machine.travel(T0 + MINUTE / 2, tick=False), SMTP_DOWN:
            self.assertEqual(self.sweep(), 0)
        delivery.refresh_from_db()
        self.assertEqual(delivery.attempts, 1)

        # Each sweep once it is due tries again, and waits longer after each failure.
        for attempts, wait in enumerate((2, 4, 8, 15, 15), start=2):
            now = delivery.due_at
            with time_machine.travel(now, tick=False), SMTP_DOWN:
                self.sweep()
            delivery.refresh_from_db()
            self.assertEqual((delivery.status, delivery.attempts), (D.QUEUED, attempts))
            self.assertEqual(delivery.due_at, now + wait * MINUTE)
            self.assertIsNone(delivery.lease_until)

        # Once the retry window since it was queued has passed, it fails with the reason.
        window = datetime.timedelta(hours=settings.OUTBOX_RETRY_HOURS)
        with time_machine.travel(T0 + window, tick=False), SMTP_DOWN:
            self.sweep()
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (D.FAILED, 7))
        self.assertEqual(
            delivery.last_error, "SMTPServerDisconnected: Connection unexpectedly closed"
        )
        self.assertEqual(mail.outbox, [])

        # A failed delivery is not tried again by the sweep, nor by a stale task.
        with time_machine.travel(T0 + 2 * window, tick=False):
            self.assertEqual(self.sweep(), 0)
            self.assertEqual(invites.send_invitations(self.meeting.pk), 0)
            self.assertEqual(invites.retry_delivery(delivery.pk, 1), 0)
        self.assertEqual(mail.outbox, [])

    @override_settings(OUTBOX_RETRY_HOURS=1)
    def test_the_retry_window_is_a_setting(self):
        with time_machine.travel(T0, tick=False), SMTP_DOWN:
            self.confirm()
        with time_machine.travel(T0 + 59 * MINUTE, tick=False), SMTP_DOWN:
            self.sweep()
        self.assertEqual(set(InviteDelivery.objects.values_list("status", flat=True)), {D.QUEUED})
        # The first attempt due after the hour is the last.
        due = InviteDelivery.objects.first().due_at
        self.assertGreater(due, T0 + 60 * MINUTE)
        with time_machine.travel(due, tick=False), SMTP_DOWN:
            self.sweep()
        self.assertEqual(set(InviteDelivery.objects.values_list("status", flat=True)), {D.FAILED})

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

        # The next sweep after the wait sends Eli's, and only Eli's.
        mail.outbox.clear()
        with time_machine.travel(eli.due_at):
            self.assertEqual(self.sweep(), 1)
        self.assertEqual(list(by_recipient()), ["eli@example.org"])

    def test_a_retry_that_succeeds_sends_once(self):
        with time_machine.travel(T0, tick=False), SMTP_DOWN:
            self.confirm()
        self.assertEqual(mail.outbox, [])

        with time_machine.travel(T0 + MINUTE, tick=False):
            self.assertEqual(self.sweep(), 3)
            self.assertEqual(self.sweep(), 0)  # run twice
            self.assertEqual(invites.send_invitations(self.meeting.pk), 0)
            delivery = InviteDelivery.objects.get(recipient_email="eli@example.org")
            self.assertEqual(invites.retry_delivery(delivery.pk, 1), 0)  # a legacy retry

        self.assertEqual(
            (delivery.status, delivery.attempts, delivery.last_error), (D.SENT, 2, "")
        )
        self.assertEqual(
            sorted(m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox),
            sorted(self.recipients),
        )

    def test_a_retry_after_the_meeting_changed_again_is_superseded(self):
        with time_machine.travel(T0, tick=False), SMTP_DOWN:
            meeting = self.confirm()
            self.save(meeting, location="Silver Spring")
            self.send(meeting)
        old = InviteDelivery.objects.get(
            recipient_email="eli@example.org", sequence=meeting.sequence - 1
        )
        self.assertEqual((old.status, old.attempts), (D.QUEUED, 1))

        with time_machine.travel(T0 + MINUTE, tick=False):
            self.assertEqual(self.sweep(), 3)

        old.refresh_from_db()
        self.assertEqual(old.status, D.FAILED)
        self.assertTrue(old.last_error.startswith("Superseded"))
        # Each recipient gets the current version only.
        self.assertEqual(set(by_recipient()), self.recipients)
        self.assertEqual(len(mail.outbox), 3)
        for message in mail.outbox:
            _, event = event_of(message)
            self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)

    def test_two_workers_never_both_send_a_delivery(self):
        meeting = self.confirm()
        delivery = InviteDelivery.objects.get(recipient_email="eli@example.org")
        # Queued and due again (as after a failed attempt whose wait is over).
        InviteDelivery.objects.filter(pk=delivery.pk).update(status=D.QUEUED, sent_at=None)
        mail.outbox.clear()
        # Two workers read the same queued row; only one claims it.
        first = InviteDelivery.objects.get(pk=delivery.pk)
        second = InviteDelivery.objects.get(pk=delivery.pk)

        self.assertTrue(outbox.claim(first))
        self.assertFalse(outbox.claim(second))
        # Held by the first worker's lease: neither the meeting's task nor the sweep sends it.
        self.assertEqual(invites.send_invitations(meeting.pk), 0)
        self.assertEqual(self.sweep(), 0)
        self.assertEqual(mail.outbox, [])


def closed_port():
    """A local TCP port nothing listens on: connecting to it is refused."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpOutageTestCase(InvitationTestCase):
    def test_refused_connections_then_recovery_deliver_every_invite_exactly_once(self):
        refusing = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=closed_port(),
            EMAIL_TIMEOUT=2,
        )
        with time_machine.travel(T0, tick=False), refusing:
            self.confirm()
            # Sweeps while the server is still down change nothing but the count.
            with time_machine.travel(T0 + MINUTE, tick=False):
                self.assertEqual(self.sweep(), 0)
        deliveries = list(InviteDelivery.objects.order_by("pk"))
        self.assertEqual({d.recipient_email for d in deliveries}, self.recipients)
        self.assertTrue(all(d.status == D.QUEUED and d.attempts == 2 for d in deliveries))
        self.assertTrue(
            all("Connection" in d.last_error or "refused" in d.last_error for d in deliveries)
        )

        # The server is back: the sweep runs, and runs again, with the meeting's own task.
        with time_machine.travel(T0 + 5 * MINUTE, tick=False):
            self.sweep()
            self.sweep()
            invites.send_invitations(self.meeting.pk)

        self.assertEqual(
            sorted(m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox),
            sorted(self.recipients),
        )
        self.assertEqual(set(InviteDelivery.objects.values_list("status", flat=True)), {D.SENT})
