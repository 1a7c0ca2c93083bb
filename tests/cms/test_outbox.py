"""cms.outbox: a message posted is stored whole and sent once; a worker's claim is its
alone, for a lease; a refused message waits longer after each failure, then fails with the
reason; failed rows can be queued again; and the worker is asked once per transaction."""

import datetime
import email
import email.policy
from unittest import mock

import time_machine
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.test import TestCase, override_settings
from django_q.models import Schedule

from cms import outbox
from cms.models import OutgoingMail
from tests.outbox import committed

T0 = datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)
PNG = bytes(range(256))  # not text in any encoding
REFUSED = mock.patch(
    "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("SMTP down")
)


def message(to="ann@example.org", subject="Hello", body="Body text"):
    return EmailMessage(subject=subject, body=body, to=[to], from_email="site@example.org")


def rich_message():
    msg = EmailMultiAlternatives(
        subject="Agenda for Thursday – “draft”",
        body="Plain text, with accents: café.\n",
        from_email="Liaise <site@example.org>",
        to=["Ann Bo <ann@example.org>"],
        cc=["cc@example.org"],
        bcc=["bcc@example.org"],
        reply_to=["Sam Lee <sam@example.org>"],
        headers={"Auto-Submitted": "auto-generated", "List-Unsubscribe": "<https://x/u/>"},
    )
    msg.attach_alternative("<p>Plain text, with accents: café.</p>", "text/html")
    msg.attach_alternative("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar; method=REQUEST")
    msg.attach("notes.txt", "Some notes ✓", "text/plain")
    msg.attach("logo.png", PNG, "image/png")
    return msg


def parsed(msg):
    return email.message_from_bytes(msg.message().as_bytes(), policy=email.policy.default)


def row(**fields):
    """A queued, due e-mail row, as ``post`` makes it."""
    fields.setdefault("payload", outbox.serialize(message()))
    return OutgoingMail.objects.create(kind="test", due_at=fields.pop("due_at", T0), **fields)


class PostTestCase(TestCase):
    def test_a_message_comes_back_from_the_outbox_as_it_was_posted(self):
        original = rich_message()

        with time_machine.travel(T0, tick=False):
            posted = outbox.post(original, kind="test")

        stored = OutgoingMail.objects.get()
        self.assertEqual(stored.pk, posted.pk)
        self.assertEqual((stored.status, stored.attempts), (outbox.QUEUED, 0))
        self.assertEqual((stored.queued_at, stored.due_at), (T0, T0))
        self.assertEqual(stored.kind, "test")
        self.assertEqual(stored.subject, original.subject)
        self.assertEqual(
            stored.recipients, "Ann Bo <ann@example.org>, cc@example.org, bcc@example.org"
        )
        # post gives it a Message-ID, kept with it.
        message_id = original.extra_headers["Message-ID"]
        self.assertRegex(message_id, r"^<.+@testserver>$")

        copy = outbox.deserialize(stored.payload)  # from the JSON the database gave back

        for name in ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to"):
            self.assertEqual(getattr(copy, name), getattr(original, name), name)
        self.assertEqual(copy.extra_headers, original.extra_headers)
        self.assertEqual(copy.alternatives, original.alternatives)
        self.assertEqual(copy.attachments, original.attachments)
        self.assertEqual(copy.recipients(), original.recipients())
        # As it goes on the wire: the same parts, the binary one byte for byte.
        sent, made = parsed(copy), parsed(original)
        self.assertEqual(sent["Message-ID"], message_id)
        self.assertEqual(
            [p.get_content_type() for p in sent.walk()],
            [p.get_content_type() for p in made.walk()],
        )
        [logo] = [p for p in sent.walk() if p.get_filename() == "logo.png"]
        self.assertEqual(logo.get_content(), PNG)
        [notes] = [p for p in sent.walk() if p.get_filename() == "notes.txt"]
        self.assertEqual(notes.get_content(), "Some notes ✓")

    def test_an_attachment_that_is_not_a_tuple_is_refused(self):
        from email.mime.text import MIMEText

        msg = message()
        msg.attach(MIMEText("already built"))

        with self.assertRaises(TypeError):
            outbox.post(msg, kind="test")
        self.assertFalse(OutgoingMail.objects.exists())

    def test_a_message_keyed_twice_is_stored_once(self):
        first = outbox.post(message(body="first"), kind="error report", key="error:abc:1")
        second = outbox.post(message(body="second"), kind="error report", key="error:abc:1")

        self.assertIsNotNone(first)
        self.assertIsNone(second)
        [stored] = OutgoingMail.objects.all()
        self.assertEqual(stored.payload["body"], "first")
        # The caller's transaction is unharmed, and another key is another message.
        outbox.post(message(body="third"), kind="error report", key="error:abc:2")
        self.assertEqual(OutgoingMail.objects.count(), 2)

    def test_without_a_key_a_message_may_be_posted_twice(self):
        outbox.post(message(), kind="test")
        outbox.post(message(), kind="test")

        self.assertEqual(OutgoingMail.objects.count(), 2)

    def test_a_message_posted_in_a_transaction_rolled_back_is_not_kept(self):
        with committed() as callbacks:
            try:
                with transaction.atomic():
                    outbox.post(message(), kind="test")
                    raise IntegrityError("the change failed")
            except IntegrityError:
                pass

        self.assertFalse(OutgoingMail.objects.exists())
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])


