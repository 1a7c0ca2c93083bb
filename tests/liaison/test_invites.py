"""E-mailed invitations: what triggers them, the MIME layout, the calendar inside (read back
with icalendar and vobject), idempotence, retries, and the delivery log in the admin."""

import ast
import datetime
import email
import email.policy
import smtplib
from unittest import mock

import icalendar
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import transaction
from django.db.models import ProtectedError
from django.test import TestCase
from django.utils import timezone
from django_q.models import Schedule

from liaison.calendars import invitations as invites
from liaison.models import AgendaItem, Contact, InviteDelivery, Meeting
from tests.factories import make_user
from tests.js import icaljs
from tests.liaison.test_ical import read_vobject
from tests.liaison.test_meeting_admin import (
    ADD_URL,
    LIST_URL,
    make_meeting,
    make_regulator,
    meeting_form,
)

UTC = datetime.UTC
S = Meeting.Status
D = InviteDelivery.Status
CANARY = "CANARY-confidential-7f3a"
SMTP_DOWN = mock.patch(
    "django.core.mail.EmailMessage.send",
    side_effect=smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
)


def parse(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def calendar_of(message):
    """The text/calendar alternative of a sent e-mail, as bytes."""
    for part in parse(message).walk():
        if part.get_content_type() == "text/calendar":
            return part.get_content().encode("utf-8")
    raise AssertionError("no text/calendar part")


def event_of(message):
    calendar = icalendar.Calendar.from_ical(calendar_of(message))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def addresses(values):
    if not isinstance(values, list):
        values = [values]
    return sorted(str(v).removeprefix("mailto:").lower() for v in values)


def by_recipient():
    return {message.to[0].split("<")[-1].rstrip(">"): message for message in mail.outbox}


class InvitesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator("FDA CBER", "America/New_York")
        cls.organiser = make_user(
            "Secretariat", email="sam@example.org", first_name="Sam", last_name="Lee"
        )
        cls.dana = make_user(
            "Liaison delegates", email="dana@example.org", first_name="Dana", last_name="Ng"
        )
        cls.eli = make_user("Liaison delegates", email="eli@example.org", first_name="Eli")
        cls.inactive = make_user("Liaison delegates", email="gone@example.org", is_active=False)
        cls.no_email = make_user("Liaison delegates", email="")
        cls.contact = Contact.objects.create(
            name="Dr Rita Osei", email="rita.osei@fda.example", regulator=cls.regulator
        )
        cls.no_email_contact = Contact.objects.create(name="No Address", regulator=cls.regulator)
        cls.meeting = make_meeting(
            cls.regulator,
            title="Potency assay liaison",
            organiser=cls.organiser,
            # The organiser on the delegation stays ORGANIZER and gets no invite.
            delegation=[cls.organiser, cls.dana, cls.eli, cls.inactive, cls.no_email],
            location="White Oak, Building 71",
            join_url="https://meet.example/abc",
            objectives=f"Objectives {CANARY}",
            starts_at=datetime.datetime(2026, 12, 10, 15, tzinfo=UTC),
        )
        cls.meeting.attendees.set([cls.contact, cls.no_email_contact])
        cls.meeting.agenda_items = [
            AgendaItem(title="Potency matrices", ask="Accept matrices", sort_order=0),
            AgendaItem(
                title=f"Pricing strategy {CANARY}",
                ask=f"Ask {CANARY}",
                confidential=True,
                sort_order=1,
            ),
        ]
        cls.meeting.save()
        cls.recipients = {"dana@example.org", "eli@example.org", "rita.osei@fda.example"}

    def save(self, meeting=None, **changes):
        meeting = meeting or self.meeting
        with self.captureOnCommitCallbacks(execute=True):
            for name, value in changes.items():
                setattr(meeting, name, value)
            meeting.save()
        return meeting

    def confirm(self):
        return self.save(status=S.CONFIRMED)


class TriggerTests(InvitesTestCase):
    def test_a_planned_meeting_sends_nothing(self):
        self.save(location="Silver Spring")

        self.assertEqual(mail.outbox, [])
        self.assertFalse(InviteDelivery.objects.exists())

    def test_confirming_invites_the_delegation_and_the_external_attendees(self):
        meeting = self.confirm()

        self.assertEqual(set(by_recipient()), self.recipients)
        deliveries = InviteDelivery.objects.filter(meeting=meeting)
        self.assertEqual({d.recipient_email for d in deliveries}, self.recipients)
        for delivery in deliveries:
            self.assertEqual(delivery.status, D.SENT)
            self.assertEqual(delivery.method, "REQUEST")
            self.assertEqual(delivery.sequence, meeting.sequence)
            self.assertEqual(delivery.attempts, 1)
            self.assertIsNotNone(delivery.sent_at)
        self.assertEqual(
            InviteDelivery.objects.get(recipient_email="dana@example.org").recipient_name,
            "Dana Ng",
        )
        dana = by_recipient()["dana@example.org"]
        self.assertEqual(
            dana.subject,
            "[Liaise] Invitation: Potency assay liaison, Thursday 10 December 2026, 10:00 EST",
        )
        self.assertIn("Hello Dana Ng,", dana.body)
        self.assertIn(
            "Sam Lee invites you to this meeting as a member of the delegation", dana.body
        )

    def test_the_task_is_enqueued_only_when_the_transaction_commits(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.meeting.status = S.CONFIRMED
            self.meeting.save()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(len(callbacks), 1)

        callbacks[0]()
        self.assertEqual(set(by_recipient()), self.recipients)

    def test_a_rolled_back_change_sends_nothing(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    self.meeting.status = S.CONFIRMED
                    self.meeting.save()
                    raise RuntimeError("the form failed after saving")
            except RuntimeError:
                pass

        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])

    def test_moving_a_confirmed_meeting_sends_an_update_of_the_same_event(self):
        meeting = self.confirm()
        _, first = event_of(by_recipient()["dana@example.org"])
        mail.outbox.clear()

        day = datetime.timedelta(days=1)
        self.save(meeting, starts_at=meeting.starts_at + day, ends_at=meeting.ends_at + day)

        self.assertEqual(set(by_recipient()), self.recipients)
        update = by_recipient()["dana@example.org"]
        self.assertTrue(update.subject.startswith("[Liaise] Updated invitation: "))
        _, event = event_of(update)
        self.assertEqual(str(event["UID"]), str(first["UID"]))
        self.assertEqual(str(event["UID"]), str(meeting.uuid))
        self.assertGreater(int(event["SEQUENCE"]), int(first["SEQUENCE"]))
        self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)
        self.assertEqual(event.decoded("DTSTART").astimezone(UTC), meeting.starts_at)
        self.assertEqual(InviteDelivery.objects.filter(meeting=meeting).count(), 6)

    def test_a_change_of_title_or_agenda_alone_sends_nothing(self):
        meeting = self.confirm()
        mail.outbox.clear()

        self.save(meeting, title="Potency assay liaison (CMC)", objectives="New objectives")

        self.assertEqual(mail.outbox, [])

    def test_cancelling_sends_a_cancellation(self):
        meeting = self.confirm()
        mail.outbox.clear()

        self.save(meeting, status=S.CANCELLED)

        self.assertEqual(set(by_recipient()), self.recipients)
        message = by_recipient()["rita.osei@fda.example"]
        self.assertTrue(message.subject.startswith("[Liaise] Cancelled: Potency assay liaison"))
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

    def test_cancelling_a_meeting_never_confirmed_sends_nothing(self):
        self.save(status=S.CANCELLED)

        self.assertEqual(mail.outbox, [])

    def test_holding_a_meeting_sends_nothing(self):
        meeting = self.confirm()
        mail.outbox.clear()

        self.save(meeting, status=S.HELD)

        self.assertEqual(mail.outbox, [])

    def test_someone_added_to_a_confirmed_meeting_is_the_only_one_invited(self):
        meeting = self.confirm()
        mail.outbox.clear()
        newcomer = Contact.objects.create(name="Ann Bo", email="ann@hc.example")

        with self.captureOnCommitCallbacks(execute=True):
            meeting.attendees.add(newcomer)
            meeting.save()

        self.assertEqual(set(by_recipient()), {"ann@hc.example"})
        _, event = event_of(mail.outbox[0])
        self.assertIn("ann@hc.example", addresses(event["ATTENDEE"]))

    def test_postponing_a_confirmed_meeting_sends_a_tentative_update(self):
        meeting = self.confirm()
        mail.outbox.clear()

        self.save(meeting, status=S.POSTPONED)

        self.assertEqual(set(by_recipient()), self.recipients)
        message = by_recipient()["eli@example.org"]
        self.assertTrue(message.subject.startswith("[Liaise] Postponed: Potency assay liaison"))
        calendar, event = event_of(message)
        self.assertEqual(str(calendar["METHOD"]), "REQUEST")
        self.assertEqual(str(event["STATUS"]), "TENTATIVE")
        self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)

    def test_confirming_in_the_admin_invites_each_recipient_once(self):
        self.client.force_login(self.organiser)
        form = meeting_form(self.regulator, status="confirmed", organiser=self.organiser.pk)
        form["delegation"] = [self.dana.pk, self.eli.pk]
        form["attendees"] = [self.contact.pk]

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(ADD_URL, form)

        self.assertEqual(response.status_code, 302)
        meeting = Meeting.objects.get(title="Annual Cell Therapy Liaison Meeting")
        self.assertEqual(set(by_recipient()), self.recipients)
        self.assertEqual(len(mail.outbox), 3)
        mail.outbox.clear()

        form["local_start"], form["local_end"] = "2026-06-11 09:00", "2026-06-11 11:30"
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"{LIST_URL}edit/{meeting.pk}/", form)

        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(mail.outbox), 3)
        _, event = event_of(by_recipient()["rita.osei@fda.example"])
        meeting.refresh_from_db()
        self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)
        self.assertEqual(event.decoded("DTSTART").astimezone(UTC), meeting.starts_at)

    def test_joining_a_confirmed_meeting_from_the_person_side_invites_them(self):
        meeting = self.confirm()
        mail.outbox.clear()
        newcomer = make_user("Liaison delegates", email="new@example.org")
        planned = make_meeting(self.regulator, title="Still planned", organiser=self.organiser)

        with self.captureOnCommitCallbacks(execute=True):
            newcomer.delegated_meetings.add(meeting, planned)

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


