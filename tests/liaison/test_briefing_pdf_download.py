"""Briefings as PDF: the worker converts the stored Word file with LibreOffice
(liaison.tasks.convert_briefing_pdf, liaison.briefings.pdf), the meeting page's Briefings panel
offers Word and PDF, and the PDF download is permission-checked like the Word one.

The PDFs are read back with pdftotext and from their bytes (structure tree, outline).
Without LibreOffice (soffice) or poppler (pdftotext) the conversion tests skip, and fail when
CI=true (tests.liaison.test_briefing_pdf.require_tools).
"""

import concurrent.futures
import io
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from unittest import mock

import docx
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from django.test import TestCase, override_settings

from liaison.briefings import pdf
from liaison.models import AgendaItem, Briefing
from liaison.tasks import convert_briefing_pdf
from tests.factories import make_user
from tests.liaison import test_briefing_pdf as lo
from tests.liaison.factories import make_meeting, make_regulator

TITLE = "Annual Cell Therapy Liaison Meeting"
SECRET = "CANARY-secret-clinic-names"
PAGE = "/admin/snippets/liaison/meeting/inspect/{}/"
UNAVAILABLE = "PDF not available: LibreOffice is not installed on the worker; the Word file works."


def word_file(*paragraphs):
    """A small .docx written with python-docx alone: a title, a heading, paragraphs."""
    document = docx.Document()
    document.add_heading("Converted as stored", 1)
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_pages(data):
    """pdftotext's text of each page, white space removed (tests.liaison.test_briefing_pdf)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return lo.pages(Path(handle.name))


def _pdf_string(raw):
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode())
        return data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff" else data.decode("latin-1")
    text = raw[1:-1]
    text = re.sub(rb"\\([()\\])", rb"\1", text)
    return text.decode("latin-1")


def outline_titles(data):
    """The titles of the PDF's outline (bookmark) items, in file order: the objects with a
    /Title, a /Parent and a destination. LibreOffice writes them uncompressed."""
    titles = []
    for body in re.findall(rb"\d+ 0 obj\s*<<(.*?)>>\s*endobj", data, re.S):
        title = re.search(rb"/Title\s*(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))", body)
        if title and b"/Parent" in body and (b"/Dest" in body or b"/A" in body):
            titles.append(_pdf_string(title.group(1)))
    return titles


def docx_headings(data):
    """The Heading 1 and Heading 2 paragraphs of a .docx, in order."""
    document = docx.Document(io.BytesIO(data))
    return [
        p.text
        for p in document.paragraphs
        if p.style.name in ("Heading 1", "Heading 2") and p.text.strip()
    ]


def docx_marking(data):
    """The first paragraph of the page header of a .docx: the briefing's marking."""
    return docx.Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text


class BriefingPdfTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.delegate = make_user("Liaison delegates", first_name="Dev")
        cls.other = make_user("Liaison delegates")
        cls.editor = make_user("Policy editors")
        cls.meeting = make_meeting(
            make_regulator(), title=TITLE, visibility="members", delegation=[cls.delegate]
        )
        for i in range(30):
            AgendaItem.objects.create(
                meeting=cls.meeting,
                sort_order=i,
                title=f"Agenda topic {i + 1}: potency assay matrices",
                duration_minutes=5,
                presenter="Priya Patel",
                ask="Accept a matrix approach for potency.",
                background="Sponsors struggle to validate a single potency assay early on. "
                "A matrix of assays gives a fuller picture of the mechanism of action.",
                talking_points="Matrices are used in the EU.\nWe have data from 12 products.",
            )
        AgendaItem.objects.create(
            meeting=cls.meeting, title=SECRET, confidential=True, sort_order=99
        )

    def generate(self, user, audience="delegate"):
        """Ask for a briefing as `user`; the worker's tasks run at once (Q_CLUSTER sync), the
        PDF conversion too, which generate_briefing queues on commit."""
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"/admin/liaison/meetings/{self.meeting.pk}/briefings/",
                {"briefing_audience": audience},
            )
        return Briefing.objects.latest("pk")

    def ready_briefing(self, data, audience="delegate", pdf_status="queued"):
        """A briefing whose Word file is `data`, as generate_briefing leaves it."""
        briefing = Briefing(
            meeting=self.meeting,
            audience=audience,
            status=Briefing.Status.READY,
            pdf_status=pdf_status,
            meeting_changed_at=self.meeting.updated_at,
        )
        briefing.file.save("stored.docx", ContentFile(data), save=False)
        briefing.save()
        return briefing

    def with_pdf(self, audience="delegate"):
        """A briefing with a ready PDF (bytes written here: for the views, not LibreOffice)."""
        briefing = self.ready_briefing(word_file("x"), audience, pdf_status="ready")
        briefing.pdf.save("stored.pdf", ContentFile(b"%PDF-1.7 stand-in"), save=True)
        return briefing

    def download_pdf(self, briefing, user):
        self.client.force_login(user)
        return self.client.get(f"/admin/liaison/briefings/{briefing.pk}/download.pdf")

    def panel(self, user):
        """The Briefings panel of the meeting page, parsed (None when there is none)."""
        self.client.force_login(user)
        response = self.client.get(PAGE.format(self.meeting.pk))
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser").find(id="briefings")

    def row(self, user, audience="delegate"):
        panel = self.panel(user)
        return panel and panel.find("tr", attrs={"data-briefing": audience})


