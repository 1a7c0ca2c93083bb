"""What a send contains after each kind of change (an invitation, an update, a cancellation,
or nothing), and that the change itself sends nothing: status and time changes, who joins,
transactions, and tasks that run twice or too late."""

import datetime

from django.core import mail
from django.db import transaction

from liaison.calendars import invitations as invites
from liaison.models import Contact, InviteDelivery, Meeting
from tests.factories import make_user
from tests.liaison.factories import ADD_URL, LIST_URL, make_meeting, meeting_form
from tests.liaison.invitations import (
    UTC,
    D,
    InvitationTestCase,
    S,
    addresses,
    by_recipient,
    event_of,
    parse,
    send_url,
)
from tests.outbox import committed


class InvitationSendTestCase(InvitationTestCase):
    """Each change is saved with ``save`` (which checks that it queued and sent nothing),
    then sent with ``send``, as the Secretariat does."""

    def test_a_planned_meeting_sends_nothing(self):
        self.save(location="Silver Spring")

        self.assertEqual(self.send(), 0)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(InviteDelivery.objects.exists())

    def test_confirming_then_sending_invites_the_delegation_and_the_external_attendees(self):
        meeting = self.save(status=S.CONFIRMED)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(InviteDelivery.objects.exists())

        self.assertEqual(self.send(meeting), 3)

        self.assertEqual(set(by_recipient()), self.recipients)
        deliveries = InviteDelivery.objects.filter(meeting=meeting)
        self.assertEqual({d.recipient_email for d in deliveries}, self.recipients)
        for delivery in deliveries:
            self.assertEqual(delivery.status, D.SENT)
            self.assertEqual(delivery.method, "REQUEST")
            self.assertEqual(delivery.sequence, meeting.sequence)
            self.assertEqual(delivery.attempts, 1)
            self.assertIsNotNone(delivery.sent_at)
            self.assertEqual(delivery.sent_by, self.organiser)
        self.assertEqual(
            InviteDelivery.objects.get(recipient_email="dana@example.org").recipient_name,
            "Dana Ng",
        )
        dana = by_recipient()["dana@example.org"]
        self.assertEqual(
            dana.subject,
            "[SCGTP] Invitation: Potency assay liaison, Thursday 10 December 2026, 10:00 EST",
        )
        self.assertIn("Hello Dana Ng,", dana.body)
        self.assertIn(
            "Sam Lee invites you to this meeting as a member of the delegation", dana.body
        )

    def test_the_task_is_enqueued_only_when_the_send_commits(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.meeting.status = S.CONFIRMED
            self.meeting.save()
        self.assertEqual(callbacks, [])  # the save asks for nothing

        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            invites.queue(self.meeting, sent_by=self.organiser)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(len(callbacks), 1)

        callbacks[0]()
        self.assertEqual(set(by_recipient()), self.recipients)

    def test_a_rolled_back_send_sends_nothing(self):
        meeting = self.save(status=S.CONFIRMED)
        with committed() as callbacks:
            try:
                with transaction.atomic():
                    invites.queue(meeting, sent_by=self.organiser)
                    raise RuntimeError("the request failed after queueing")
            except RuntimeError:
                pass

        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])
        self.assertFalse(InviteDelivery.objects.exists())

    def test_after_a_move_the_send_is_an_update_of_the_same_event(self):
        meeting = self.confirm()
        _, first = event_of(by_recipient()["dana@example.org"])
        mail.outbox.clear()

        day = datetime.timedelta(days=1)
        self.save(meeting, starts_at=meeting.starts_at + day, ends_at=meeting.ends_at + day)
        self.assertEqual(mail.outbox, [])
        self.send(meeting)

        self.assertEqual(set(by_recipient()), self.recipients)
        update = by_recipient()["dana@example.org"]
        self.assertTrue(update.subject.startswith("[SCGTP] Updated invitation: "))
        _, event = event_of(update)
        self.assertEqual(str(event["UID"]), str(first["UID"]))
        self.assertEqual(str(event["UID"]), str(meeting.uuid))
        self.assertGreater(int(event["SEQUENCE"]), int(first["SEQUENCE"]))
        self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)
        self.assertEqual(event.decoded("DTSTART").astimezone(UTC), meeting.starts_at)
        self.assertEqual(InviteDelivery.objects.filter(meeting=meeting).count(), 6)

    def test_after_a_change_of_title_or_agenda_alone_there_is_nothing_to_send(self):
        meeting = self.confirm()
        mail.outbox.clear()

        self.save(meeting, title="Potency assay liaison (CMC)", objectives="New objectives")

        self.assertEqual(self.send(meeting), 0)
        self.assertEqual(mail.outbox, [])

    def test_after_cancelling_the_send_is_a_cancellation(self):
        meeting = self.confirm()
        mail.outbox.clear()

        self.save(meeting, status=S.CANCELLED)
        self.assertEqual(mail.outbox, [])
        self.send(meeting)

        self.assertEqual(set(by_recipient()), self.recipients)
        message = by_recipient()["rita.osei@fda.example"]
        self.assertTrue(message.subject.startswith("[SCGTP] Cancelled: Potency assay liaison"))
        calendar, event = event_of(message)
        self.assertEqual(str(calendar["METHOD"]), "CANCEL")
        self.assertEqual(str(event["STATUS"]), "CANCELLED")
        self.assertEqual(str(event["UID"]), str(meeting.uuid))
        self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)
        part = next(p for p in parse(message).walk() if p.get_content_type() == "text/calendar")
        self.assertEqual(part.get_param("method"), "CANCEL")
        self.assertEqual(
            set(InviteDelivery.objects.filter(method="CANCEL").values_list("status", flat=True)),
            {D.SENT},
        )

    def test_a_meeting_cancelled_before_it_was_sent_has_nothing_to_send(self):
        self.save(status=S.CANCELLED)

        self.assertEqual(self.send(), 0)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(InviteDelivery.objects.exists())

    def test_a_held_meeting_has_nothing_to_send(self):
        meeting = self.confirm()
        mail.outbox.clear()

        self.save(meeting, status=S.HELD)

        self.assertEqual(self.send(meeting), 0)
        self.assertEqual(mail.outbox, [])

    def test_someone_added_to_a_confirmed_meeting_is_the_only_one_the_send_invites(self):
        meeting = self.confirm()
        mail.outbox.clear()
        newcomer = Contact.objects.create(name="Ann Bo", email="ann@hc.example")

        with self.queues_nothing(), committed():
            meeting.attendees.add(newcomer)
            meeting.save()
        self.send(meeting)

        self.assertEqual(set(by_recipient()), {"ann@hc.example"})
        _, event = event_of(mail.outbox[0])
        self.assertIn("ann@hc.example", addresses(event["ATTENDEE"]))

    def test_after_postponing_the_send_is_a_tentative_update(self):
        meeting = self.confirm()
        mail.outbox.clear()

        self.save(meeting, status=S.POSTPONED)
        self.send(meeting)

        self.assertEqual(set(by_recipient()), self.recipients)
        message = by_recipient()["eli@example.org"]
        self.assertTrue(message.subject.startswith("[SCGTP] Postponed: Potency assay liaison"))
        calendar, event = event_of(message)
        self.assertEqual(str(calendar["METHOD"]), "REQUEST")
        self.assertEqual(str(event["STATUS"]), "TENTATIVE")
        self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)

    def test_confirming_in_the_admin_then_sending_invites_each_recipient_once(self):
        self.client.force_login(self.organiser)
        form = meeting_form(self.regulator, status="confirmed", organiser=self.organiser.pk)
        form["delegation"] = [self.dana.pk, self.eli.pk]
        form["attendees"] = [self.contact.pk]

        with self.queues_nothing(), committed():
            response = self.client.post(ADD_URL, form)
        self.assertEqual(response.status_code, 302)
        meeting = Meeting.objects.get(title="Annual Cell Therapy Liaison Meeting")
        with committed():
            response = self.client.post(send_url(meeting), {"sequence": meeting.sequence})

        self.assertEqual(response.status_code, 302)
        self.assertEqual(set(by_recipient()), self.recipients)
        self.assertEqual(len(mail.outbox), 3)
        mail.outbox.clear()

        form["local_start"], form["local_end"] = "2026-06-11 09:00", "2026-06-11 11:30"
        with self.queues_nothing(), committed():
            response = self.client.post(f"{LIST_URL}edit/{meeting.pk}/", form)
        self.assertEqual(response.status_code, 302)
        meeting.refresh_from_db()
        with committed():
            response = self.client.post(send_url(meeting), {"sequence": meeting.sequence})

        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(mail.outbox), 3)
        _, event = event_of(by_recipient()["rita.osei@fda.example"])
        meeting.refresh_from_db()
        self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)
        self.assertEqual(event.decoded("DTSTART").astimezone(UTC), meeting.starts_at)

    def test_someone_joining_from_the_person_side_is_invited_by_the_next_send(self):
        meeting = self.confirm()
        mail.outbox.clear()
        newcomer = make_user("Liaison delegates", email="new@example.org")
        planned = make_meeting(self.regulator, title="Still planned", organiser=self.organiser)

        with self.queues_nothing(), committed():
            newcomer.delegated_meetings.add(meeting, planned)
        self.send(meeting)
        self.assertEqual(self.send(planned), 0)

        self.assertEqual(set(by_recipient()), {"new@example.org"})
        self.assertIn("Potency assay liaison", mail.outbox[0].subject)

    def test_running_the_task_twice_sends_nothing_the_second_time(self):
        meeting = self.confirm()
        sent = len(mail.outbox)

        again = invites.send_invitations(meeting.pk, meeting.sequence, "REQUEST")

        self.assertEqual(again, 0)
        self.assertEqual(len(mail.outbox), sent)
        self.assertEqual(InviteDelivery.objects.count(), 3)

    def test_an_outdated_task_sends_nothing(self):
        meeting = self.confirm()
        old = meeting.sequence
        self.save(meeting, location="Silver Spring")
        self.send(meeting)
        mail.outbox.clear()

        self.assertEqual(invites.send_invitations(meeting.pk, old + 5, "REQUEST"), 0)
        self.assertEqual(mail.outbox, [])

    def test_without_an_organiser_the_deliveries_fail_with_the_reason(self):
        self.meeting.organiser = None
        self.confirm()

        self.assertEqual(mail.outbox, [])
        deliveries = InviteDelivery.objects.all()
        # Without an organiser, Sam (on the delegation) is an ordinary recipient.
        self.assertEqual(
            {d.recipient_email for d in deliveries}, self.recipients | {"sam@example.org"}
        )
        for delivery in deliveries:
            self.assertEqual(delivery.status, D.FAILED)
            self.assertEqual(
                delivery.last_error, "The meeting has no organiser with an e-mail address."
            )
