"""The demo data has papers for each audience on the next public meeting, one of them on a
confidential item, uploaded into the protected collection; running the seed again adds none."""

import re
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from liaison import visibility
from liaison.meetings import materials
from liaison.models import MeetingMaterial
from tests.liaison.materials import OnDiskMixin, Shared, served

MEETING = "Annual Cell Therapy Liaison Meeting 2026"


class DemoMaterialsTestCase(OnDiskMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", "--no-users", stdout=StringIO())

    def test_each_audience_and_a_confidential_item_have_a_paper(self):
        papers = MeetingMaterial.objects.filter(meeting__title=MEETING).select_related(
            "document", "agenda_item", "meeting"
        )

        self.assertEqual(
            {p.audience for p in papers}, {Shared.DELEGATION, Shared.INVITEES, Shared.PUBLIC}
        )
        (secret,) = [p for p in papers if p.agenda_item and p.agenda_item.confidential]
        self.assertFalse(visibility.material_shown_to(visibility.Audience.INVITEE, secret))
        for paper in papers:
            self.assertTrue(materials.in_collection(paper.document))
            content = paper.document.file.open("rb").read()
            self.assertTrue(content.startswith(b"%PDF-1.4\n"))
            self.assertTrue(content.endswith(b"%%EOF\n"))
            # The cross-reference table points at each object, as PDF readers expect.
            offsets = [int(o) for o in re.findall(rb"^(\d{10}) 00000 n ", content, re.M)]
            for number, offset in enumerate(offsets, 1):
                self.assertTrue(content[offset:].startswith(b"%d 0 obj" % number))

    def test_the_public_paper_downloads_for_anyone(self):
        public = MeetingMaterial.objects.get(meeting__title=MEETING, audience=Shared.PUBLIC)

        response = self.client.get(public.document.url)

        self.assertEqual(response.status_code, 200)
        self.assertTrue(served(response).startswith(b"%PDF"))

    def test_a_second_run_adds_no_paper(self):
        before = MeetingMaterial.objects.count()
        call_command("seed_demo", "--no-users", stdout=StringIO())
        self.assertEqual(MeetingMaterial.objects.count(), before)
        self.assertEqual(before, 4)
