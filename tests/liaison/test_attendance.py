"""After a meeting the Secretariat ticks who actually attended, among those invited; the
meeting record lists them, not the invitation list."""

import io
import re

import docx
from django.test import TestCase

from liaison.briefings import data, document
from liaison.models import Contact, Organisation
from tests.factories import make_user
from tests.liaison.factories import LIST_URL, make_meeting, make_regulator, meeting_form


def record_text(meeting):
    body = document.build(data.load(meeting.pk), document.Audience.RECORD)
    return "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs) + "\n".join(
        cell.text
        for table in docx.Document(io.BytesIO(body)).tables
        for row in table.rows
        for cell in row.cells
    )


class AttendanceTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")
        cls.dana = make_user("Liaison delegates", first_name="Dana", last_name="Ng")
        cls.eli = make_user("Liaison delegates", first_name="Eli", last_name="Ross")
        cls.outsider = make_user("Liaison delegates", first_name="Otto", last_name="Side")
        society = Organisation.objects.create(name="Cell Therapy Society")
        cls.rita = Contact.objects.create(name="Dr Rita Osei", regulator=cls.regulator)
        cls.sam = Contact.objects.create(name="Sam Pharma", organisation=society)
        cls.meeting = make_meeting(cls.regulator, delegation=[cls.dana, cls.eli])
        cls.meeting.attendees.set([cls.rita, cls.sam])
        cls.meeting.save()

    def setUp(self):
        self.client.force_login(self.secretariat)

    def edit(self, delegates_present=(), attendees_present=(), **overrides):
        form = meeting_form(self.regulator, **overrides)
        form["delegation"] = [self.dana.pk, self.eli.pk]
        form["attendees"] = [self.rita.pk, self.sam.pk]
        form["delegates_present"] = list(delegates_present)
        form["attendees_present"] = list(attendees_present)
        return self.client.post(f"{LIST_URL}edit/{self.meeting.pk}/", form)

    def test_only_those_invited_are_offered_by_name(self):
        page = self.client.get(f"{LIST_URL}edit/{self.meeting.pk}/").content.decode()

        offered = re.findall(r'name="delegates_present" value="(\d+)"', page)
        self.assertEqual(sorted(map(int, offered)), sorted([self.dana.pk, self.eli.pk]))
        self.assertIn("Dana Ng", page)
        self.assertIn("Sam Pharma (Cell Therapy Society)", page)
        offered = re.findall(r'name="attendees_present" value="(\d+)"', page)
        self.assertEqual(sorted(map(int, offered)), sorted([self.rita.pk, self.sam.pk]))

    def test_attendance_is_recorded_once_the_meeting_has_started(self):
        early = self.edit(
            local_start="2030-06-10 09:00",
            local_end="2030-06-10 11:00",
            delegates_present=[self.dana.pk],
        )
        self.assertEqual(early.status_code, 200)
        self.assertContains(early, "Attendance can be recorded once the meeting has started.")
        self.assertFalse(self.meeting.delegates_present.exists())

        done = self.edit(delegates_present=[self.dana.pk], attendees_present=[self.sam.pk])

        self.assertEqual(done.status_code, 302)
        self.assertEqual(list(self.meeting.delegates_present.all()), [self.dana])
        self.assertEqual(list(self.meeting.attendees_present.all()), [self.sam])

    def test_someone_not_invited_cannot_be_ticked(self):
        response = self.edit(delegates_present=[self.outsider.pk])

        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.meeting.delegates_present.exists())

    def test_the_record_lists_who_attended(self):
        before = record_text(self.meeting)
        self.assertIn("Attendance was not recorded. Invited:", before)
        self.assertIn("Eli Ross", before)

        self.edit(delegates_present=[self.dana.pk], attendees_present=[self.sam.pk])
        after = record_text(self.meeting)

        self.assertNotIn("Attendance was not recorded", after)
        self.assertIn("Dana Ng", after)
        self.assertIn("Sam Pharma", after)
        self.assertNotIn("Eli Ross", after)
        self.assertNotIn("Dr Rita Osei", after)