class HintTestCase(TestCase):
    def test_the_worker_is_asked_once_per_transaction_however_many_rows(self):
        with self.captureOnCommitCallbacks() as callbacks:
            for n in range(5):
                outbox.post(message(to=f"p{n}@example.org"), kind="test")
            outbox.hint(outbox.SEND_DUE)

        self.assertEqual(callbacks, [outbox.Hint(outbox.SEND_DUE, ())])
        self.assertEqual(mail.outbox, [])  # nothing before the commit
        with mock.patch("django_q.tasks.async_task") as enqueue:
            callbacks[0]()
        enqueue.assert_called_once_with(
            outbox.SEND_DUE, group="outbox", q_options={"ack_failure": True}
        )

    def test_each_task_and_arguments_are_asked_once(self):
        with self.captureOnCommitCallbacks() as callbacks:
            outbox.hint("liaison.tasks.send_invitations", 1)
            outbox.hint("liaison.tasks.send_invitations", 2)
            outbox.hint("liaison.tasks.send_invitations", 1)
            outbox.hint(outbox.SEND_DUE)
            outbox.hint(outbox.SEND_DUE)

        self.assertEqual(
            callbacks,
            [
                outbox.Hint("liaison.tasks.send_invitations", (1,)),
                outbox.Hint("liaison.tasks.send_invitations", (2,)),
                outbox.Hint(outbox.SEND_DUE, ()),
            ],
        )

    def test_a_hint_rolled_back_with_its_savepoint_is_asked_again(self):
        with self.captureOnCommitCallbacks() as callbacks:
            try:
                with transaction.atomic():
                    outbox.post(message(), kind="test")
                    raise IntegrityError("rolled back")
            except IntegrityError:
                pass
            outbox.post(message(), kind="test")

        self.assertEqual(callbacks, [outbox.Hint(outbox.SEND_DUE, ())])
        self.assertEqual(OutgoingMail.objects.count(), 1)

    def test_the_hint_sends_the_mail_when_the_transaction_commits(self):
        with committed():
            outbox.post(message(to="a@example.org"), kind="test")
            outbox.post(message(to="b@example.org"), kind="test")
            self.assertEqual(mail.outbox, [])

        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["a@example.org", "b@example.org"])
        self.assertEqual(set(OutgoingMail.objects.values_list("status", flat=True)), {outbox.SENT})

    def test_a_broker_that_cannot_be_reached_loses_the_hint_not_the_mail(self):
        with (
            mock.patch("django_q.tasks.async_task", side_effect=ConnectionError("refused")),
            self.assertLogs("cms.outbox", "WARNING") as logs,
            committed(),
        ):
            outbox.post(message(), kind="test")

        self.assertIn("Could not reach the task broker", logs.output[0])
        self.assertEqual(mail.outbox, [])
        self.assertEqual(OutgoingMail.objects.get().status, outbox.QUEUED)
        # The sweep sends it, once.
        self.assertEqual(outbox.send_due(), 1)
        self.assertEqual(outbox.send_due(), 0)
        self.assertEqual(len(mail.outbox), 1)

    def test_the_sweep_runs_every_minute(self):
        schedule = Schedule.objects.get(func=outbox.SEND_DUE)

        self.assertEqual((schedule.schedule_type, schedule.minutes), (Schedule.MINUTES, 1))
        self.assertEqual(schedule.repeats, -1)


