"""The canary: the paper of a confidential agenda item (marked public by mistake, the worst
case) and a delegation-only paper never reach an invitee's e-mail, the public site, a
calendar, the documents API or a stakeholder pre-read; only the delegation's e-mails and
briefing name them."""

import io
import zipfile

from django.core import mail

from liaison.briefings import data as briefing_data
from liaison.briefings import document as briefing
from liaison.calendars import ics
from liaison.calendars import invitations as invites
from liaison.models import Meeting
from tests.liaison.materials import CANARY, PapersTestCase
from tests.outbox import committed

DELEGATION_ONLY = "Negotiating notes"


def whole_message(message):
    return message.message().as_bytes().decode("utf-8", "replace")


def package_text(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )


class MaterialCanaryTestCase(PapersTestCase):
    def send_invitations(self):
        self.meeting.status = Meeting.Status.CONFIRMED
        self.meeting.save()
        with committed():
            stored = ics.for_calendar(Meeting.objects.filter(pk=self.meeting.pk)).get()
            invites.queue(stored, sent_by=self.secretariat)
        return {m.to[0].split("<")[-1].rstrip(">"): m for m in mail.outbox}

    def test_no_invitee_email_names_them(self):
        sent = self.send_invitations()

        invitee = whole_message(sent["rita.osei@hc.example"])
        self.assertIn("Assay survey results", invitee)  # the invitees' paper is there
        self.assertNotIn(CANARY, invitee)
        self.assertNotIn(DELEGATION_ONLY, invitee)
        # The delegation's e-mail lists both (which shows the canary is one to find).
        delegate = whole_message(sent["dana@example.org"])
        self.assertIn(CANARY, delegate)
        self.assertIn(DELEGATION_ONLY, delegate)

    def test_no_public_address_names_them(self):
        addresses = [
            "/",
            "/meetings/",
            f"/meetings/{self.meeting.uuid}/",
            "/calendar/public.ics",
            f"/calendar/meetings/{self.meeting.uuid}.ics",
            "/search/?q=Pricing",
            "/api/v2/documents/",
            "/api/v2/documents/?search=Pricing",
            f"/documents/{self.of_secret_item.document.pk}/{self.of_secret_item.document.filename}",
        ]
        public_page = self.client.get(f"/meetings/{self.meeting.uuid}/")
        self.assertContains(public_page, "Public slides")
        for address in addresses:
            with self.subTest(address=address):
                response = self.client.get(address)
                self.assertIn(response.status_code, (200, 404))
                body = b"".join(response) if response.streaming else response.content
                self.assertNotIn(CANARY.encode(), body)
                self.assertNotIn(DELEGATION_ONLY.encode(), body)

    def test_no_pre_read_names_them(self):
        data = briefing_data.load(self.meeting.pk)
        pre_read = package_text(briefing.build(data, "pre-read"))
        delegate = package_text(briefing.build(data, "delegate"))

        self.assertIn("Public slides", pre_read)
        self.assertNotIn(CANARY, pre_read)
        self.assertNotIn(DELEGATION_ONLY, pre_read)
        self.assertIn(CANARY, delegate)
