"""liaison.briefing rendered by LibreOffice: the marking is on every page of the PDF and the
agenda is there. Pages are also written as PNGs to var/screenshots/briefing-*.png for a look.

Without LibreOffice (soffice) or poppler (pdftotext) the tests skip, and fail when CI=true.
"""

import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import SimpleTestCase, TestCase

from advocacy.models import PositionPage
from liaison.briefings import data as briefing_data
from liaison.briefings import document as briefing
from liaison.models import ActionItem, AgendaItem, Contact, Meeting
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import make_meeting, make_regulator

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
TIMEOUT = 120
SOCIETY = briefing.Society(
    name="Society for Cell and Gene Therapy Policy",
    postal_address="12 Harbour Street\nOttawa ON K1P 5G4",
    website="https://scgtp.example.org/about/",
    paper_size="letter",
    markings=briefing.Markings(
        confidential="SCGTP RESTRICTED — delegation", participants="SCGTP — participants only"
    ),
)


def require_tools():
    missing = [name for name, path in (("soffice", SOFFICE), ("pdftotext", PDFTOTEXT)) if not path]
    if missing:
        message = (
            f"{' and '.join(missing)} not installed "
            "(apt-get install libreoffice-writer-nogui poppler-utils)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI must run the briefing PDF tests.")
        pytest.skip(message)


def to_pdf(data, folder, name):
    """Convert .docx bytes to PDF with a private LibreOffice profile; return the PDF path."""
    source = folder / f"{name}.docx"
    source.write_bytes(data)
    profile = folder / f"lo-profile-{uuid.uuid4().hex}"
    result = subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    pdf = folder / f"{name}.pdf"
    assert pdf.exists(), f"LibreOffice made no PDF: {result.stdout} {result.stderr}"
    return pdf


