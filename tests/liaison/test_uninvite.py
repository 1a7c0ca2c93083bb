"""Someone taken off a confirmed meeting gets a cancellation of their invitation with the
next send (taking them off sends nothing by itself)."""

import datetime

import time_machine
from django.core import mail

from liaison.calendars import invitations as invites
from liaison.models import InviteDelivery
from tests.liaison.calendar_readers import read_vobject
from tests.liaison.factories import LIST_URL, meeting_form
from tests.liaison.invitations import (
    CANARY,
    SMTP_DOWN,
    D,
    InvitationTestCase,
    S,
    addresses,
    by_recipient,
    calendar_of,
    event_of,
    send_url,
)
from tests.outbox import committed


class UninviteTestCase(InvitationTestCase):
    """Someone sent an invitation who leaves the meeting gets a CANCEL with the next send,
    so it leaves their calendar; nobody else hears of it."""

    def remove(self, meeting, contact=None, user=None):
        """Take them off the meeting and commit: that alone sends nothing (checked)."""
        with self.queues_nothing(), committed():
            if contact:
                meeting.attendees.remove(contact)
            if user:
                meeting.delegation.remove(user)
            meeting.save()

    def test_an_attendee_removed_from_a_confirmed_meeting_alone_gets_a_cancel(self):
        meeting = self.confirm()
        _, invitation = event_of(by_recipient()["rita.osei@fda.example"])
        mail.outbox.clear()

        self.remove(meeting, contact=self.contact)
        self.send(meeting)

        self.assertEqual(list(by_recipient()), ["rita.osei@fda.example"])
        message = mail.outbox[0]
        self.assertTrue(message.subject.startswith("[SCGTP] No longer invited: Potency assay"))
        self.assertIn("You are no longer invited to this meeting", message.body)
        calendar, event = event_of(message)
        self.assertEqual(str(calendar["METHOD"]), "CANCEL")
        self.assertEqual(str(event["STATUS"]), "CANCELLED")
        self.assertEqual(str(event["UID"]), str(invitation["UID"]))
        self.assertGreaterEqual(int(event["SEQUENCE"]), int(invitation["SEQUENCE"]))
        self.assertEqual(addresses(event["ATTENDEE"]), ["rita.osei@fda.example"])
        self.assertEqual(addresses(event["ORGANIZER"]), ["sam@example.org"])
        parsed = read_vobject(calendar_of(message))
        self.assertEqual(parsed.vevent.status.value, "CANCELLED")
        # The meeting itself goes ahead, unchanged for everyone else.
        meeting.refresh_from_db()
        self.assertEqual(meeting.status, S.CONFIRMED)
        delivery = InviteDelivery.objects.get(
            recipient_email="rita.osei@fda.example", method=InviteDelivery.Method.CANCEL
        )
        self.assertEqual((delivery.status, delivery.sequence), (D.SENT, meeting.sequence))

    def test_a_delegate_removed_in_the_admin_gets_a_cancel_without_confidential_text(self):
        meeting = self.confirm()
        mail.outbox.clear()
        self.client.force_login(self.organiser)
        form = meeting_form(
            self.regulator,
            title=meeting.title,
            status="confirmed",
            organiser=self.organiser.pk,
            time_zone=meeting.time_zone,
            local_start=meeting.local_start.strftime("%Y-%m-%d %H:%M"),
            local_end=meeting.local_end.strftime("%Y-%m-%d %H:%M"),
            location=meeting.location,
            join_url=meeting.join_url,
        )
        form["delegation"] = [self.organiser.pk, self.eli.pk]
        form["attendees"] = [self.contact.pk]

        with self.queues_nothing(), committed():
            response = self.client.post(f"{LIST_URL}edit/{meeting.pk}/", form)
        self.assertEqual(response.status_code, 302)
        with committed():
            response = self.client.post(send_url(meeting), {"sequence": meeting.sequence})

        self.assertEqual(response.status_code, 302)
        self.assertEqual(list(by_recipient()), ["dana@example.org"])
        message = mail.outbox[0]
        _, event = event_of(message)
        self.assertEqual(str(event["STATUS"]), "CANCELLED")
        self.assertNotIn(CANARY, message.message().as_string())

    def test_removed_then_invited_again_gets_the_invitation_again(self):
        meeting = self.confirm()
        mail.outbox.clear()
        self.remove(meeting, contact=self.contact)
        self.send(meeting)
        mail.outbox.clear()

        with self.queues_nothing(), committed():
            meeting.attendees.add(self.contact)
            meeting.save()
        self.send(meeting)

        self.assertEqual(list(by_recipient()), ["rita.osei@fda.example"])
        calendar, event = event_of(mail.outbox[0])
        self.assertEqual(str(calendar["METHOD"]), "REQUEST")
        self.assertNotEqual(str(event["STATUS"]), "CANCELLED")
        mail.outbox.clear()

        self.remove(meeting, contact=self.contact)
        self.send(meeting)

        calendar, _ = event_of(mail.outbox[0])
        self.assertEqual(str(calendar["METHOD"]), "CANCEL")
        self.assertEqual(len(mail.outbox), 1)
        rows = InviteDelivery.objects.filter(recipient_email="rita.osei@fda.example")
        self.assertEqual(
            sorted(rows.values_list("method", "status")),
            [
                ("CANCEL", D.SENT),
                ("REQUEST", D.SENT),
            ],
        )

    def test_running_the_task_again_sends_no_second_cancel(self):
        meeting = self.confirm()
        self.remove(meeting, contact=self.contact)
        self.send(meeting)
        sent = len(mail.outbox)

        self.assertEqual(invites.send_invitations(meeting.pk, meeting.sequence, "REQUEST"), 0)
        self.assertEqual(len(mail.outbox), sent)

    def test_leaving_a_meeting_never_confirmed_sends_nothing(self):
        self.remove(self.meeting, contact=self.contact, user=self.dana)

        self.assertEqual(self.send(), 0)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(InviteDelivery.objects.exists())

    def test_someone_removed_is_not_told_again_when_the_meeting_is_cancelled(self):
        meeting = self.confirm()
        self.remove(meeting, contact=self.contact)
        self.send(meeting)
        mail.outbox.clear()

        self.save(meeting, status=S.CANCELLED)
        self.send(meeting)

        self.assertEqual(set(by_recipient()), {"dana@example.org", "eli@example.org"})

    def test_a_cancel_that_fails_is_retried_until_it_is_sent(self):
        meeting = self.confirm()
        mail.outbox.clear()
        with SMTP_DOWN:
            self.remove(meeting, contact=self.contact)
            self.send(meeting)
        delivery = InviteDelivery.objects.get(method=InviteDelivery.Method.CANCEL)
        self.assertEqual((delivery.status, delivery.attempts), (D.QUEUED, 1))
        self.assertIn("SMTPServerDisconnected", delivery.last_error)
        self.assertEqual(mail.outbox, [])

        # The sweep once the wait is over, with the server back.
        with time_machine.travel(delivery.due_at):
            self.assertEqual(self.sweep(), 1)
            self.assertEqual(self.sweep(), 0)

        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (D.SENT, 2))
        self.assertEqual(list(by_recipient()), ["rita.osei@fda.example"])
        self.assertEqual(str(event_of(mail.outbox[0])[0]["METHOD"]), "CANCEL")

    def test_a_send_that_queues_twice_keeps_the_cancel(self):
        # Send pressed twice in one transaction (or two sends racing): the second finds the
        # CANCEL just queued, keeps it, and queues nothing more.
        meeting = self.confirm()
        mail.outbox.clear()
        with self.queues_nothing(), committed():
            self.dana.delegated_meetings.remove(meeting)  # from the person's side

        with committed():
            self.assertEqual(invites.queue(meeting, sent_by=self.organiser), 1)  # Dana's CANCEL
            self.assertEqual(invites.queue(meeting, sent_by=self.organiser), 0)

        self.assertEqual(list(by_recipient()), ["dana@example.org"])
        self.assertEqual(str(event_of(mail.outbox[0])[0]["METHOD"]), "CANCEL")
        self.assertEqual(len(mail.outbox), 1)

    def test_a_meeting_that_moves_before_a_cancel_went_out_still_cancels_it(self):
        meeting = self.confirm()
        mail.outbox.clear()
        with SMTP_DOWN:
            self.remove(meeting, contact=self.contact)
            self.send(meeting)
            moved = meeting.starts_at + datetime.timedelta(hours=1)
            self.save(
                meeting, starts_at=moved, ends_at=meeting.ends_at + datetime.timedelta(hours=1)
            )
            self.send(meeting)
        self.assertEqual(mail.outbox, [])

        with time_machine.travel(datetime.timedelta(minutes=5)):
            self.sweep()

        # Rita is told once that she is no longer invited, in the meeting's latest version;
        # the others get the update.
        self.assertEqual(set(by_recipient()), self.recipients)
        self.assertEqual(len(mail.outbox), 3)
        calendar, event = event_of(by_recipient()["rita.osei@fda.example"])
        self.assertEqual(str(calendar["METHOD"]), "CANCEL")
        self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)
        for email in ("dana@example.org", "eli@example.org"):
            calendar, event = event_of(by_recipient()[email])
            self.assertEqual(str(calendar["METHOD"]), "REQUEST")
            self.assertEqual(event.decoded("DTSTART").astimezone(datetime.UTC), moved)
