"""Wagtail's own Documents listing, document chooser and document edit page do not show a
meeting's papers to those who may not download them: a policy editor (who may change
documents in every collection) sees no meeting paper marked for the delegation or of a
confidential item, nor any paper of a meeting they may not see; a delegate sees their own
meetings' papers; the Secretariat sees everything. Policy documents are listed as before."""

from django.test import TestCase

from liaison.models import Meeting
from tests.factories import make_user
from tests.liaison.factories import make_meeting
from tests.liaison.materials import CANARY, PapersTestCase, Shared, attach, make_document

LISTING = "/admin/documents/"
CHOOSER = "/admin/documents/chooser/"


class DocumentListingTests(PapersTestCase, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.confidential = make_meeting(
            cls.regulator,
            title="Enforcement call",
            visibility=Meeting.Visibility.CONFIDENTIAL,
            delegation=[cls.other_delegate],
        )
        cls.confidential_paper = attach(
            cls.confidential, make_document("CANARY-confidential-meeting-paper"), Shared.PUBLIC
        )
        cls.unattached = make_document("Draft slides not yet attached", uploaded_by=cls.delegate)

    def titles(self, user, url):
        self.client.force_login(user)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def assert_lists(self, user, shown, hidden, urls=(LISTING, CHOOSER)):
        for url in urls:
            html = self.titles(user, url)
            for title in shown:
                self.assertIn(title, html, f"{url} should list {title}")
            for title in hidden:
                self.assertNotIn(title, html, f"{url} must not list {title}")

    def test_a_policy_editor_sees_only_papers_shared_beyond_the_delegation(self):
        self.assert_lists(
            self.reader,
            shown=["Position annex", "Public slides", "Assay survey results"],
            hidden=[
                "Negotiating notes",
                CANARY,
                "CANARY-confidential-meeting-paper",
                "Draft slides not yet attached",
            ],
        )

    def test_a_delegate_chooses_among_their_meetings_papers_and_their_own_uploads(self):
        # Delegates have no Documents listing; they choose papers when attaching one.
        self.assert_lists(
            self.delegate,
            shown=["Negotiating notes", CANARY, "Public slides", "Draft slides not yet attached"],
            hidden=["CANARY-confidential-meeting-paper"],
            urls=[CHOOSER],
        )
        self.assert_lists(
            self.other_delegate,
            shown=["CANARY-confidential-meeting-paper", "Public slides"],
            hidden=["Negotiating notes", CANARY, "Draft slides not yet attached"],
            urls=[CHOOSER],
        )

    def test_the_secretariat_sees_every_paper(self):
        self.assert_lists(
            self.secretariat,
            shown=[
                "Negotiating notes",
                CANARY,
                "CANARY-confidential-meeting-paper",
                "Draft slides not yet attached",
            ],
            hidden=[],
        )

    def test_a_hidden_paper_cannot_be_opened_for_editing_or_chosen(self):
        self.client.force_login(self.reader)
        document = self.for_delegation.document

        edit = self.client.get(f"/admin/documents/edit/{document.pk}/")
        chosen = self.client.get(f"/admin/documents/chooser/{document.pk}/")

        self.assertNotEqual(edit.status_code, 200)
        self.assertNotIn(b"Negotiating notes", edit.content)
        self.assertNotEqual(chosen.status_code, 200)
        self.assertNotIn(b"Negotiating notes", chosen.content)
        # A paper they may read opens as before.
        shared = self.for_public.document
        self.assertEqual(self.client.get(f"/admin/documents/edit/{shared.pk}/").status_code, 200)

    def test_a_user_who_sees_no_meetings_sees_no_meeting_paper(self):
        editor_only = make_user("Policy approvers")
        html = self.titles(editor_only, LISTING)
        self.assertIn("Position annex", html)
        self.assertNotIn("Negotiating notes", html)
        self.assertNotIn("Draft slides not yet attached", html)