class MessageTests(InvitesTestCase):
    def test_mime_layout(self):
        self.confirm()
        message = by_recipient()["dana@example.org"]
        parsed = parse(message)

        self.assertEqual(parsed.get_content_type(), "multipart/mixed")
        alternative, attachment = parsed.get_payload()
        self.assertEqual(alternative.get_content_type(), "multipart/alternative")
        text, calendar = alternative.get_payload()
        self.assertEqual(text.get_content_type(), "text/plain")
        self.assertEqual(calendar.get_content_type(), "text/calendar")
        self.assertEqual(calendar.get_param("method"), "REQUEST")
        self.assertEqual(calendar.get_content_charset(), "utf-8")
        self.assertEqual(attachment.get_content_type(), "application/ics")
        self.assertEqual(attachment.get_filename(), "invite.ics")
        # The same calendar (the attachment keeps the CRLF line ends byte for byte).
        ics = attachment.get_content()
        self.assertTrue(ics.startswith(b"BEGIN:VCALENDAR\r\n"))
        self.assertEqual(ics.replace(b"\r\n", b"\n"), calendar.get_content().encode("utf-8"))

        self.assertEqual(parsed["To"].addresses[0].addr_spec, "dana@example.org")
        self.assertEqual(parsed["From"].addresses[0].display_name, "Sam Lee via Liaise")
        self.assertEqual(parsed["From"].addresses[0].addr_spec, "noreply@localhost")
        self.assertEqual(parsed["Reply-To"].addresses[0].addr_spec, "sam@example.org")

    def test_the_calendar_is_a_request_from_the_organiser_to_every_recipient(self):
        meeting = self.confirm()

        for recipient, message in by_recipient().items():
            calendar, event = event_of(message)
            self.assertEqual(str(calendar["METHOD"]), "REQUEST")
            self.assertEqual(str(event["UID"]), str(meeting.uuid))
            self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)
            self.assertEqual(str(event["ORGANIZER"]), "mailto:sam@example.org")
            self.assertEqual(event["ORGANIZER"].params["CN"], "Sam Lee")
            attendees = event["ATTENDEE"]
            self.assertEqual(addresses(attendees), sorted(self.recipients))
            self.assertIn(recipient, addresses(attendees))
            self.assertNotIn("sam@example.org", addresses(attendees))
            for attendee in attendees:
                self.assertEqual(attendee.params["RSVP"], "TRUE")
                self.assertEqual(attendee.params["PARTSTAT"], "NEEDS-ACTION")

            parsed = read_vobject(calendar_of(message))
            self.assertEqual(parsed.method.value, "REQUEST")
            vevent = parsed.vevent
            self.assertEqual(vevent.uid.value, str(meeting.uuid))
            self.assertEqual(vevent.organizer.value, "mailto:sam@example.org")
            self.assertEqual(
                sorted(a.value.removeprefix("mailto:") for a in vevent.attendee_list),
                sorted(self.recipients),
            )
            self.assertEqual(vevent.dtstart.value.astimezone(UTC), meeting.starts_at)

        # Thunderbird's parser reads the attached file the same way.
        ics = next(p for p in parse(message).walk() if p.get_filename() == "invite.ics")
        parsed = icaljs.parse(ics.get_content())
        self.assertEqual(parsed["method"], "REQUEST")
        (event,) = parsed["events"]
        self.assertEqual((event["uid"], event["sequence"]), (str(meeting.uuid), meeting.sequence))
        self.assertEqual(event["start"], "2026-12-10T15:00:00.000Z")

    def test_names_and_titles_outside_ascii_survive(self):
        self.meeting.title = "Réunion de liaison, Santé Canada: thérapies géniques"
        self.meeting.save()
        Contact.objects.filter(pk=self.contact.pk).update(name='Zoë "Z" Łukasiewicz, PhD')
        meeting = self.confirm()

        message = by_recipient()["rita.osei@fda.example"]
        parsed = parse(message)
        self.assertEqual(parsed["To"].addresses[0].display_name, "Zoë Z Łukasiewicz, PhD")
        self.assertIn("Réunion de liaison", parsed["Subject"])
        part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
        self.assertEqual(part.get_param("method"), "REQUEST")
        _, event = event_of(message)
        self.assertEqual(str(event["SUMMARY"]), meeting.title)
        names = {a.params.get("CN") for a in event["ATTENDEE"]}
        self.assertIn("Zoë Z Łukasiewicz, PhD", names)
        read_vobject(calendar_of(message))

    def test_external_attendees_never_see_confidential_content(self):
        self.confirm()
        external = by_recipient()["rita.osei@fda.example"]
        delegate = by_recipient()["dana@example.org"]

        raw = external.message().as_bytes()
        parsed = parse(external)
        texts = [
            part.get_content() if part.get_content_maintype() == "text" else ""
            for part in parsed.walk()
            if not part.is_multipart()
        ]
        attachment = next(p for p in parsed.walk() if p.get_filename() == "invite.ics")
        for text in [raw.decode("utf-8", "replace"), *texts, attachment.get_content().decode()]:
            self.assertNotIn(CANARY, text)
        self.assertIn("Potency matrices", external.body)
        self.assertIn("Join online: https://meet.example/abc", external.body)
        self.assertNotIn("as a member of the delegation", external.body)
        # The delegation does get it, marked.
        self.assertIn(CANARY, delegate.body)
        self.assertIn(CANARY, calendar_of(delegate).decode().replace("\r\n ", ""))