@override_settings(OUTBOX_LEASE_SECONDS=300, OUTBOX_RETRY_HOURS=24)
class ClaimTestCase(TestCase):
    def test_only_one_worker_claims_a_row(self):
        mail_row = row()
        first = OutgoingMail.objects.get(pk=mail_row.pk)
        second = OutgoingMail.objects.get(pk=mail_row.pk)

        with time_machine.travel(T0, tick=False):
            self.assertTrue(outbox.claim(first))
            self.assertFalse(outbox.claim(second))
            self.assertFalse(outbox.claim(first))  # nor the same one twice

        mail_row.refresh_from_db()
        self.assertEqual(mail_row.attempts, 1)
        self.assertEqual(first.attempts, 1)
        self.assertEqual(mail_row.lease_until, T0 + datetime.timedelta(seconds=300))

    def test_a_row_not_yet_due_or_not_queued_is_not_claimed(self):
        later = row(due_at=T0 + MINUTE)
        sent = row(status=outbox.SENT)
        failed = row(status=outbox.FAILED)

        with time_machine.travel(T0, tick=False):
            for each in (later, sent, failed):
                self.assertFalse(outbox.claim(each))
            self.assertEqual(list(outbox.due(OutgoingMail.objects.all())), [])
        with time_machine.travel(T0 + MINUTE, tick=False):
            self.assertEqual(list(outbox.due(OutgoingMail.objects.all())), [later])

    def test_a_row_whose_worker_died_is_due_again_when_its_lease_runs_out(self):
        mail_row = row()
        with time_machine.travel(T0, tick=False):
            self.assertTrue(outbox.claim(OutgoingMail.objects.get(pk=mail_row.pk)))
            # The worker dies here: still queued, held by its lease.
        lease = datetime.timedelta(seconds=300)

        with time_machine.travel(T0 + lease - datetime.timedelta(seconds=1), tick=False):
            self.assertFalse(outbox.due(OutgoingMail.objects.all()).exists())
            self.assertEqual(outbox.send_due(), 0)
        with time_machine.travel(T0 + lease + datetime.timedelta(seconds=1), tick=False):
            self.assertTrue(outbox.due(OutgoingMail.objects.all()).exists())
            self.assertEqual(outbox.send_due(), 1)
            self.assertEqual(outbox.send_due(), 0)

        self.assertEqual(len(mail.outbox), 1)
        mail_row.refresh_from_db()
        self.assertEqual((mail_row.status, mail_row.attempts), (outbox.SENT, 2))
        self.assertIsNone(mail_row.lease_until)


