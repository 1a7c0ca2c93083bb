"""A mail server that is down while someone subscribes: the visitor is told the e-mail is on
its way, because it is: it waits in the outbox and goes once the server answers."""

import datetime
import smtplib
from unittest import mock

import time_machine
from django.core import mail

from cms import outbox
from cms.models import OutgoingMail
from liaison.models import Subscriber
from tests.liaison.subscriptions import SENT_URL, UTC, SubscriptionTestCase, link_to, path_of

START = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)
SMTP_REFUSES = mock.patch(
    "django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPException("down")
)


class MailFailureTestCase(SubscriptionTestCase):
    def test_a_refused_confirmation_waits_in_the_outbox_and_goes_once_the_server_answers(self):
        with time_machine.travel(START, tick=False), SMTP_REFUSES:
            response = self.subscribe(email="grace@example.org", name="Grace Liu")

        # The visitor gets the usual page, never a 500 nor "try again".
        self.assertRedirects(response, SENT_URL)
        self.assertContains(self.client.get(SENT_URL), "Check your inbox")
        self.assertTrue(Subscriber.objects.filter(email="grace@example.org").exists())
        self.assertEqual(mail.outbox, [])
        [row] = OutgoingMail.objects.all()
        self.assertEqual((row.status, row.attempts), (outbox.QUEUED, 1))
        self.assertEqual(row.last_error, "SMTPException: down")
        self.assertEqual(row.recipients, "grace@example.org")
        self.assertEqual(row.due_at, START + datetime.timedelta(minutes=1))
        self.assertTrue(row.payload)  # kept until it is sent

        # Before it is due again, a sweep leaves it alone.
        with time_machine.travel(START + datetime.timedelta(seconds=30), tick=False):
            self.assertEqual(outbox.send_due(), 0)
        self.assertEqual(mail.outbox, [])

        # The server is back: the next sweep sends it, once.
        with time_machine.travel(START + datetime.timedelta(minutes=2), tick=False):
            self.assertEqual(outbox.send_due(), 1)
            self.assertEqual(outbox.send_due(), 0)
        [confirmation] = mail.outbox
        self.assertEqual(confirmation.to, ["grace@example.org"])
        self.assertIn("Confirm", confirmation.subject)
        row.refresh_from_db()
        self.assertEqual((row.status, row.attempts, row.last_error), (outbox.SENT, 2, ""))

        # Its link works: the visitor subscribes as if nothing had happened.
        with time_machine.travel(START + datetime.timedelta(minutes=3), tick=False):
            self.confirm(confirmation)
        self.assertIsNotNone(Subscriber.objects.get(email="grace@example.org").confirmed_at)
        self.assertEqual(len(mail.outbox), 2)  # and the welcome e-mail

    def test_a_subscription_email_is_erased_from_the_outbox_once_sent(self):
        subscriber, welcome = self.subscribed()
        feed_url = link_to(welcome, "/calendar/feed/")
        confirm_path = path_of(link_to(mail.outbox[0], "/confirm/"))
        secret = feed_url.rsplit("/", 1)[-1].removesuffix(".ics")

        rows = OutgoingMail.objects.filter(kind="subscription").order_by("pk")
        self.assertEqual(len(rows), 2)
        for row in rows:
            with self.subTest(subject=row.subject):
                self.assertEqual(row.status, outbox.SENT)
                self.assertTrue(row.sensitive)
                self.assertEqual(row.payload, {})
                # What stays says that it was sent, and to whom: no link, no feed token.
                self.assertEqual(row.recipients, subscriber.email)
                stored = f"{row.subject} {row.recipients} {row.last_error} {row.key}"
                self.assertNotIn(secret, stored)
                self.assertNotIn(confirm_path.split("/")[-2], stored)

    def test_a_queued_subscription_email_keeps_its_content_until_it_is_sent(self):
        with SMTP_REFUSES:
            self.subscribe()
        row = OutgoingMail.objects.get()
        self.assertEqual(row.status, outbox.QUEUED)
        self.assertIn("/calendar/subscribe/confirm/", row.payload["body"])

        with time_machine.travel(datetime.timedelta(minutes=2)):
            outbox.send_due()

        row.refresh_from_db()
        self.assertEqual((row.status, row.payload), (outbox.SENT, {}))
        self.assertIn("/calendar/subscribe/confirm/", mail.outbox[0].body)
