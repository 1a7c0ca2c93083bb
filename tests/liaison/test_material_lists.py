"""Where a meeting's papers are listed: the public meeting page (the public papers of a public
meeting, with their download links), the delegate briefing (every paper: its agenda item,
who it is shared with, file type and size) and the stakeholder pre-read (the public papers
only). Each is read back: the page's HTML, the briefings with python-docx."""

import io
import re

import docx
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.briefings import data as briefing_data
from liaison.briefings import document as briefing
from tests.liaison.materials import CANARY, PapersTestCase, Shared, attach, make_document


def page_url(meeting):
    return f"/meetings/{meeting.uuid}/"


def open_docx(data):
    return docx.Document(io.BytesIO(data))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PAPERS = "Annex B. Meeting papers"


def linked(document, paragraph):
    """The paragraph's text with each hyperlink written "[text](address)"."""
    rels = document.part.rels
    parts = []
    for child in paragraph._p:
        text = "".join(t.text or "" for t in child.iter(f"{W}t"))
        if child.tag == f"{W}hyperlink" and child.get(f"{R}id"):
            parts.append(f"[{text}]({rels[child.get(f'{R}id')].target_ref})")
        else:
            parts.append(text)
    return "".join(parts)


def section_after(document, heading):
    """The paragraphs after the heading ``heading``, up to the next heading of its level."""
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == heading)
    level = paragraphs[start].style.name
    found = []
    for p in paragraphs[start + 1 :]:
        if p.style.name == level:
            break
        found.append(linked(document, p))
    return found


def table_after(document, first_header):
    (table,) = [t for t in document.tables if t.rows[0].cells[0].text == first_header]
    return [[cell.text for cell in row.cells] for row in table.rows]


class PublicPageTestCase(PapersTestCase):
    def test_the_public_page_lists_the_public_papers_with_their_links(self):
        response = self.client.get(page_url(self.meeting))

        self.assertEqual(response.status_code, 200)
        papers = re.search(
            r'<section aria-labelledby="papers-heading">(.*?)</section>',
            response.content.decode(),
            re.S,
        ).group(1)
        document = self.for_public.document
        self.assertInHTML(f'<a href="{document.url}">Public slides</a>', papers)
        self.assertIn("PDF", papers)
        for material in (self.for_delegation, self.for_invitees, self.of_secret_item):
            self.assertNotContains(response, material.document.title)
        self.assertNotContains(response, CANARY)

    def test_without_public_papers_there_is_no_section(self):
        self.for_public.delete()

        response = self.client.get(page_url(self.meeting))

        self.assertNotContains(response, "papers-heading")

    def test_the_queries_do_not_grow_with_the_papers(self):
        def count():
            self.client.get(page_url(self.meeting))
            with CaptureQueriesContext(connection) as queries:
                self.client.get(page_url(self.meeting))
            return len(queries)

        before = count()
        for n in range(5):
            attach(self.meeting, make_document(f"Annex {n}"), Shared.PUBLIC, self.open_item)

        self.assertEqual(count(), before)
        self.assertContains(self.client.get(page_url(self.meeting)), "Annex 4")


class BriefingListsTestCase(PapersTestCase):
    def build(self, audience, meeting=None):
        data = briefing_data.load((meeting or self.meeting).pk, base_url="https://liaise.example")
        return briefing.build(data, audience)

    def test_the_delegate_briefing_lists_every_paper(self):
        document = open_docx(self.build("delegate"))

        rows = table_after(document, "Paper")
        self.assertEqual(rows[0], ["Paper", "Agenda item", "Shared with", "File"])
        self.assertEqual(
            rows[1:],
            [
                ["Negotiating notes", "Whole meeting", "The delegation only", "PDF, 26 bytes"],
                ["Public slides", "Whole meeting", "Public (on the public meeting page)",
                 "PDF, 22 bytes"],
                ["Assay survey results", "Potency assays", "Invitees and the delegation",
                 "PDF, 29 bytes"],
                [f"Pricing model {CANARY}", "Pricing strategy",
                 "The delegation only (a confidential item's paper)", "PDF, 40 bytes"],
            ],
        )  # fmt: skip
        links = section_after(document, PAPERS)
        self.assertIn(
            "Negotiating notes: [open it after signing in]"
            "(https://liaise.example/admin/login/?next=%2Fdocuments%2F"
            f"{self.for_delegation.document.pk}%2F{self.for_delegation.document.filename})",
            links,
        )

    def test_the_pre_read_lists_the_public_papers_only(self):
        data = self.build("pre-read")
        document = open_docx(data)

        papers = section_after(document, PAPERS)
        public = self.for_public.document
        self.assertEqual(
            papers,
            [
                f"[Public slides](https://liaise.example/documents/{public.pk}/"
                f"{public.filename}) (PDF, 22 bytes)"
            ],
        )
        for material in (self.for_delegation, self.for_invitees, self.of_secret_item):
            self.assertNotIn(material.document.title.encode(), data)
        self.assertNotIn(CANARY.encode(), data)
        self.assertEqual(document.tables[-1].rows[0].cells[0].text, "Start")  # no papers table

    def test_a_members_meeting_pre_read_lists_no_paper(self):
        # Marked public, but only a public meeting's papers may be opened by anyone.
        document = open_docx(self.build("pre-read", self.members_meeting))
        self.assertNotIn(PAPERS, [p.text for p in document.paragraphs])
        self.assertNotIn("Members call slides", "\n".join(p.text for p in document.paragraphs))

    def test_loading_takes_as_many_queries_whatever_the_papers(self):
        def count():
            with CaptureQueriesContext(connection) as queries:
                briefing_data.load(self.meeting.pk)
            return len(queries)

        briefing_data.load(self.meeting.pk)  # warm caches (site roots)
        before = count()
        for n in range(5):
            attach(self.meeting, make_document(f"Annex {n}"), Shared.INVITEES, self.open_item)

        self.assertEqual(count(), before)
        self.assertEqual(len(briefing_data.load(self.meeting.pk).materials), 9)