class RemovalTests(InvitesTestCase):
    """Someone sent an invitation who leaves the meeting gets a CANCEL, so it leaves their
    calendar; nobody else hears of it."""

    def remove(self, meeting, contact=None, user=None):
        with self.captureOnCommitCallbacks(execute=True):
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

        self.assertEqual(list(by_recipient()), ["rita.osei@fda.example"])
        message = mail.outbox[0]
        self.assertTrue(message.subject.startswith("[Liaise] No longer invited: Potency assay"))
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

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"{LIST_URL}edit/{meeting.pk}/", form)

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
        mail.outbox.clear()

        with self.captureOnCommitCallbacks(execute=True):
            meeting.attendees.add(self.contact)
            meeting.save()

        self.assertEqual(list(by_recipient()), ["rita.osei@fda.example"])
        calendar, event = event_of(mail.outbox[0])
        self.assertEqual(str(calendar["METHOD"]), "REQUEST")
        self.assertNotEqual(str(event["STATUS"]), "CANCELLED")
        mail.outbox.clear()

        self.remove(meeting, contact=self.contact)

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
        sent = len(mail.outbox)

        self.assertEqual(invites.send_invitations(meeting.pk, meeting.sequence, "REQUEST"), 0)
        self.assertEqual(len(mail.outbox), sent)

    def test_leaving_a_meeting_never_confirmed_sends_nothing(self):
        self.remove(self.meeting, contact=self.contact, user=self.dana)

        self.assertEqual(mail.outbox, [])
        self.assertFalse(InviteDelivery.objects.exists())

    def test_someone_removed_is_not_told_again_when_the_meeting_is_cancelled(self):
        meeting = self.confirm()
        self.remove(meeting, contact=self.contact)
        mail.outbox.clear()

        self.save(meeting, status=S.CANCELLED)

        self.assertEqual(set(by_recipient()), {"dana@example.org", "eli@example.org"})

    def test_a_cancel_that_fails_is_retried_until_it_is_sent(self):
        meeting = self.confirm()
        mail.outbox.clear()
        with SMTP_DOWN:
            self.remove(meeting, contact=self.contact)
        delivery = InviteDelivery.objects.get(method=InviteDelivery.Method.CANCEL)
        self.assertEqual((delivery.status, delivery.attempts), (D.QUEUED, 1))
        (schedule,) = Schedule.objects.filter(name__startswith=f"invite-retry-{delivery.pk}-")

        invites.retry_delivery(*ast.literal_eval(schedule.args))

        delivery.refresh_from_db()
        self.assertEqual(delivery.status, D.SENT)
        self.assertEqual(list(by_recipient()), ["rita.osei@fda.example"])
        self.assertEqual(str(event_of(mail.outbox[0])[0]["METHOD"]), "CANCEL")


