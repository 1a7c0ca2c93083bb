"""Invitations are sent on purpose: saving a meeting in the admin sends nothing; the
Secretariat previews the next send (who gets what, one sample e-mail per audience, what
changed since the last version) on the send page and confirms it, once, with who sent it."""

import datetime
import html
import re

from django.contrib.auth.models import Group, Permission
from django.core import mail

from liaison.models import Contact, InviteDelivery, Meeting
from tests.factories import make_user
from tests.liaison.factories import ADD_URL, LIST_URL, meeting_form
from tests.liaison.invitations import (
    BROKER_DOWN,
    CANARY,
    LOG_URL,
    SMTP_DOWN,
    D,
    DeliveryLogTestCase,
    S,
    by_recipient,
    event_of,
    send_url,
)
from tests.outbox import CommittingClient

OLD_START = "Thu 10 Dec 2026, 10:00 EST"
NEW_START = "Fri 11 Dec 2026, 10:00 EST"


def recipient_rows(content):
    """The preview's "Who receives what" table: [(name, e-mail, sees, receives)]."""
    (table,) = re.findall(r"<table[^>]*data-recipients>(.*?)</table>", content, re.S)
    body = table.split("<tbody>", 1)[1]
    return [
        tuple(html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells)
        for cells in (
            re.findall(r"<td>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        )
    ]


def samples(content):
    """The preview's sample e-mails, {heading: text} (calendar lines unfolded)."""
    found = {}
    for section in re.findall(r"<section[^>]*data-sample>(.*?)</section>", content, re.S):
        heading = html.unescape(re.search(r"<h3>(.*?)</h3>", section, re.S).group(1))
        text = html.unescape(section)
        found[heading.strip()] = re.sub(r"\r?\n[ \t]", "", text)
    return found


def hidden_sequence(content):
    return re.search(r'name="sequence" value="(\d+)"', content).group(1)


class SendingOnPurposeTestCase(DeliveryLogTestCase):
    def setUp(self):
        self.client = CommittingClient()
        self.client.force_login(self.secretariat)

    def rows(self, **filters):
        return InviteDelivery.objects.filter(meeting=self.meeting, **filters)

    def preview(self, meeting=None):
        response = self.client.get(send_url(meeting or self.meeting))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def press_send(self, meeting=None, **data):
        """POST the send page as its form does, with the sequence the preview showed."""
        meeting = meeting or self.meeting
        data.setdefault("sequence", hidden_sequence(self.preview(meeting)))
        return self.client.post(send_url(meeting), data, follow=True)

    def edit_form(self, meeting, **overrides):
        """The meeting's edit form as stored, with ``overrides``."""
        data = meeting_form(
            self.regulator,
            title=meeting.title,
            status=meeting.status,
            organiser=self.organiser.pk,
            time_zone=meeting.time_zone,
            local_start=meeting.local_start.strftime("%Y-%m-%d %H:%M"),
            local_end=meeting.local_end.strftime("%Y-%m-%d %H:%M"),
            location=meeting.location,
            join_url=meeting.join_url,
        )
        data["delegation"] = [u.pk for u in meeting.delegation.all()]
        data["attendees"] = [c.pk for c in meeting.attendees.all()]
        data.update(overrides)
        return data

    # (1)
    def test_saving_a_confirmed_meeting_in_the_admin_sends_nothing(self):
        form = meeting_form(self.regulator, status="confirmed", organiser=self.organiser.pk)
        form["delegation"] = [self.dana.pk, self.eli.pk]
        form["attendees"] = [self.contact.pk]

        with self.queues_nothing():
            response = self.client.post(ADD_URL, form)
        self.assertEqual(response.status_code, 302)
        created = Meeting.objects.get(title="Annual Cell Therapy Liaison Meeting")
        self.assertEqual(created.status, S.CONFIRMED)
        self.assertFalse(InviteDelivery.objects.filter(meeting=created).exists())

        # Once invitations went out, changing the delegation (one out, one in) and the time
        # sends nothing either, neither an update nor a cancellation nor an invitation.
        meeting = self.confirm()
        self.assertEqual(len(mail.outbox), 3)
        newcomer = make_user("Liaison delegates", email="new@example.org")
        form = self.edit_form(
            meeting, delegation=[self.organiser.pk, self.eli.pk, newcomer.pk], location="Rockville"
        )

        with self.queues_nothing():
            response = self.client.post(f"{LIST_URL}edit/{meeting.pk}/", form)

        self.assertEqual(response.status_code, 302)
        meeting.refresh_from_db()
        self.assertEqual(meeting.location, "Rockville")
        self.assertEqual(set(meeting.delegation.all()), {self.organiser, self.eli, newcomer})
        self.assertEqual(self.rows().count(), 3)
        self.assertFalse(self.rows(sequence=meeting.sequence).exists())
        self.assertEqual(self.sweep(), 0)
        self.assertEqual(len(mail.outbox), 3)

    # (2)
    def test_the_send_page_shows_who_gets_what_and_a_sample_per_audience(self):
        meeting = self.save(status=S.CONFIRMED)

        content = self.preview(meeting)

        self.assertEqual(
            sorted(recipient_rows(content)),
            [
                ("Dana Ng", "dana@example.org", "Delegation", "Invitation"),
                ("Dr Rita Osei", "rita.osei@fda.example", "External attendee", "Invitation"),
                ("Eli", "eli@example.org", "Delegation", "Invitation"),
            ],
        )
        shown = samples(content)
        self.assertEqual(len(shown), 2)
        (delegation,) = [text for heading, text in shown.items() if "Delegation" in heading]
        (external,) = [text for heading, text in shown.items() if "External" in heading]
        # The external attendees' sample leaves out the confidential item and the objectives,
        # in the e-mail and in its calendar event; the delegation's has them.
        self.assertIn("Potency matrices", external)
        self.assertNotIn(CANARY, external)
        self.assertNotIn("Pricing strategy", external)
        self.assertIn(f"Pricing strategy {CANARY}", delegation)
        self.assertIn(f"Objectives {CANARY}", delegation)
        self.assertIn("Shown as Dr Rita Osei receives it.", external)
        self.assertIn("as a member of the delegation", delegation)
        self.assertIn("BEGIN:VEVENT", external)
        self.assertIn("Send 3 e-mails", content)
        # Looking sends nothing.
        self.assertFalse(self.rows().exists())
        self.assertEqual(mail.outbox, [])

    # (3)
    def test_a_double_click_sends_each_recipient_one_message(self):
        meeting = self.save(status=S.CONFIRMED)
        sequence = hidden_sequence(self.preview(meeting))

        # The broker is down: the first click's e-mails are still queued at the second.
        with BROKER_DOWN, self.assertLogs("cms.outbox", "WARNING"):
            first = self.client.post(send_url(meeting), {"sequence": sequence}, follow=True)
            second = self.client.post(send_url(meeting), {"sequence": sequence}, follow=True)
        self.assertContains(first, "3 e-mails are being sent.")
        self.assertContains(second, "Nothing to send: everyone has this version already.")
        self.assertEqual(self.rows().count(), 3)

        self.assertEqual(self.sweep(), 3)
        # Once sent, a third click sends nothing either.
        self.client.post(send_url(meeting), {"sequence": sequence})
        self.assertEqual(self.sweep(), 0)

        sent = [m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox]
        self.assertEqual(sorted(sent), sorted(self.recipients))
        for message in mail.outbox:
            _, event = event_of(message)
            self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)

    # (4)
    def test_a_send_from_a_stale_preview_sends_nothing(self):
        meeting = self.save(status=S.CONFIRMED)
        stale = hidden_sequence(self.preview(meeting))
        # Someone moves the meeting while the preview is open.
        later = datetime.timedelta(hours=2)
        self.save(meeting, starts_at=meeting.starts_at + later, ends_at=meeting.ends_at + later)

        response = self.client.post(send_url(meeting), {"sequence": stale}, follow=True)

        self.assertRedirects(response, send_url(meeting))
        self.assertContains(
            response, "The meeting changed after you opened the preview: nothing was sent."
        )
        self.assertFalse(self.rows().exists())
        self.assertEqual(self.sweep(), 0)
        self.assertEqual(mail.outbox, [])
        # The preview shown again carries the current version, which sends.
        self.assertEqual(hidden_sequence(response.content.decode()), str(meeting.sequence))
        self.press_send(meeting)
        self.assertEqual(set(by_recipient()), self.recipients)

    # (5)
    def test_after_a_move_the_panel_and_the_send_page_show_the_change_and_send_an_update(self):
        meeting = self.confirm()
        self.assertEqual(len(mail.outbox), 3)
        mail.outbox.clear()
        day = datetime.timedelta(days=1)
        self.save(meeting, starts_at=meeting.starts_at + day, ends_at=meeting.ends_at + day)

        edit = self.client.get(f"{LIST_URL}inspect/{meeting.pk}/").content.decode()
        (panel,) = re.findall(
            r"<div id=\"invitations\" data-invitations>(.*?)\n</div>", edit, re.S
        )
        self.assertIn(f"Start: {OLD_START} → {NEW_START}", html.unescape(panel))
        self.assertIn("Send update…", html.unescape(panel))
        self.assertIn(f'href="{send_url(meeting)}"', panel)
        content = self.preview(meeting)
        self.assertIn(f"Start: {OLD_START} → <strong>{NEW_START}</strong>", content)
        self.assertEqual(
            {(email, what) for _name, email, _sees, what in recipient_rows(content)},
            {(email, "Update") for email in self.recipients},
        )

        self.press_send(meeting)

        self.assertEqual(set(by_recipient()), self.recipients)
        self.assertEqual(len(mail.outbox), 3)
        for message in mail.outbox:
            self.assertTrue(message.subject.startswith("[SCGTP] Updated invitation: "))
            _, event = event_of(message)
            self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)
            self.assertEqual(event.decoded("DTSTART").astimezone(datetime.UTC), meeting.starts_at)
        # Sent: the panel has nothing left to send, and no change to report.
        edit = self.client.get(f"{LIST_URL}inspect/{meeting.pk}/").content.decode()
        self.assertIn("Everyone invited has the current version.", edit)
        self.assertNotIn("Send update…", edit)

    # (6)
    def test_a_cancellation_goes_with_its_message_to_those_who_hold_an_invitation(self):
        meeting = self.confirm()
        mail.outbox.clear()
        # Added after the last send: never sent anything, so nothing to cancel.
        newcomer = Contact.objects.create(name="Ann Bo", email="ann@hc.example")
        meeting.attendees.add(newcomer)
        self.save(meeting)
        self.assertIn(newcomer, Meeting.objects.get(pk=meeting.pk).attendees.all())
        self.save(meeting, status=S.CANCELLED)

        content = self.preview(meeting)

        self.assertIn('name="note"', content)
        self.assertIn("Message to invitees", content)
        self.assertIn("Send the cancellation", content)
        self.assertEqual(
            {(email, what) for _name, email, _sees, what in recipient_rows(content)},
            {(email, "Cancellation") for email in self.recipients},
        )
        self.assertNotIn("ann@hc.example", content)

        note = "The agency asked to move the meeting to the new year; a new date will follow."
        self.press_send(meeting, note=note)

        self.assertEqual(set(by_recipient()), self.recipients)
        self.assertFalse(self.rows(recipient_email="ann@hc.example").exists())
        for message in mail.outbox:
            calendar, _ = event_of(message)
            self.assertEqual(str(calendar["METHOD"]), "CANCEL")
            self.assertIn(note, message.body)
        self.assertEqual(set(self.rows(method="CANCEL").values_list("note", flat=True)), {note})

    # (7)
    def test_someone_removed_after_a_send_is_listed_and_sent_a_cancellation(self):
        meeting = self.confirm()
        mail.outbox.clear()
        meeting.attendees.remove(self.contact)
        self.save(meeting)

        content = self.preview(meeting)

        self.assertEqual(
            recipient_rows(content),
            [
                (
                    "Dr Rita Osei",
                    "rita.osei@fda.example",
                    "External attendee",
                    "No longer invited (cancellation)",
                )
            ],
        )
        self.press_send(meeting)

        self.assertEqual(list(by_recipient()), ["rita.osei@fda.example"])
        message = mail.outbox[0]
        self.assertIn("You are no longer invited to this meeting", message.body)
        calendar, event = event_of(message)
        self.assertEqual(str(calendar["METHOD"]), "CANCEL")
        self.assertEqual(str(event["UID"]), str(meeting.uuid))
        self.assertNotIn(CANARY, message.message().as_string())

    # (8)
    def test_only_the_secretariat_may_send_and_only_meetings_they_may_see(self):
        meeting = self.save(status=S.CONFIRMED)
        data = {"sequence": meeting.sequence}

        # A delegate sees the meeting, but may not send its invitations.
        self.client.force_login(self.dana)
        self.assertEqual(self.client.get(send_url(meeting)).status_code, 403)
        self.assertEqual(self.client.post(send_url(meeting), data).status_code, 403)
        edit = self.client.get(f"{LIST_URL}inspect/{meeting.pk}/").content.decode()
        self.assertNotIn(send_url(meeting), edit)

        # Who may resend, but not see the confidential meeting, does not learn it exists.
        senders = Group.objects.create(name="Invitation senders")
        senders.permissions.add(
            *Permission.objects.filter(
                codename__in=[
                    "change_invitedelivery",
                    "view_invitedelivery",
                    "view_meeting",
                    "access_admin",
                ]
            )
        )
        sender = make_user("Invitation senders")
        secret_rows = InviteDelivery.objects.filter(meeting=self.secret).count()
        self.secret.status = S.CONFIRMED
        self.secret.delegation.set([self.eli])
        self.secret.save()
        for user in (sender, self.dana):
            self.client.force_login(user)
            with self.subTest(user=user.get_username()):
                self.assertEqual(self.client.get(send_url(self.secret)).status_code, 404)
                response = self.client.post(
                    send_url(self.secret), {"sequence": self.secret.sequence}
                )
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(b"Secret strategy session", response.content)

        self.assertFalse(self.rows().exists())
        self.assertEqual(InviteDelivery.objects.filter(meeting=self.secret).count(), secret_rows)
        self.assertEqual(self.sweep(), 0)
        self.assertEqual(mail.outbox, [])

    # (9)
    def test_the_log_records_who_sent_each_version(self):
        other = make_user("Secretariat", first_name="Noor", last_name="Haddad")
        meeting = self.save(status=S.CONFIRMED)
        self.client.force_login(self.organiser)
        self.press_send(meeting)
        first = meeting.sequence
        self.save(meeting, location="Silver Spring")
        self.client.force_login(other)
        self.press_send(meeting)

        self.assertEqual(
            set(self.rows().values_list("sequence", "sent_by", "status")),
            {(first, self.organiser.pk, D.SENT), (meeting.sequence, other.pk, D.SENT)},
        )
        self.assertEqual(self.rows(sequence=meeting.sequence).count(), 3)
        # The log shows it, and so does the meeting's panel.
        self.client.force_login(self.secretariat)
        latest = self.rows(sequence=meeting.sequence).first()
        inspect = self.client.get(f"{LOG_URL}inspect/{latest.pk}/")
        self.assertContains(inspect, "<dt>Sent by</dt>", html=False)
        self.assertContains(inspect, other.get_username())
        edit = self.client.get(f"{LIST_URL}inspect/{meeting.pk}/")
        self.assertContains(edit, f"version {meeting.sequence}, sent")
        self.assertContains(edit, "by Noor Haddad.")