def raw_pages(pdf):
    """The text of each page in reading order, as pdftotext gives it."""
    text = subprocess.run(
        [PDFTOTEXT, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=TIMEOUT,
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def pages(pdf):
    """The text of each page in reading order, with all white space removed: where a line
    wraps depends on the fonts a machine has, so no assertion may depend on it."""
    return [squash(page) for page in raw_pages(pdf)]


def squash(text):
    return re.sub(r"\s+", "", text)


def screenshots(pdf, name):
    if not PDFTOPPM:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob(f"briefing-{name}-*.png"):
        old.unlink()
    subprocess.run(
        [PDFTOPPM, "-png", "-r", "60", str(pdf), str(SCREENSHOTS / f"briefing-{name}")],
        check=True,
        timeout=TIMEOUT,
    )


class BriefingPdfTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        regulator = make_regulator()
        delegate = make_user(first_name="Priya", last_name="Patel")
        cls.meeting = make_meeting(
            regulator,
            delegation=[delegate],
            objectives="Agree next steps on potency assays.\nHear the timeline for guidance.",
            location="Ottawa, Holland Cross",
            join_url="https://meet.example/abc",
        )
        cls.meeting.attendees.set(
            [
                Contact.objects.create(
                    name="Dr. Anne Official", job_title="Director", regulator=regulator
                ),
                Contact.objects.create(name="山田 太郎", email="t@example.jp"),
            ]
        )
        cls.meeting.save()
        index = make_position_index()
        positions = [
            make_position(
                index,
                title="Potency matrix position",
                policy_status=PositionPage.Status.ADOPTED,
                adopted_on=datetime.date(2025, 3, 4),
                summary="A matrix of assays may replace a single potency assay.",
            ),
            make_position(
                index, title="Old potency position", policy_status=PositionPage.Status.SUPERSEDED
            ),
        ]
        for i in range(40):
            item = AgendaItem.objects.create(
                meeting=cls.meeting,
                sort_order=i,
                title=f"Agenda topic {i + 1}: potency assay matrices and comparability",
                duration_minutes=5,
                presenter="Priya Patel",
                ask="Accept a matrix approach for potency.",
                background="Sponsors struggle to validate a single potency assay early on. "
                "A matrix of assays gives a fuller picture of the mechanism of action.",
                talking_points="Matrices are used in the EU.\nWe have data from 12 products.",
                confidential=i % 7 == 3,
                regulator_response="Open to it, wants more data." if i % 2 else "",
                decision="Follow up in writing." if i % 3 == 0 else "",
            )
            if i == 0:
                item.cited_positions.set(positions)
                item.save()
        ActionItem.objects.create(
            meeting=cls.meeting,
            description="Send the matrix data package",
            owner=delegate,
            due_date=datetime.date(2026, 7, 1),
        )

    def setUp(self):
        require_tools()
        self.folder = Path(tempfile.mkdtemp(prefix="briefing-pdf-"))
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)

    def render(self, audience):
        data = briefing.build(
            briefing_data.load(self.meeting.pk, base_url="http://127.0.0.1:8000"),
            audience,
            society=SOCIETY,
            version=3,
        )
        name = str(audience)
        pdf = to_pdf(data, self.folder, name)
        screenshots(pdf, name)
        self.raw = raw_pages(pdf)
        return pages(pdf)

    def assert_book(self, pages, audience, headings):
        """What every audience's PDF shows: a cover naming the society, the meeting, the
        audience and the classification; a table of contents listing ``headings`` with the
        page each is on; and no raw address anywhere."""
        cover = pages[0]
        for words in (SOCIETY.name, "Annual Cell Therapy Liaison Meeting", audience):
            self.assertIn(squash(words), cover)
        self.assertIn(squash("Classification:"), cover)
        self.assertIn(squash("Version: 3, prepared"), cover)
        self.assertIn(squash("12 Harbour Street, Ottawa"), cover)
        self.assertIn("scgtp.example.org", cover)
        self.assertIn("Contents", pages[1])
        everything = "\n".join(self.raw)
        for heading in headings:
            # A contents line: the heading (wrapped anywhere), dot leaders, then the number
            # of the page the heading is really on (after the contents).
            words = r"\s+".join(re.escape(w) for w in heading.split())
            found = re.search(words + r"\s*\.{3,}\s*(\d+)\s*$", everything, re.M)
            self.assertIsNotNone(found, f"{heading} not in the contents:\n{self.raw[1]}")
            page = int(found.group(1))
            self.assertGreater(page, 2, heading)
            self.assertIn(squash(heading), pages[page - 1], f"{heading} is not on page {page}")
        for number, text in enumerate(pages, 1):
            self.assertNotIn("127.0.0.1", text, f"page {number}")
            self.assertNotIn("http", text, f"page {number}")

    def assert_marked(self, pages, marking):
        for number, page in enumerate(pages, 1):
            # Once in the header and once in the footer of every page.
            self.assertGreaterEqual(page.count(squash(marking)), 2, f"page {number}:\n{page}")
            self.assertIn(f"Page{number}of{len(pages)}", page, f"page {number}")

    def test_delegate_briefing(self):
        found = self.render(briefing.Audience.DELEGATE)
        self.assertGreaterEqual(len(found), 3)
        self.assert_marked(found, SOCIETY.markings.confidential)
        self.assert_book(
            found,
            "Delegate briefing",
            [
                "Agenda items",
                "40. Agenda topic 40: potency assay matrices and comparability",
                "Contacts",
                "Annex A. Cited positions, as published",
            ],
        )
        text = "".join(found)
        self.assertIn(squash("Agenda topic 40"), text)
        self.assertIn("09:00", text)
        self.assertIn(squash("Warning: “Old potency position” is superseded."), text)
        # The cited position is a link with words; no raw address is printed.
        self.assertIn(squash("Read it on our website"), text)
        self.assertNotIn("http", text)
        # The agenda's header row repeats on the pages it spans.
        self.assertGreaterEqual(sum("Start" in p and "Presenter" in p for p in found), 2)

    def test_pre_read(self):
        found = self.render(briefing.Audience.PRE_READ)
        self.assert_marked(found, SOCIETY.markings.participants)
        self.assert_book(
            found,
            "Pre-read",
            [
                "Agenda",
                "1. Agenda topic 1: potency assay matrices and comparability",
                "Annex A. Cited positions, as published",
            ],
        )
        text = "".join(found)
        self.assertIn(squash("Agenda topic 1:"), text)
        self.assertNotIn(squash("Agenda topic 4:"), text)  # confidential
        self.assertNotIn(squash("Matrices are used in the EU"), text)

    def test_record(self):
        found = self.render(briefing.Audience.RECORD)
        self.assert_marked(found, SOCIETY.markings.confidential)
        self.assert_book(found, "Meeting record", ["Attendance", "Outcomes", "Actions"])
        text = "".join(found)
        self.assertIn(squash("Send the matrix data package"), text)
        self.assertIn(squash("Agenda topic 40"), text)
        self.assertEqual(Meeting.objects.count(), 1)


class MissingToolsPolicyTests(SimpleTestCase):
    """Like the browser tests: a missing tool skips locally and fails on CI."""

    def test_skips_locally_and_fails_on_ci(self):
        module = sys.modules[__name__]
        with (
            mock.patch.object(module, "SOFFICE", None),
            mock.patch.object(module, "PDFTOTEXT", "/usr/bin/pdftotext"),
            mock.patch.dict(os.environ, {"CI": "true"}),
            self.assertRaises(pytest.fail.Exception) as failed,
        ):
            require_tools()
        self.assertIn("soffice not installed", str(failed.exception))
        with (
            mock.patch.object(module, "SOFFICE", None),
            mock.patch.dict(os.environ, {"CI": ""}),
            self.assertRaises(pytest.skip.Exception),
        ):
            require_tools()