class DeleteTests(InvitesTestCase):
    def test_a_meeting_in_invitees_calendars_is_cancelled_before_it_is_deleted(self):
        meeting = self.confirm()
        self.client.force_login(self.organiser)
        url = f"{LIST_URL}delete/{meeting.pk}/"

        for method in (self.client.get, self.client.post):
            response = method(url, follow=True)
            shown = " ".join(str(m) for m in response.context["messages"])
            self.assertIn("cannot be deleted: 3 people received its invitation", shown)
        self.assertTrue(Meeting.objects.filter(pk=meeting.pk).exists())
        with self.assertRaises(ProtectedError), transaction.atomic():
            Meeting.objects.filter(pk=meeting.pk).delete()

        mail.outbox.clear()
        self.save(meeting, status=S.CANCELLED)
        self.assertEqual(set(by_recipient()), self.recipients)
        response = self.client.post(url)

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Meeting.objects.filter(pk=meeting.pk).exists())

    def test_a_meeting_never_invited_is_deleted_at_once(self):
        self.client.force_login(self.organiser)

        response = self.client.post(f"{LIST_URL}delete/{self.meeting.pk}/")

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Meeting.objects.filter(pk=self.meeting.pk).exists())


class RetryTests(InvitesTestCase):
    def run_retry(self, delivery):
        (schedule,) = Schedule.objects.filter(name__startswith=f"invite-retry-{delivery.pk}-")
        self.assertEqual(schedule.func, "liaison.tasks.retry_delivery")
        self.assertEqual(schedule.schedule_type, Schedule.ONCE)
        args = ast.literal_eval(schedule.args)
        schedule.delete()  # as the scheduler does when it runs a ONCE schedule
        return invites.retry_delivery(*args)

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


