"""An invitation lists the meeting's papers its recipient may open: external attendees those
shared with invitees or the public, never a delegation-only paper or one of a confidential
item, each with a signed link that needs no account; the delegation every paper, through the
admin sign-in. Each download checks again that the paper is still shared with that address
and that the address still holds the invitation."""

import datetime
import re

import time_machine
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms import emails
from liaison.calendars import ics, replies
from liaison.calendars import invitations as invites
from liaison.models import Meeting, MeetingMaterial
from tests.liaison.invitations import CANARY, InvitationTestCase, S, by_recipient
from tests.liaison.materials import Shared, attach, make_document, served
from tests.outbox import CommittingClient

RITA = "rita.osei@fda.example"
MATERIAL_LINK = re.compile(r"^  https?://testserver(/invitations/material/\S+)$", re.M)
SIGN_IN_LINK = re.compile(r"^  https?://testserver(/admin/login/\?next=\S+)$", re.M)


def links(message, pattern=MATERIAL_LINK):
    return pattern.findall(message.body)


class MaterialInvitationTestCase(InvitationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        items = {item.confidential: item for item in cls.meeting.agenda_items.all()}
        cls.open_item, cls.secret_item = items[False], items[True]
        cls.for_delegation = attach(
            cls.meeting, make_document("Negotiating notes"), Shared.DELEGATION
        )
        cls.for_invitees = attach(
            cls.meeting, make_document("Assay survey results"), Shared.INVITEES, cls.open_item
        )
        cls.for_public = attach(cls.meeting, make_document("Public slides"), Shared.PUBLIC)
        cls.of_secret_item = attach(
            cls.meeting, make_document(f"Pricing model {CANARY}"), Shared.INVITEES, cls.secret_item
        )

    def setUp(self):
        self.client = CommittingClient()

    def rita_links(self):
        """{title: path} of the paper links in Rita's (the external attendee's) invitation."""
        body = by_recipient()[RITA].body
        found = {}
        for line in body.splitlines():
            if line.startswith("- "):
                title = line[2:].split(" (agenda item:")[0]
            elif line.startswith("  http") and "/invitations/material/" in line:
                found[title] = "/" + line.strip().split("://", 1)[1].split("/", 1)[1]
        return found

    def download(self, title="Assay survey results"):
        return self.client.get(self.rita_links()[title])

    def test_an_invitee_is_sent_the_invitee_and_public_papers_only(self):
        self.confirm()
        body = by_recipient()[RITA].body

        self.assertEqual(set(self.rita_links()), {"Assay survey results", "Public slides"})
        self.assertIn("- Assay survey results (agenda item: Potency matrices)", body)
        self.assertNotIn("Negotiating notes", body)
        self.assertNotIn(CANARY, body)
        self.assertIn("please do not forward them", body)
        self.assertEqual(links(by_recipient()[RITA], SIGN_IN_LINK), [])

    def test_the_delegation_is_sent_every_paper_behind_the_sign_in(self):
        self.confirm()
        message = by_recipient()["dana@example.org"]

        for material in (
            self.for_delegation,
            self.for_invitees,
            self.for_public,
            self.of_secret_item,
        ):
            self.assertIn(f"- {material.document.title}", message.body)
        self.assertEqual(links(message), [])  # no link that works without an account
        sign_ins = links(message, SIGN_IN_LINK)
        self.assertEqual(len(sign_ins), 4)
        self.assertIn(f"%2Fdocuments%2F{self.for_delegation.document.pk}%2F", sign_ins[0])

    def test_each_invitee_gets_links_of_their_own(self):
        second = self.meeting.attendees.create(name="Ana Ruiz", email="ana@fda.example")
        self.meeting.attendees.add(second)
        self.meeting.save()
        self.confirm()

        self.assertNotEqual(
            set(links(by_recipient()[RITA])), set(links(by_recipient()["ana@fda.example"]))
        )

    def test_the_signed_link_downloads_the_paper_without_an_account(self):
        self.confirm()

        response = self.download()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(served(response), b"%PDF-1.4 Assay survey results")
        filename = self.for_invitees.document.filename
        self.assertEqual(response["Content-Disposition"], f'attachment; filename="{filename}"')
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(self.download("Public slides").status_code, 200)

    def test_a_tampered_or_made_up_link_is_refused(self):
        self.confirm()
        path = self.rita_links()["Assay survey results"]
        tampered = path[:-6] + ("A" if path[-6] != "A" else "B") + path[-5:]
        self.assertContains(self.client.get(tampered), "not valid", status_code=400)

        digest = replies.address_digest(RITA)
        for payload in ({"p": "abc", "a": digest}, {"p": [1], "a": digest}, {"p": 1}, [1], "x"):
            token = signing.dumps(payload, salt=replies.MATERIAL_SALT)
            with self.subTest(payload=payload):
                response = self.client.get(f"/invitations/material/{token}/")
                self.assertEqual(response.status_code, 400)
        # A reply link is no download link (another salt).
        reply = replies.reply_token(self.meeting, RITA)
        self.assertEqual(self.client.get(f"/invitations/material/{reply}/").status_code, 400)

    def test_an_expired_link_is_refused(self):
        self.confirm()
        path = self.rita_links()["Assay survey results"]

        with time_machine.travel(timezone.now() + datetime.timedelta(days=181)):
            response = self.client.get(path)

        self.assertContains(response, "has expired", status_code=410)

    def test_a_paper_no_longer_shared_with_invitees_stops_downloading(self):
        self.confirm()
        path = self.rita_links()["Assay survey results"]
        public = self.rita_links()["Public slides"]

        self.for_invitees.audience = Shared.DELEGATION
        self.for_invitees.save()
        self.assertContains(self.client.get(path), "no longer available", status_code=404)

        # Moved to a confidential item, marked public or not: the delegation's alone.
        self.for_public.agenda_item = self.secret_item
        self.for_public.save()
        self.assertEqual(self.client.get(public).status_code, 404)

    def test_a_detached_paper_stops_downloading(self):
        self.confirm()
        path = self.rita_links()["Assay survey results"]

        self.for_invitees.delete()

        self.assertContains(self.client.get(path), "no longer available", status_code=404)

    def test_someone_no_longer_invited_can_no_longer_download(self):
        self.confirm()
        path = self.rita_links()["Assay survey results"]

        self.meeting.attendees.set([self.no_email_contact])
        self.meeting.save()

        self.assertContains(self.client.get(path), "no longer on the list", status_code=410)

    def test_a_cancelled_meeting_shares_no_paper(self):
        self.confirm()
        path = self.rita_links()["Assay survey results"]
        mail.outbox.clear()

        meeting = self.save(status=S.CANCELLED)
        # At once, before the cancellation is even sent.
        self.assertContains(self.client.get(path), "This meeting is cancelled", status_code=410)

        self.send(meeting)
        self.assertEqual(self.client.get(path).status_code, 410)
        cancellation = by_recipient()[RITA]
        self.assertNotIn("PAPERS", cancellation.body)
        self.assertEqual(links(cancellation), [])

    def test_an_address_never_sent_the_invitation_downloads_nothing(self):
        # Not sent yet (the meeting is only planned), or never invited at all.
        for email in (RITA, "stranger@example.org"):
            token = replies.material_token(self.for_invitees, email)
            with self.subTest(email=email):
                response = self.client.get(f"/invitations/material/{token}/")
                self.assertEqual(response.status_code, 410)

    def test_someone_uninvited_then_sent_the_cancellation_downloads_nothing(self):
        self.confirm()
        path = self.rita_links()["Assay survey results"]
        self.meeting.attendees.set([])
        self.meeting.save()
        self.send()  # a CANCEL to Rita
        self.meeting.attendees.set([self.contact])
        self.meeting.save()  # invited again, but the new invitation is not sent yet

        self.assertEqual(self.client.get(path).status_code, 410)
        self.send()
        self.assertEqual(self.client.get(path).status_code, 200)

    def test_building_the_emails_reads_the_papers_once(self):
        def queries_to_build(recipients):
            meeting = ics.for_calendar(Meeting.objects.filter(pk=self.meeting.pk)).get()
            organiser = invites.organiser_of(meeting)
            # As a send (invites.deliver) and its preview build them: one batch of e-mails,
            # which reads the society once.
            with CaptureQueriesContext(connection) as queries, emails.batch():
                for recipient in recipients:
                    invites.build_message(meeting, recipient, [], "REQUEST", organiser)
            return len(queries)

        people = invites.recipients(self.meeting)
        one = queries_to_build(people[:1])
        for n in range(5):
            attach(self.meeting, make_document(f"Annex {n}"), Shared.INVITEES, self.open_item)
        self.assertEqual(queries_to_build(people), one)
        self.assertEqual(MeetingMaterial.objects.filter(meeting=self.meeting).count(), 9)