class AfterAnOutageAndBeforeADeleteTestCase(DeliveryLogTestCase):
    def test_a_send_after_the_retry_window_queues_the_failed_invitations_again(self):
        self.save(status=S.CONFIRMED)
        with SMTP_DOWN:
            self.send()
        self.rows().update(status=D.FAILED, last_error="SMTPServerDisconnected")
        mail.outbox.clear()

        self.assertEqual(self.send(), 3)

        self.assertEqual(set(by_recipient()), self.recipients)
        self.assertEqual(set(self.rows().values_list("status", flat=True)), {D.SENT})

    def test_a_cancelled_meeting_is_kept_until_its_cancellation_is_sent(self):
        self.confirm()
        self.save(status=S.CANCELLED)
        client = CommittingClient()
        client.force_login(make_user(superuser=True))
        delete_url = f"{LIST_URL}delete/{self.meeting.pk}/"

        response = client.post(delete_url, follow=True)
        self.assertTrue(Meeting.objects.filter(pk=self.meeting.pk).exists())
        self.assertContains(response, "send the cancellation first")

        self.send()
        client.post(delete_url)
        self.assertFalse(Meeting.objects.filter(pk=self.meeting.pk).exists())

    def rows(self):
        return InviteDelivery.objects.filter(meeting=self.meeting)
