"""What the meeting-material tests share: documents in the protected "Meeting materials"
collection or elsewhere, papers attached to meetings, a disk to serve them from, and a public
meeting with a paper for each audience (one of them on a confidential agenda item).

Papers are attached here through the model, as the admin views save them; the views have
tests of their own (test_material_admin.py)."""

import datetime
import shutil
import tempfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import TestCase, override_settings
from wagtail.documents import get_document_model
from wagtail.models import Collection

from liaison.meetings import materials
from liaison.models import AgendaItem, Contact, MeetingMaterial
from tests.factories import make_user
from tests.liaison.factories import make_meeting, make_regulator

Document = get_document_model()
Shared = MeetingMaterial.Audience
UTC = datetime.UTC
# The title of the paper of a confidential agenda item: it must reach only the delegation.
CANARY = "CANARY-paper-4d1e"


def papers():
    return Collection.objects.get(name=materials.NAME)


def make_document(title, content=None, *, collection=None, uploaded_by=None):
    """A PDF-ish document, in the "Meeting materials" collection unless told otherwise."""
    slug = "-".join(title.lower().split())[:40]
    return Document.objects.create(
        title=title,
        collection=collection or papers(),
        file=ContentFile(content or f"%PDF-1.4 {title}".encode(), name=f"{slug}.pdf"),
        file_size=len(content or f"%PDF-1.4 {title}".encode()),
        uploaded_by_user=uploaded_by,
    )


def attach(meeting, document, audience, item=None):
    return MeetingMaterial.objects.create(
        meeting=meeting, document=document, audience=audience, agenda_item=item
    )


def served(response):
    """The bytes of a download (streamed or not)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


class OnDiskMixin:
    """Wagtail streams a document from its path on disk, as in production (the suite's
    in-memory storage has none): a temporary MEDIA_ROOT for the class."""

    @classmethod
    def setUpClass(cls):
        media = tempfile.mkdtemp(prefix="liaise-materials-")
        cls.addClassCleanup(shutil.rmtree, media, ignore_errors=True)
        disk = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        cls.enterClassContext(
            override_settings(MEDIA_ROOT=media, STORAGES={**settings.STORAGES, "default": disk})
        )
        super().setUpClass()


class PapersTestCase(TestCase):
    """A public meeting with an open and a confidential agenda item and a paper for each
    audience, a members-only meeting with a paper marked public, and the people who read
    them. No tests of its own."""

    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat", email="sam@example.org", first_name="Sam")
        cls.delegate = make_user("Liaison delegates", email="dana@example.org")
        cls.other_delegate = make_user("Liaison delegates", email="eli@example.org")
        cls.reader = make_user("Policy editors")  # sees meetings, on no delegation
        cls.contact = Contact.objects.create(
            name="Dr Rita Osei", email="rita.osei@hc.example", regulator=cls.regulator
        )
        cls.meeting = make_meeting(
            cls.regulator,
            title="Summer liaison",
            visibility="public",
            organiser=cls.secretariat,
            delegation=[cls.secretariat, cls.delegate],
            starts_at=datetime.datetime(2026, 6, 9, 13, tzinfo=UTC),
        )
        cls.meeting.attendees.set([cls.contact])
        cls.open_item = AgendaItem.objects.create(
            meeting=cls.meeting, title="Potency assays", sort_order=0
        )
        cls.secret_item = AgendaItem.objects.create(
            meeting=cls.meeting, title="Pricing strategy", confidential=True, sort_order=1
        )
        cls.members_meeting = make_meeting(
            cls.regulator,
            title="Members briefing call",
            visibility="members",
            delegation=[cls.delegate],
            starts_at=datetime.datetime(2026, 7, 9, 13, tzinfo=UTC),
        )
        cls.for_delegation = attach(
            cls.meeting, make_document("Negotiating notes"), Shared.DELEGATION
        )
        cls.for_invitees = attach(
            cls.meeting, make_document("Assay survey results"), Shared.INVITEES, cls.open_item
        )
        cls.for_public = attach(cls.meeting, make_document("Public slides"), Shared.PUBLIC)
        # Marked public by mistake: a confidential item's paper stays with the delegation.
        cls.of_secret_item = attach(
            cls.meeting, make_document(f"Pricing model {CANARY}"), Shared.PUBLIC, cls.secret_item
        )
        cls.of_members_meeting = attach(
            cls.members_meeting, make_document("Members call slides"), Shared.PUBLIC
        )
        cls.position_annex = make_document(
            "Position annex", collection=Collection.get_first_root_node()
        )