LOG_URL = "/admin/invitations/"


class DeliveryLogTests(InvitesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.secretariat = make_user("Secretariat")
        readers = Group.objects.create(name="Invitation log readers")
        readers.permissions.add(
            Permission.objects.get(codename="view_invitedelivery"),
            Permission.objects.get(codename="view_meeting"),
            Permission.objects.get(codename="access_admin"),
        )
        cls.reader = make_user("Invitation log readers")
        cls.secret = make_meeting(
            cls.regulator,
            title="Secret strategy session",
            organiser=cls.organiser,
            visibility=Meeting.Visibility.CONFIDENTIAL,
        )
        InviteDelivery.objects.create(
            meeting=cls.secret,
            recipient_email="hidden@example.org",
            sequence=cls.secret.sequence,
            method="REQUEST",
            status=D.SENT,
        )

    def delivery(self, email="dana@example.org"):
        return InviteDelivery.objects.get(recipient_email=email, meeting=self.meeting)

    def test_the_secretariat_sees_every_delivery_with_its_details(self):
        with SMTP_DOWN:
            self.confirm()
        self.client.force_login(self.secretariat)

        response = self.client.get(LOG_URL)

        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        for recipient in [*self.recipients, "hidden@example.org"]:
            self.assertIn(recipient, content)
        self.assertIn("SMTPServerDisconnected: Connection unexpectedly closed", content)
        # Only what was sent or failed can be resent; the others are queued for a retry.
        hidden = InviteDelivery.objects.get(recipient_email="hidden@example.org")
        self.assertEqual(content.count(">Resend</button>"), 1)
        self.assertIn(f'action="{LOG_URL}resend/{hidden.pk}/"', content)

        response = self.client.get(LOG_URL, {"q": "dana"})
        self.assertEqual(
            [d.recipient_email for d in response.context["object_list"]], ["dana@example.org"]
        )
        response = self.client.get(LOG_URL, {"export": "csv"})
        self.assertEqual(response.status_code, 200)
        exported = b"".join(response.streaming_content).decode()
        self.assertIn("SMTPServerDisconnected", exported)
        self.assertIn("hidden@example.org", exported)

        response = self.client.get(LOG_URL, {"status": "sent"})
        self.assertEqual(
            list(response.context["object_list"]),
            [InviteDelivery.objects.get(recipient_email="hidden@example.org")],
        )

    def test_the_log_lists_only_deliveries_of_meetings_the_user_may_see(self):
        self.confirm()
        self.client.force_login(self.reader)

        response = self.client.get(LOG_URL)

        self.assertEqual(response.status_code, 200)
        listed = {d.recipient_email for d in response.context["object_list"]}
        self.assertEqual(listed, self.recipients)
        self.assertNotIn("Secret strategy session", response.content.decode())
        self.assertNotIn(">Resend</button>", response.content.decode())  # reading only
        exported = b"".join(self.client.get(LOG_URL, {"export": "csv"}).streaming_content)
        self.assertIn(b"rita.osei@fda.example", exported)
        self.assertNotIn(b"hidden@example.org", exported)
        hidden = InviteDelivery.objects.get(recipient_email="hidden@example.org")
        self.assertNotEqual(self.client.get(f"{LOG_URL}inspect/{hidden.pk}/").status_code, 200)

    def test_delegates_have_no_log(self):
        self.confirm()
        self.client.force_login(self.dana)

        response = self.client.get(LOG_URL)

        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn("rita.osei@fda.example", response.content.decode())

    def test_the_log_is_read_only(self):
        self.confirm()
        self.client.force_login(self.secretariat)
        delivery = self.delivery()

        self.assertEqual(self.client.get(f"{LOG_URL}inspect/{delivery.pk}/").status_code, 200)
        self.assertNotEqual(self.client.get(f"{LOG_URL}edit/{delivery.pk}/").status_code, 200)
        self.client.post(f"{LOG_URL}edit/{delivery.pk}/", {"status": "queued"})
        self.client.post(f"{LOG_URL}delete/{delivery.pk}/")
        self.assertNotEqual(self.client.get(f"{LOG_URL}new/").status_code, 200)
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, D.SENT)

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


def closed_port():
    """A local TCP port nothing listens on: connecting to it is refused."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpOutageTests(InvitesTestCase):
    run_retry = RetryTests.run_retry

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
