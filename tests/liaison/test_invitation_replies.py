"""Invitees answer through signed Accept / Tentative / Decline links in the invitation, with no
account; the answer shows on the meeting's Invitations panel. Links that are tampered with,
expired, or no longer apply get a page that says so and change nothing."""

import base64
import datetime
import re

import time_machine
from django.utils import timezone

from liaison.models import InvitationReply
from tests.factories import make_user
from tests.liaison.factories import LIST_URL
from tests.liaison.invitations import CANARY, InvitationTestCase, S, by_recipient, send_url
from tests.outbox import CommittingClient


def base64_decoded(path):
    """Every base64 run in ``path`` decoded, as text: what anyone can read off a link."""
    token = path.split("/invitations/reply/")[1].split("/")[0]
    decoded = []
    for part in token.split(":"):
        try:
            decoded.append(
                base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("latin-1")
            )
        except ValueError:
            continue
    return " ".join(decoded) + " " + path


def reply_links(message):
    """{label: path} of the reply links in an e-mail body."""
    found = re.findall(r"^  (Accepted|Tentative|Declined): (https?://\S+)$", message.body, re.M)
    return {label: url.split("://", 1)[1].split("/", 1)[1] for label, url in found}


class InvitationReplyTestCase(InvitationTestCase):
    def setUp(self):
        self.client = CommittingClient()

    def links_of(self, email):
        return {k: "/" + v for k, v in reply_links(by_recipient()[email]).items()}

    def test_each_invitation_carries_its_own_three_links(self):
        self.confirm()

        rita = self.links_of("rita.osei@fda.example")
        dana = self.links_of("dana@example.org")
        self.assertEqual(set(rita), {"Accepted", "Tentative", "Declined"})
        self.assertNotEqual(rita["Accepted"], dana["Accepted"])

    def test_opening_a_link_records_nothing_and_the_button_records_the_answer(self):
        self.confirm()
        link = self.links_of("rita.osei@fda.example")["Declined"]

        page = self.client.get(link)  # what a mail scanner does
        self.assertContains(page, 'value="declined" checked')
        self.assertFalse(InvitationReply.objects.exists())
        self.assertNotContains(page, CANARY)  # no confidential item, objective or ask

        saved = self.client.post(link.split("?")[0], {"answer": "declined"})
        self.assertContains(saved, "is recorded")
        reply = InvitationReply.objects.get()
        self.assertEqual(
            (reply.recipient_email, reply.recipient_name, reply.answer),
            ("rita.osei@fda.example", "Dr Rita Osei", "declined"),
        )

        # Changing one's mind keeps one answer, the latest.
        self.client.post(link.split("?")[0], {"answer": "accepted"})
        self.assertEqual(
            list(InvitationReply.objects.values_list("answer", flat=True)), ["accepted"]
        )

        # The Secretariat sees it on the meeting.
        secretariat = CommittingClient()
        secretariat.force_login(make_user("Secretariat"))
        panel = secretariat.get(f"{LIST_URL}inspect/{self.meeting.pk}/").content.decode()
        replies = re.search(r"<table[^>]*data-replies>(.*?)</table>", panel, re.S).group(1)
        self.assertIn("Dr Rita Osei", replies)
        self.assertIn("Accepted", replies)

    def test_a_tampered_link_changes_nothing(self):
        self.confirm()
        path = self.links_of("dana@example.org")["Accepted"].split("?")[0]
        tampered = path[:-6] + ("A" if path[-6] != "A" else "B") + path[-5:]

        response = self.client.post(tampered, {"answer": "accepted"})

        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "This link is not valid", status_code=400)
        self.assertFalse(InvitationReply.objects.exists())

    def test_an_expired_link_changes_nothing(self):
        self.confirm()
        path = self.links_of("dana@example.org")["Accepted"].split("?")[0]

        with time_machine.travel(timezone.now() + datetime.timedelta(days=181)):
            response = self.client.post(path, {"answer": "accepted"})

        self.assertContains(response, "This link has expired", status_code=410)
        self.assertFalse(InvitationReply.objects.exists())

    def test_someone_no_longer_invited_cannot_answer(self):
        self.confirm()
        path = self.links_of("eli@example.org")["Accepted"].split("?")[0]
        self.meeting.delegation.remove(self.eli)
        self.save()  # a parental many-to-many is stored with its meeting

        response = self.client.post(path, {"answer": "accepted"})

        self.assertContains(response, "no longer applies", status_code=410)
        self.assertFalse(InvitationReply.objects.exists())

    def test_a_cancelled_meeting_takes_no_answers(self):
        self.confirm()
        path = self.links_of("dana@example.org")["Tentative"].split("?")[0]
        self.save(status=S.CANCELLED)

        response = self.client.post(path, {"answer": "tentative"})

        self.assertContains(response, "cancelled", status_code=410)
        self.assertFalse(InvitationReply.objects.exists())

    def test_an_answer_that_is_not_one_of_the_three_is_refused(self):
        self.confirm()
        path = self.links_of("dana@example.org")["Accepted"].split("?")[0]

        response = self.client.post(path, {"answer": "maybe\x00"})

        self.assertContains(response, "Choose one of the answers", status_code=400)
        self.assertFalse(InvitationReply.objects.exists())

    def test_a_cancellation_carries_no_reply_links(self):
        self.confirm()
        self.save(status=S.CANCELLED)
        secretariat = CommittingClient()
        secretariat.force_login(self.organiser)
        preview = secretariat.get(send_url(self.meeting)).content.decode()

        self.send()

        self.assertNotIn("/invitations/reply/", preview)
        cancellations = [m for m in by_recipient().values() if "cancelled" in m.body]
        self.assertTrue(cancellations)
        self.assertTrue(all(reply_links(m) == {} for m in cancellations))

    def test_a_link_does_not_show_the_address(self):
        self.confirm()

        for label, path in self.links_of("rita.osei@fda.example").items():
            with self.subTest(label=label):
                self.assertNotIn("rita", base64_decoded(path).lower())