@override_settings(OUTBOX_RETRY_HOURS=24)
class FailureTestCase(TestCase):
    def test_the_wait_grows_after_each_failure_up_to_a_quarter_of_an_hour(self):
        waits = [outbox.backoff(attempts) for attempts in range(1, 9)]

        self.assertEqual(waits, [m * MINUTE for m in (1, 2, 4, 8, 15, 15, 15, 15)])
        self.assertEqual(outbox.backoff(0), MINUTE)
        self.assertEqual(outbox.backoff(60), 15 * MINUTE)  # no overflow, however many

    def test_a_refused_message_is_retried_after_the_wait_until_the_window_closes(self):
        with time_machine.travel(T0, tick=False):
            mail_row = row(queued_at=T0)
        clock = T0
        for attempts, wait in enumerate((1, 2, 4, 8, 15, 15), start=1):
            with time_machine.travel(clock, tick=False), REFUSED:
                self.assertEqual(outbox.send_due(), 0)
            mail_row.refresh_from_db()
            self.assertEqual((mail_row.status, mail_row.attempts), (outbox.QUEUED, attempts))
            self.assertEqual(mail_row.due_at, clock + wait * MINUTE)
            self.assertEqual(mail_row.last_error, "ConnectionRefusedError: SMTP down")
            self.assertIsNone(mail_row.lease_until)
            # Before the wait is over, nothing is tried.
            with time_machine.travel(mail_row.due_at - datetime.timedelta(seconds=1)), REFUSED:
                self.assertFalse(outbox.due(OutgoingMail.objects.all()).exists())
            clock = mail_row.due_at

        # The first attempt once the window has closed is the last: failed, with the reason.
        with time_machine.travel(T0 + datetime.timedelta(hours=24), tick=False), REFUSED:
            self.assertEqual(outbox.send_due(), 0)
        mail_row.refresh_from_db()
        self.assertEqual((mail_row.status, mail_row.attempts), (outbox.FAILED, 7))
        self.assertEqual(mail_row.last_error, "ConnectionRefusedError: SMTP down")
        with time_machine.travel(T0 + datetime.timedelta(hours=48), tick=False):
            self.assertEqual(outbox.send_due(), 0)
        self.assertEqual(mail.outbox, [])

    def test_mark_failed_says_whether_it_gave_up(self):
        with time_machine.travel(T0, tick=False):
            mail_row = row(queued_at=T0)
            self.assertTrue(outbox.claim(mail_row))
            self.assertFalse(outbox.mark_failed(mail_row, OSError("bad\x00 reply")))
        mail_row.refresh_from_db()
        # PostgreSQL cannot store NUL: the reason is kept without it.
        self.assertEqual(mail_row.last_error, "OSError: bad reply")

        with time_machine.travel(T0 + datetime.timedelta(hours=24), tick=False):
            self.assertTrue(outbox.claim(mail_row))
            self.assertTrue(outbox.mark_failed(mail_row, "Gone for good"))
        mail_row.refresh_from_db()
        self.assertEqual((mail_row.status, mail_row.last_error), (outbox.FAILED, "Gone for good"))

    def test_one_refused_message_does_not_stop_the_others(self):
        for to in ("a@example.org", "refuses@example.org", "c@example.org"):
            row(payload=outbox.serialize(message(to=to)))
        real_send = EmailMessage.send

        def refuse_one(msg, *args, **kwargs):
            if msg.to == ["refuses@example.org"]:
                raise ConnectionRefusedError("mailbox unavailable")
            return real_send(msg, *args, **kwargs)

        with (
            time_machine.travel(T0, tick=False),
            mock.patch.object(EmailMessage, "send", refuse_one),
        ):
            self.assertEqual(outbox.send_due(), 2)

        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["a@example.org", "c@example.org"])
        refused = OutgoingMail.objects.get(status=outbox.QUEUED)
        self.assertEqual(refused.payload["to"], ["refuses@example.org"])

    def test_requeue_puts_failed_rows_back_with_a_fresh_window(self):
        failed = row(status=outbox.FAILED, attempts=7, queued_at=T0, last_error="Refused")
        sent = row(status=outbox.SENT, attempts=1, queued_at=T0)
        later = T0 + datetime.timedelta(days=2)
        before = outbox.message_id(failed)

        with time_machine.travel(later, tick=False):
            self.assertEqual(outbox.requeue(OutgoingMail.objects.filter(status=outbox.FAILED)), 1)
            failed.refresh_from_db()
            self.assertEqual(
                (failed.status, failed.attempts, failed.last_error), (outbox.QUEUED, 0, "")
            )
            self.assertEqual((failed.queued_at, failed.due_at), (later, later))
            self.assertIsNone(failed.lease_until)
            # A new Message-ID: a deliberate resend is a new message.
            self.assertNotEqual(outbox.message_id(failed), before)
            self.assertEqual(outbox.message_id(failed), outbox.message_id(failed))
            self.assertEqual(outbox.send_due(), 1)
        sent.refresh_from_db()
        self.assertEqual(sent.attempts, 1)  # untouched
        self.assertEqual(len(mail.outbox), 1)
        failed.refresh_from_db()
        self.assertEqual((failed.status, failed.attempts), (outbox.SENT, 1))

    def test_a_requeued_row_has_a_fresh_retry_window(self):
        failed = row(status=outbox.FAILED, attempts=7, queued_at=T0, last_error="Refused")
        later = T0 + datetime.timedelta(days=2)

        with time_machine.travel(later, tick=False):
            outbox.requeue(OutgoingMail.objects.filter(pk=failed.pk))
            with REFUSED:
                outbox.send_due()

        # Refused again, two days after it was first queued: retried, not given up.
        failed.refresh_from_db()
        self.assertEqual((failed.status, failed.attempts), (outbox.QUEUED, 1))
        self.assertEqual(failed.due_at, later + MINUTE)

    def test_give_up_fails_a_queued_row_with_the_reason(self):
        queued = row()
        sent = row(status=outbox.SENT)

        outbox.give_up(queued, "No longer applies.")
        outbox.give_up(sent, "No longer applies.")

        queued.refresh_from_db()
        sent.refresh_from_db()
        self.assertEqual((queued.status, queued.last_error), (outbox.FAILED, "No longer applies."))
        self.assertEqual((sent.status, sent.last_error), (outbox.SENT, ""))
        self.assertEqual(outbox.send_due(), 0)


