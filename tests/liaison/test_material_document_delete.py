"""A document attached to a meeting is used by it: Wagtail's Documents admin lists the use and
refuses to delete it, rather than failing (the attachment protects the document)."""

from django.core.files.base import ContentFile
from django.test import TestCase
from wagtail.documents.models import Document
from wagtail.models import Collection

from liaison.meetings.materials import NAME
from liaison.models import MeetingMaterial
from tests.factories import make_user
from tests.liaison.factories import make_meeting, make_regulator


class AttachedDocumentDeleteTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(superuser=True)
        cls.meeting = make_meeting(make_regulator())
        cls.document = Document.objects.create(
            title="Slides",
            file=ContentFile(b"%PDF-1.4", name="slides.pdf"),
            collection=Collection.objects.get(name=NAME),
        )
        MeetingMaterial.objects.create(meeting=cls.meeting, document=cls.document)

    def test_deleting_an_attached_document_is_refused_not_a_server_error(self):
        self.client.force_login(self.admin)
        url = f"/admin/documents/delete/{self.document.pk}/"
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        response = self.client.post(url)
        self.assertLess(response.status_code, 500)
        self.assertTrue(Document.objects.filter(pk=self.document.pk).exists())
        usage = self.client.get(f"/admin/documents/usage/{self.document.pk}/")
        self.assertContains(usage, "meeting material")