class ConversionTests(BriefingPdfTestCase):
    """The real thing: LibreOffice in the task."""

    def setUp(self):
        lo.require_tools()

    def test_a_generated_briefing_gets_a_tagged_pdf_with_bookmarks(self):
        briefing = self.generate(self.delegate)

        self.assertEqual(briefing.status, "ready", briefing.error)
        self.assertEqual(briefing.pdf_status, "ready", briefing.pdf_error)
        self.assertEqual(briefing.pdf_error, "")
        with briefing.file.open("rb") as handle:
            word = handle.read()
        response = self.download_pdf(briefing, self.delegate)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertRegex(response["Cache-Control"], r"^private, no-store\b")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertRegex(
            response["Content-Disposition"],
            r'^attachment; filename="\d{4}-\d\d-\d\d Annual Cell Therapy Liaison Meeting'
            r' - delegate\.pdf"$',
        )
        data = b"".join(response.streaming_content)
        self.assertTrue(data.startswith(b"%PDF-"))

        found = pdf_pages(data)
        self.assertGreaterEqual(len(found), 2)
        marking = docx_marking(word)
        self.assertIn("CONFIDENTIAL", marking)
        for number, page in enumerate(found, 1):
            # The marking in the header and in the footer of every page.
            self.assertGreaterEqual(page.count(lo.squash(marking)), 2, f"page {number}")
            self.assertIn(f"Page{number}of{len(found)}", page, f"page {number}")
        text = "".join(found)
        self.assertIn(lo.squash(TITLE), text)
        self.assertIn(lo.squash("Agenda topic 30: potency assay matrices"), text)
        self.assertIn(lo.squash(SECRET), text)

        # Tagged: a structure tree, marked content.
        self.assertIn(b"/StructTreeRoot", data)
        self.assertIn(b"/MarkInfo", data)
        # Bookmarks: the Word file's headings, in order.
        self.assertIn(b"/Outlines", data)
        headings = docx_headings(word)
        self.assertIn("Agenda", headings)
        self.assertIn("1. Agenda topic 1: potency assay matrices", headings)
        self.assertEqual(outline_titles(data), headings)

    def test_the_stored_word_file_is_converted_as_it_is(self):
        briefing = self.ready_briefing(word_file("Stored text, not rebuilt from the meeting"))

        name = convert_briefing_pdf(briefing.pk)

        briefing.refresh_from_db()
        self.assertEqual(briefing.pdf_status, "ready", briefing.pdf_error)
        self.assertEqual(briefing.pdf.name, name)
        self.assertRegex(name, r"^briefings/\d{4}/\d\d/\d{4}-\d\d-\d\d_.+_delegate\w*\.pdf$")
        with briefing.pdf.open("rb") as handle:
            text = "".join(pdf_pages(handle.read()))
        self.assertIn(lo.squash("Stored text, not rebuilt from the meeting"), text)
        self.assertNotIn(lo.squash(TITLE), text)

    def test_a_broken_word_file_fails_with_the_reason(self):
        briefing = self.ready_briefing(b"PK\x03\x04 the rest of this file is lost")

        with self.assertLogs("liaison.tasks", "ERROR"):
            self.assertIsNone(convert_briefing_pdf(briefing.pk))

        briefing.refresh_from_db()
        self.assertEqual(briefing.pdf_status, "failed")
        self.assertIn("LibreOffice wrote no PDF", briefing.pdf_error)
        self.assertFalse(briefing.pdf)
        # The Word file still works; the PDF link is not offered, its URL is a 404.
        row = self.row(self.delegate)
        self.assertIn("PDF failed: ConversionError: LibreOffice wrote no PDF", row.get_text())
        self.assertIsNotNone(row.find("a", attrs={"data-download": "docx"}))
        self.assertIsNone(row.find("a", attrs={"data-download": "pdf"}))
        self.assertEqual(self.download_pdf(briefing, self.delegate).status_code, 404)

    def test_a_conversion_that_takes_too_long_is_stopped(self):
        folders = []
        real_run = pdf._run

        def run(command, folder, seconds):
            folders.append(str(folder))
            return real_run(command, folder, seconds)

        with (
            mock.patch.object(pdf, "_run", run),
            self.assertRaisesRegex(pdf.ConversionError, r"longer than 0\.5 s"),
        ):
            pdf.convert(word_file("slow"), seconds=0.5)

        # Nothing of it is left running: soffice.bin is killed with the script that started it.
        left = [
            p.name
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and folders[0].encode() in _cmdline(p)
        ]
        self.assertEqual(left, [])
        self.assertFalse(Path(folders[0]).exists())

    def test_two_conversions_at_once_each_use_their_own_profile(self):
        data = [word_file(f"Document {n}") for n in (1, 2)]

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            results = list(pool.map(pdf.convert, data))

        for n, result in enumerate(results, 1):
            self.assertTrue(result.startswith(b"%PDF-"))
            self.assertIn(f"Document{n}", "".join(pdf_pages(result)))