class SendTestCase(TestCase):
    def test_a_sensitive_message_is_erased_once_sent_and_others_are_kept(self):
        secret = message(body="Your link: https://testserver/calendar/feed/SECRET.ics")
        with committed():
            outbox.post(secret, kind="subscription", sensitive=True)
            outbox.post(message(body="A reminder"), kind="reminder")

        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("SECRET", mail.outbox[0].body + mail.outbox[1].body)
        sensitive = OutgoingMail.objects.get(kind="subscription")
        self.assertEqual((sensitive.status, sensitive.payload), (outbox.SENT, {}))
        self.assertEqual(sensitive.recipients, "ann@example.org")  # the record stays
        kept = OutgoingMail.objects.get(kind="reminder")
        self.assertEqual(kept.status, outbox.SENT)
        self.assertEqual(kept.payload["body"], "A reminder")

    def test_a_sensitive_message_is_kept_while_it_waits(self):
        with REFUSED, committed():
            outbox.post(message(body="https://x/SECRET"), kind="subscription", sensitive=True)

        waiting = OutgoingMail.objects.get()
        self.assertEqual(waiting.status, outbox.QUEUED)
        self.assertEqual(waiting.payload["body"], "https://x/SECRET")

    def test_the_message_sent_carries_the_message_id_it_was_posted_with(self):
        msg = message()
        with committed():
            outbox.post(msg, kind="test")

        [sent] = mail.outbox
        self.assertEqual(sent.extra_headers["Message-ID"], msg.extra_headers["Message-ID"])
        self.assertEqual(parsed(sent)["Message-ID"], msg.extra_headers["Message-ID"])

    def test_the_oldest_due_are_sent_first_and_one_run_sends_at_most_a_batch(self):
        for n in range(5):
            row(
                payload=outbox.serialize(message(to=f"p{n}@example.org")),
                due_at=T0 - n * MINUTE,
            )

        with time_machine.travel(T0, tick=False), mock.patch.object(outbox, "BATCH", 3):
            self.assertEqual(outbox.send_due(), 3)
            self.assertEqual(
                [m.to[0] for m in mail.outbox],
                ["p4@example.org", "p3@example.org", "p2@example.org"],
            )
            self.assertEqual(outbox.send_due(), 2)
        self.assertEqual(len(mail.outbox), 5)

    def test_nothing_to_send_opens_no_connection(self):
        with mock.patch("django.core.mail.backends.locmem.EmailBackend.open") as opened:
            self.assertEqual(outbox.send_due(), 0)

        opened.assert_not_called()
