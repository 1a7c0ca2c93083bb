"""Generating briefings from the admin, their status on the meeting form, permission-checked
downloads, and the `manage.py briefing` command."""

import io
import tempfile
from pathlib import Path
from unittest import mock

import docx
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from liaison.models import AgendaItem, Briefing
from tests.factories import make_user
from tests.liaison.factories import make_meeting, make_regulator

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SECRET = "CANARY-secret-clinic-names"


def docx_text(data):
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


class BriefingAdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.delegate = make_user("Liaison delegates", first_name="Dev")
        cls.other = make_user("Liaison delegates")
        cls.editor = make_user("Policy editors")
        cls.secretariat = make_user("Secretariat")
        regulator = make_regulator()
        cls.meeting = make_meeting(regulator, visibility="members", delegation=[cls.delegate])
        AgendaItem.objects.create(meeting=cls.meeting, title="Potency assays", sort_order=0)
        AgendaItem.objects.create(
            meeting=cls.meeting, title=SECRET, confidential=True, sort_order=1
        )

    def generate(self, user, audience):
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                f"/admin/liaison/meetings/{self.meeting.pk}/briefings/",
                {"briefing_audience": audience, "title": "ignored"},
            )

    def test_a_delegate_generates_and_downloads_a_delegate_briefing(self):
        response = self.generate(self.delegate, "delegate")

        self.assertEqual(response.status_code, 302)
        briefing = Briefing.objects.get()
        self.assertEqual(briefing.status, "ready", briefing.error)
        self.assertEqual(len(briefing.content_hash), 64)
        download = self.client.get(f"/admin/liaison/briefings/{briefing.pk}/download/")
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download["Content-Type"], DOCX)
        self.assertRegex(
            download["Content-Disposition"],
            r'^attachment; filename="\d{4}-\d\d-\d\d [^"]+ - delegate\.docx"$',
        )
        text = docx_text(b"".join(download.streaming_content))
        self.assertIn("Potency assays", text)
        self.assertIn(SECRET, text)

    def test_the_meeting_page_shows_status_and_download(self):
        self.generate(self.delegate, "delegate")

        page = self.client.get(f"/admin/snippets/liaison/meeting/inspect/{self.meeting.pk}/")

        self.assertContains(page, "Download Word")
        self.assertContains(page, "Generate delegate briefing")

    def test_a_briefing_is_out_of_date_once_the_meeting_changes(self):
        self.generate(self.delegate, "delegate")
        self.assertFalse(Briefing.objects.get().is_out_of_date())

        self.meeting.refresh_from_db()
        self.meeting.title = "Renamed meeting"
        self.meeting.save()

        self.assertTrue(Briefing.objects.get().is_out_of_date())
        page = self.client.get(f"/admin/snippets/liaison/meeting/inspect/{self.meeting.pk}/")
        self.assertContains(page, "Out of date")

    def test_only_the_delegation_and_secretariat_get_delegate_briefings(self):
        # Wagtail answers "permission denied" with a redirect to the dashboard and a message.
        self.assertIn(self.generate(self.other, "delegate").status_code, (302, 403))
        self.assertIn(self.generate(self.editor, "delegate").status_code, (302, 403))
        self.assertFalse(Briefing.objects.exists())

        self.generate(self.secretariat, "delegate")
        briefing = Briefing.objects.get()
        for user in (self.other, self.editor):
            self.client.force_login(user)
            response = self.client.get(f"/admin/liaison/briefings/{briefing.pk}/download/")
            self.assertEqual(response.status_code, 404)

    def test_a_record_with_confidential_items_is_for_the_delegation_and_secretariat(self):
        self.assertIn(self.generate(self.other, "record").status_code, (302, 403))
        self.assertIn(self.generate(self.editor, "record").status_code, (302, 403))
        self.assertFalse(Briefing.objects.exists())

        self.generate(self.delegate, "record")
        briefing = Briefing.objects.get()
        self.assertEqual(briefing.status, "ready", briefing.error)
        self.assertIn(SECRET, docx_text(b"".join(self.download(briefing).streaming_content)))
        for user in (self.other, self.editor):
            self.client.force_login(user)
            self.assertEqual(self.download(briefing).status_code, 404)

    def test_a_record_without_confidential_items_is_for_whoever_sees_the_meeting(self):
        AgendaItem.objects.filter(title=SECRET).update(confidential=False)

        self.generate(self.other, "record")

        briefing = Briefing.objects.get()
        self.assertEqual(briefing.status, "ready", briefing.error)
        self.assertEqual(self.download(briefing).status_code, 200)

    def test_a_briefing_whose_file_went_missing_is_a_404_not_an_error(self):
        self.generate(self.delegate, "delegate")
        briefing = Briefing.objects.get()
        briefing.file.storage.delete(briefing.file.name)

        with self.assertLogs("liaison.briefings.admin", "ERROR"):
            self.assertEqual(self.download(briefing).status_code, 404)

    def download(self, briefing):
        return self.client.get(f"/admin/liaison/briefings/{briefing.pk}/download/")

    def test_a_pre_read_leaves_out_confidential_items(self):
        self.generate(self.other, "pre-read")

        briefing = Briefing.objects.get()
        self.assertEqual(briefing.status, "ready", briefing.error)
        response = self.client.get(f"/admin/liaison/briefings/{briefing.pk}/download/")
        text = docx_text(b"".join(response.streaming_content))
        self.assertIn("Potency assays", text)
        self.assertNotIn(SECRET, text)

    def test_a_confidential_meeting_is_invisible_to_outsiders(self):
        self.meeting.visibility = "confidential"
        self.meeting.save()

        # The same 404 as for a meeting that does not exist: nothing to confirm it is there.
        self.assertEqual(self.generate(self.other, "pre-read").status_code, 404)
        unknown = self.client.post(
            f"/admin/liaison/meetings/{self.meeting.pk + 1000}/briefings/",
            {"briefing_audience": "pre-read"},
        )
        self.assertEqual(unknown.status_code, 404)
        self.assertFalse(Briefing.objects.exists())

    def test_a_failure_is_recorded_with_its_reason(self):
        with mock.patch(
            "liaison.briefings.document.build", side_effect=ValueError("agenda is broken")
        ):
            self.generate(self.delegate, "record")

        briefing = Briefing.objects.get()
        self.assertEqual(briefing.status, "failed")
        self.assertIn("agenda is broken", briefing.error)
        self.assertFalse(briefing.file)
        page = self.client.get(f"/admin/snippets/liaison/meeting/inspect/{self.meeting.pk}/")
        self.assertContains(page, "agenda is broken")

    def test_an_unknown_audience_is_a_message_not_an_error(self):
        response = self.generate(self.delegate, "everyone")

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Briefing.objects.exists())

    def test_running_the_task_twice_builds_once(self):
        from liaison.tasks import generate_briefing

        self.generate(self.delegate, "delegate")
        briefing = Briefing.objects.get()

        self.assertIsNone(generate_briefing(briefing.pk))
        self.assertEqual(Briefing.objects.get().content_hash, briefing.content_hash)


class BriefingCommandTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.meeting = make_meeting(make_regulator())
        AgendaItem.objects.create(meeting=cls.meeting, title="Potency assays", sort_order=0)

    def test_it_writes_a_briefing_by_id_or_uuid(self):
        with tempfile.TemporaryDirectory() as tmp:
            for ref in (str(self.meeting.pk), str(self.meeting.uuid)):
                out = Path(tmp) / f"{ref}.docx"
                call_command(
                    "briefing", ref, "--audience", "record", "-o", str(out), stdout=io.StringIO()
                )
                self.assertIn("Potency assays", docx_text(out.read_bytes()))

    def test_bad_references_are_clear_errors(self):
        for ref, message in (("999999", "No meeting"), ("not-a-uuid", "neither")):
            with self.subTest(ref=ref), self.assertRaisesMessage(CommandError, message):
                call_command("briefing", ref, "-o", "never.docx")
