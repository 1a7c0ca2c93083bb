"""The meeting page: one read-first page per meeting in the admin, showing each reader what
liaison.visibility lets them see, on three clocks, with Edit for those who may edit."""

import datetime
import re
from html import unescape

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.documents.models import Document
from wagtail.models import Collection
from wagtail.users.models import UserProfile

from liaison.meetings.materials import NAME as MATERIALS
from liaison.models import (
    ActionItem,
    AgendaItem,
    Contact,
    InvitationReply,
    Meeting,
    MeetingMaterial,
    Organisation,
)
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import LIST_URL, make_meeting, make_regulator, meeting_form

UTC = datetime.UTC


def page_url(meeting):
    return f"{LIST_URL}inspect/{meeting.pk}/"


def text(html):
    """The page's words, tags and spacing removed (for phrases split across tags)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def document(title, collection):
    from django.core.files.base import ContentFile

    return Document.objects.create(
        title=title,
        file=ContentFile(b"%PDF-1.4 paper", name=f"{title}.pdf"),
        collection=collection,
    )


class MeetingPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pmda = make_regulator("PMDA", zone="Asia/Tokyo")
        cls.secretariat = make_user("Secretariat", first_name="Sue", last_name="Secretary")
        cls.dana = make_user("Liaison delegates", first_name="Dana", last_name="Ng")
        cls.other_delegate = make_user("Liaison delegates", first_name="Otto", last_name="Side")
        cls.editor = make_user("Policy editors", first_name="Pat", last_name="Policy")
        society = Organisation.objects.create(name="Cell Therapy Society")
        cls.rita = Contact.objects.create(
            name="Dr Rita Osei",
            job_title="Reviewer",
            regulator=cls.pmda,
            email="rita@pmda.example",
        )
        cls.sam = Contact.objects.create(name="Sam Pharma", organisation=society)
        # 10:00-12:00 in Tokyo: 01:00-03:00 UTC.
        cls.meeting = make_meeting(
            cls.pmda,
            title="PMDA working call",
            delegation=[cls.dana],
            starts_at=datetime.datetime(2026, 6, 10, 1, tzinfo=UTC),
            objectives="CANARY-OBJECTIVE",
            join_url="https://meet.example/CANARY-JOIN",
            location="Tokyo, Shin-Kasumigaseki",
        )
        cls.meeting.attendees.set([cls.rita, cls.sam])
        cls.meeting.save()
        index = make_position_index()
        cls.position = make_position(index, title="Potency assay flexibility")
        cls.open_item = AgendaItem.objects.create(
            meeting=cls.meeting,
            title="Potency assays",
            duration_minutes=30,
            ask="CANARY-ASK",
            background="Shared background",
            talking_points="CANARY-TALKING",
            regulator_response="They will consider a matrix.",
            sort_order=0,
        )
        cls.open_item.cited_positions.set([cls.position])
        cls.open_item.save()
        cls.secret_item = AgendaItem.objects.create(
            meeting=cls.meeting,
            title="CANARY-SECRET-ITEM",
            duration_minutes=20,
            confidential=True,
            sort_order=1,
        )
        ActionItem.objects.create(
            meeting=cls.meeting,
            agenda_item=cls.open_item,
            description="Send the matrix",
            owner=cls.dana,
        )
        ActionItem.objects.create(
            meeting=cls.meeting,
            agenda_item=cls.secret_item,
            description="CANARY-SECRET-ACTION",
            owner=cls.dana,
        )
        collection = Collection.objects.get(name=MATERIALS)
        for title, item, audience in (
            ("Invitee slides", cls.open_item, "invitees"),
            ("CANARY-DELEGATION-PAPER", cls.open_item, "delegation"),
            ("CANARY-CONFIDENTIAL-ITEM-PAPER", cls.secret_item, "public"),
            ("Public agenda", None, "public"),
        ):
            MeetingMaterial.objects.create(
                meeting=cls.meeting,
                agenda_item=item,
                audience=audience,
                document=document(title, collection),
            )
        InvitationReply.objects.create(
            meeting=cls.meeting, recipient_email="rita@pmda.example", answer="declined"
        )

    def get(self, user, meeting=None):
        self.client.force_login(user)
        return self.client.get(page_url(meeting or self.meeting))

    def test_the_delegation_reads_everything(self):
        response = self.get(self.dana)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        for canary in (
            "CANARY-OBJECTIVE",
            "CANARY-ASK",
            "CANARY-TALKING",
            "CANARY-SECRET-ITEM",
            "CANARY-SECRET-ACTION",
            "CANARY-DELEGATION-PAPER",
            "CANARY-CONFIDENTIAL-ITEM-PAPER",
            "CANARY-JOIN",
        ):
            self.assertIn(canary, page)
        words = text(page)
        self.assertIn("Potency assay flexibility", words)
        self.assertIn("The regulator said: They will consider a matrix.", words)
        self.assertIn("Dr Rita Osei Reviewer, PMDA Declined", words)
        self.assertIn("Sam Pharma Cell Therapy Society", words)
        # A confidential item's paper says it stays with the delegation, whatever its mark.
        self.assertIn(
            "CANARY-CONFIDENTIAL-ITEM-PAPER PDF · The delegation only (a confidential item's paper)",
            words,
        )
        # The agenda on the meeting's clock: the second item starts after the first.
        self.assertIn("10:00–10:30 Potency assays", words)
        self.assertIn("10:30–10:50 CANARY-SECRET-ITEM", words)
        self.assertNotIn("Uuid", page)
        self.assertNotIn("Sequence", page)

    def test_staff_outside_the_delegation_see_no_confidential_content(self):
        page = self.get(self.editor).content.decode()
        self.assertIn("Potency assays", page)
        self.assertIn("Invitee slides", page)
        self.assertIn("Public agenda", page)
        for canary in (
            "CANARY-OBJECTIVE",
            "CANARY-ASK",
            "CANARY-TALKING",
            "CANARY-SECRET-ITEM",
            "CANARY-SECRET-ACTION",
            "CANARY-DELEGATION-PAPER",
            "CANARY-CONFIDENTIAL-ITEM-PAPER",
            "CANARY-JOIN",
            "rita@pmda.example",
            "Dr Rita Osei",
        ):
            self.assertNotIn(canary, page)
        self.assertNotIn('id="invitations"', page)
        self.assertNotIn("data-edit-meeting", page)

    def test_a_confidential_meeting_is_a_404_off_its_delegation(self):
        self.meeting.visibility = "confidential"
        self.meeting.save()
        self.assertEqual(self.get(self.other_delegate).status_code, 404)
        self.assertEqual(self.get(self.editor).status_code, 404)
        self.assertEqual(self.get(self.dana).status_code, 200)

    def test_edit_and_invitations_for_those_who_may_change_it(self):
        page = self.get(self.dana).content.decode()
        self.assertIn(f'href="{LIST_URL}edit/{self.meeting.pk}/"', page)
        page = self.get(self.secretariat).content.decode()
        self.assertIn("data-edit-meeting", page)
        self.assertIn('id="invitations"', page)
        self.assertIn('id="briefings"', page)

    def test_three_clocks(self):
        profile = UserProfile.get_for_user(self.dana)
        profile.current_time_zone = "Europe/London"
        profile.save()
        words = text(self.get(self.dana).content.decode())
        self.assertIn("Meeting time Wed 10 Jun 2026, 10:00–12:00 JST (Asia/Tokyo)", words)
        self.assertIn("Your time Wed 10 Jun 2026, 02:00–04:00 BST (Europe/London)", words)
        self.assertIn("UTC Wed 10 Jun 2026, 01:00–03:00 UTC", words)

    def test_no_reader_clock_when_it_is_the_meetings(self):
        profile = UserProfile.get_for_user(self.dana)
        profile.current_time_zone = "Asia/Tokyo"
        profile.save()
        self.assertNotIn("data-reader-time", self.get(self.dana).content.decode())

    def test_the_listing_leads_to_the_page_and_saving_returns_to_it(self):
        self.client.force_login(self.secretariat)
        listing = self.client.get(LIST_URL).content.decode()
        self.assertIn(f'href="{page_url(self.meeting)}"', listing)
        regulator = make_regulator("Health Canada BRDD")
        response = self.client.post(f"{LIST_URL}add/", meeting_form(regulator))
        created = Meeting.objects.get(title="Annual Cell Therapy Liaison Meeting")
        self.assertRedirects(response, page_url(created))
        form = meeting_form(regulator, title="Renamed meeting")
        response = self.client.post(f"{LIST_URL}edit/{created.pk}/", form)
        self.assertRedirects(response, page_url(created))

    def test_queries_do_not_grow_with_the_agenda(self):
        def count():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.get(self.secretariat).status_code, 200)
            return len(queries)

        self.get(self.secretariat)  # warm caches (site root paths, content types)
        before = count()
        collection = Collection.objects.get(name=MATERIALS)
        for n in range(20):
            item = AgendaItem.objects.create(
                meeting=self.meeting, title=f"Item {n}", duration_minutes=1, sort_order=10 + n
            )
            item.cited_positions.set([self.position])
            item.save()
            ActionItem.objects.create(
                meeting=self.meeting, agenda_item=item, description=f"Do {n}", owner=self.dana
            )
            MeetingMaterial.objects.create(
                meeting=self.meeting, agenda_item=item, document=document(f"Paper {n}", collection)
            )
        self.assertEqual(count(), before)