def _cmdline(proc):
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


class FailureTests(BriefingPdfTestCase):
    """No LibreOffice, or one that fails: statuses and reasons (no LibreOffice needed)."""

    def test_without_libreoffice_the_pdf_is_unavailable_and_word_works(self):
        with mock.patch.object(pdf, "available", return_value=False):
            briefing = self.generate(self.delegate)

        self.assertEqual(briefing.status, "ready", briefing.error)
        self.assertEqual(briefing.pdf_status, "unavailable")
        self.assertIn("not installed", briefing.pdf_error)
        self.assertFalse(briefing.pdf)
        row = self.row(self.delegate)
        self.assertIn(UNAVAILABLE, " ".join(row.get_text().split()))
        self.assertIsNone(row.find("a", attrs={"data-download": "pdf"}))
        word = row.find("a", attrs={"data-download": "docx"})
        self.assertEqual(self.client.get(word["href"]).status_code, 200)
        self.assertEqual(self.download_pdf(briefing, self.delegate).status_code, 404)

    def test_a_libreoffice_binary_setting_naming_nothing_is_unavailable(self):
        briefing = self.ready_briefing(word_file("x"))

        with override_settings(LIBREOFFICE_BINARY="/nonexistent/soffice"):
            self.assertFalse(pdf.available())
            with self.assertLogs("liaison.tasks", "WARNING"):
                convert_briefing_pdf(briefing.pk)

        briefing.refresh_from_db()
        self.assertEqual(briefing.pdf_status, "unavailable")
        self.assertIn("LIBREOFFICE_BINARY (/nonexistent/soffice)", briefing.pdf_error)

    def fake_soffice(self, script):
        folder = Path(tempfile.mkdtemp(prefix="fake-soffice-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        program = folder / "soffice"
        program.write_text("#!/bin/sh\n" + script)
        program.chmod(program.stat().st_mode | stat.S_IEXEC)
        return str(program)

    def test_a_non_zero_exit_fails_with_what_libreoffice_said(self):
        program = self.fake_soffice("echo 'General Error: the disk is full' >&2\nexit 3\n")
        briefing = self.ready_briefing(word_file("x"))

        with override_settings(LIBREOFFICE_BINARY=program), self.assertLogs("liaison.tasks"):
            convert_briefing_pdf(briefing.pk)

        briefing.refresh_from_db()
        self.assertEqual(briefing.pdf_status, "failed")
        self.assertEqual(
            briefing.pdf_error,
            "ConversionError: LibreOffice stopped with exit status 3: "
            "General Error: the disk is full",
        )
        self.assertFalse(briefing.pdf)
        row = self.row(self.delegate)
        self.assertIn("General Error: the disk is full", row.get_text())

    def test_a_timeout_stops_what_libreoffice_started_too(self):
        # soffice is a script that starts soffice.bin: here a script whose child sleeps,
        # holding the output pipe. Stopping only the script would wait for the child.
        program = self.fake_soffice(
            "python3 -c 'import sys, time; time.sleep(60)' \"$0\"\necho never\n"
        )
        started = time.monotonic()
        with (
            override_settings(LIBREOFFICE_BINARY=program),
            self.assertRaisesRegex(pdf.ConversionError, r"longer than 1 s \(BRIEFING_PDF_TIMEOUT"),
        ):
            pdf.convert(word_file("x"), seconds=1)

        self.assertLess(time.monotonic() - started, 20)
        left = [p.name for p in Path("/proc").iterdir() if program.encode() in _cmdline(p)]
        self.assertEqual(left, [])

    def test_the_timeout_setting_is_used(self):
        program = self.fake_soffice("sleep 5\n")
        with (
            override_settings(LIBREOFFICE_BINARY=program, BRIEFING_PDF_TIMEOUT=0.2),
            self.assertRaisesRegex(pdf.ConversionError, r"longer than 0\.2 s"),
        ):
            pdf.convert(word_file("x"))

    def test_no_output_is_a_failure(self):
        program = self.fake_soffice("exit 0\n")
        with (
            override_settings(LIBREOFFICE_BINARY=program),
            self.assertRaisesRegex(pdf.ConversionError, "LibreOffice wrote no PDF"),
        ):
            pdf.convert(word_file("x"))

    def test_the_command_asks_for_a_tagged_pdf_with_bookmarks_and_a_private_profile(self):
        program = self.fake_soffice('printf "%s\\n" "$@" > "$(dirname "$0")/arguments"\nexit 9\n')
        with (
            override_settings(LIBREOFFICE_BINARY=program),
            self.assertRaisesRegex(pdf.ConversionError, "exit status 9"),
        ):
            pdf.convert(word_file("x"))
        said = " ".join((Path(program).parent / "arguments").read_text().splitlines())
        self.assertIn("--headless --norestore", said)
        self.assertRegex(said, r"-env:UserInstallation=file:///\S+/profile ")
        self.assertIn('"UseTaggedPDF":{"type":"boolean","value":"true"}', said)
        self.assertIn('"ExportBookmarks":{"type":"boolean","value":"true"}', said)
        self.assertIn('"ExportNotes":{"type":"boolean","value":"false"}', said)

    def test_not_a_word_file_fails_before_libreoffice(self):
        briefing = self.ready_briefing(b"%PDF-1.7 this is not a Word file")

        with self.assertLogs("liaison.tasks", "ERROR"):
            convert_briefing_pdf(briefing.pk)

        briefing.refresh_from_db()
        self.assertEqual(briefing.pdf_status, "failed")
        self.assertIn("not a Word (.docx) file", briefing.pdf_error)

    def test_a_briefing_whose_word_file_is_missing_fails_not_crashes(self):
        briefing = self.ready_briefing(word_file("x"))
        briefing.file.storage.delete(briefing.file.name)

        with self.assertLogs("liaison.tasks", "ERROR"):
            convert_briefing_pdf(briefing.pk)

        briefing.refresh_from_db()
        self.assertEqual(briefing.pdf_status, "failed")
        self.assertTrue(briefing.pdf_error)


class ClaimTests(BriefingPdfTestCase):
    def test_running_the_task_twice_converts_once(self):
        briefing = self.ready_briefing(word_file("x"))
        with mock.patch.object(pdf, "convert", return_value=b"%PDF-1.7 made once") as convert:
            first = convert_briefing_pdf(briefing.pk)
            second = convert_briefing_pdf(briefing.pk)

        self.assertEqual(convert.call_count, 1)
        self.assertIsNotNone(first)
        self.assertIsNone(second)
        briefing.refresh_from_db()
        self.assertEqual(briefing.pdf.name, first)

    def test_a_conversion_claimed_by_another_worker_or_not_queued_is_left_alone(self):
        for status in ("running", "none", "ready", "failed", "unavailable"):
            with self.subTest(status=status):
                briefing = self.ready_briefing(word_file("x"), pdf_status=status)
                with mock.patch.object(pdf, "convert") as convert:
                    self.assertIsNone(convert_briefing_pdf(briefing.pk))
                convert.assert_not_called()
                briefing.refresh_from_db()
                self.assertEqual(briefing.pdf_status, status)

    def test_a_failed_word_briefing_gets_no_pdf(self):
        with mock.patch("liaison.briefings.document.build", side_effect=ValueError("broken")):
            briefing = self.generate(self.delegate)

        self.assertEqual(briefing.status, "failed")
        self.assertEqual(briefing.pdf_status, "none")
        row = self.row(self.delegate)
        self.assertNotIn("PDF", row.get_text())

    def test_a_briefing_deleted_during_conversion_leaves_no_pdf_behind(self):
        briefing = self.ready_briefing(word_file("x"))
        storage = briefing.pdf.storage

        def convert_then_delete(data):
            Briefing.objects.filter(pk=briefing.pk).delete()
            return b"%PDF-1.7"

        saved = []
        real_save = storage.save

        def save(name, content, **kwargs):
            saved.append(real_save(name, content, **kwargs))
            return saved[-1]

        with (
            mock.patch.object(pdf, "convert", side_effect=convert_then_delete),
            mock.patch.object(storage, "save", save),
        ):
            self.assertIsNone(convert_briefing_pdf(briefing.pk))
        self.assertEqual(len(saved), 1)
        self.assertFalse(storage.exists(saved[0]))

    def test_the_pdf_is_queued_after_the_word_file_commits(self):
        with mock.patch("liaison.tasks.async_task") as queued:
            self.client.force_login(self.delegate)
            with self.captureOnCommitCallbacks(execute=False) as callbacks:
                self.client.post(
                    f"/admin/liaison/meetings/{self.meeting.pk}/briefings/",
                    {"briefing_audience": "delegate"},
                )
            self.assertEqual(len(callbacks), 1)  # generate_briefing, after the request
            with self.captureOnCommitCallbacks(execute=True):
                callbacks[0]()
        briefing = Briefing.objects.get()
        self.assertEqual(briefing.status, "ready", briefing.error)
        self.assertEqual(briefing.pdf_status, "queued")
        queued.assert_called_once_with("liaison.tasks.convert_briefing_pdf", briefing.pk)

    def test_a_broker_that_is_down_leaves_the_pdf_failed_and_word_ready(self):
        with (
            mock.patch("liaison.tasks.async_task", side_effect=ConnectionError("no broker")),
            self.assertLogs("liaison.tasks", "ERROR"),
        ):
            briefing = self.ready_briefing(word_file("x"), pdf_status="none")
            from liaison.tasks import queue_briefing_pdf

            with self.captureOnCommitCallbacks(execute=True):
                queue_briefing_pdf(briefing.pk)

        briefing.refresh_from_db()
        self.assertEqual(briefing.status, "ready")
        self.assertEqual(briefing.pdf_status, "failed")
        self.assertIn("no broker", briefing.pdf_error)


class DownloadTests(BriefingPdfTestCase):
    def test_the_delegation_downloads_the_pdf(self):
        briefing = self.with_pdf()

        response = self.download_pdf(briefing, self.delegate)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.7 stand-in")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertRegex(response["Cache-Control"], r"^private, no-store\b")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn(" - delegate.pdf", response["Content-Disposition"])

    def test_a_delegate_briefing_is_a_404_for_anyone_outside_the_delegation(self):
        briefing = self.with_pdf("delegate")

        for user in (self.other, self.editor):
            with self.subTest(user=user.username):
                self.assertEqual(self.download_pdf(briefing, user).status_code, 404)
                self.assertIsNone(self.row(user))  # and the panel does not list it

    def test_a_meeting_the_user_may_not_see_is_a_404(self):
        briefing = self.with_pdf("pre-read")
        self.assertEqual(self.download_pdf(briefing, self.other).status_code, 200)

        self.meeting.visibility = "confidential"
        self.meeting.save()

        self.assertEqual(self.download_pdf(briefing, self.other).status_code, 404)
        self.assertEqual(self.download_pdf(briefing, self.delegate).status_code, 200)
        unknown = self.client.get(f"/admin/liaison/briefings/{briefing.pk + 1000}/download.pdf")
        self.assertEqual(unknown.status_code, 404)

    def test_a_pdf_that_is_not_ready_is_a_404(self):
        for status in ("none", "queued", "running", "failed", "unavailable"):
            with self.subTest(status=status):
                briefing = self.ready_briefing(word_file("x"), pdf_status=status)
                self.assertEqual(self.download_pdf(briefing, self.delegate).status_code, 404)

    def test_a_pdf_whose_file_went_missing_is_a_404_not_an_error(self):
        briefing = self.with_pdf()
        briefing.pdf.storage.delete(briefing.pdf.name)

        with self.assertLogs("liaison.briefings.admin", "ERROR"):
            self.assertEqual(self.download_pdf(briefing, self.delegate).status_code, 404)

    def test_the_url_is_named(self):
        from django.urls import reverse

        self.assertEqual(
            reverse("liaison_download_briefing_pdf", args=[7]),
            "/admin/liaison/briefings/7/download.pdf",
        )


class PanelTests(BriefingPdfTestCase):
    def test_word_and_pdf_links_when_ready(self):
        briefing = self.with_pdf()

        row = self.row(self.delegate)

        word = row.find("a", attrs={"data-download": "docx"})
        pdf_link = row.find("a", attrs={"data-download": "pdf"})
        self.assertEqual(word.get_text(strip=True), "Download Word")
        self.assertEqual(pdf_link.get_text(strip=True), "Download PDF")
        self.assertEqual(word["href"], f"/admin/liaison/briefings/{briefing.pk}/download/")
        self.assertEqual(pdf_link["href"], f"/admin/liaison/briefings/{briefing.pk}/download.pdf")
        self.assertNotIn("out of date", row.get_text().lower())

    def test_both_links_are_marked_out_of_date_once_the_meeting_changes(self):
        self.with_pdf()
        self.meeting.refresh_from_db()
        self.meeting.title = "Renamed meeting"
        self.meeting.save()

        row = self.row(self.delegate)

        for kind in ("docx", "pdf"):
            link = row.find("a", attrs={"data-download": kind})
            self.assertIn("(out of date)", " ".join(link.get_text().split()), kind)
        self.assertIn("Out of date", row.get_text())

    def test_converting(self):
        self.ready_briefing(word_file("x"), pdf_status="queued")

        row = self.row(self.delegate)

        self.assertIn("PDF: converting…", row.get_text())
        self.assertIsNotNone(row.find("a", attrs={"data-download": "docx"}))
        self.assertIsNone(row.find("a", attrs={"data-download": "pdf"}))

    def test_unavailable(self):
        self.ready_briefing(word_file("x"), pdf_status="unavailable")

        row = self.row(self.delegate)

        self.assertIn(UNAVAILABLE, " ".join(row.get_text().split()))
        self.assertIsNone(row.find("a", attrs={"data-download": "pdf"}))

    def test_failed_shows_the_reason(self):
        briefing = self.ready_briefing(word_file("x"), pdf_status="failed")
        Briefing.objects.filter(pk=briefing.pk).update(pdf_error="ConversionError: fonts <b>")

        row = self.row(self.delegate)

        self.assertIn(
            "PDF failed: ConversionError: fonts <b> The Word file works.", row.get_text()
        )
        self.assertIsNone(row.find("b"))  # escaped

    def test_a_briefing_from_before_pdfs(self):
        self.ready_briefing(word_file("x"), pdf_status="none")

        row = self.row(self.delegate)

        self.assertIn("No PDF of this briefing; generate it again", row.get_text())


class AvailabilityTests(TestCase):
    def test_available_follows_path_and_setting(self):
        with mock.patch.dict(os.environ, {"PATH": "/nonexistent"}):
            self.assertFalse(pdf.available())
        with override_settings(LIBREOFFICE_BINARY="sh"):  # any program on PATH
            self.assertTrue(pdf.available())
        with override_settings(LIBREOFFICE_BINARY="/nonexistent/soffice"):
            self.assertFalse(pdf.available())
            with self.assertRaisesRegex(pdf.Unavailable, "LIBREOFFICE_BINARY"):
                pdf.convert(word_file("x"))

    def test_available_with_libreoffice_installed(self):
        lo.require_tools()
        self.assertTrue(pdf.available())
        version = subprocess.run(
            [pdf.binary(), "--version"], capture_output=True, text=True, timeout=60
        )
        self.assertIn("LibreOffice", version.stdout)
