"""Meeting materials at /documents/<id>/<file> are served only to those the paper is shared
with (visibility.may_download_material): the delegation every paper of its meeting, other
staff who may see the meeting its invitee and public papers, anyone a public paper of a
public meeting. Everyone else gets the 404 an unknown document gets. Documents outside the
"Meeting materials" collection (those attached to policy positions) stay public."""

import importlib

from django.apps import apps
from django.test import TestCase, override_settings
from wagtail.models import Collection, GroupCollectionPermission

from liaison import visibility
from liaison.meetings import materials
from tests.factories import make_user
from tests.liaison.materials import (
    Document,
    OnDiskMixin,
    PapersTestCase,
    Shared,
    attach,
    make_document,
    served,
)

migration = importlib.import_module("liaison.migrations.0012_meeting_materials_collection")


def url(document):
    return f"/documents/{document.pk}/{document.filename}"


class MaterialDownloadTestCase(OnDiskMixin, PapersTestCase):
    def get(self, document, user=None):
        if user is None:
            self.client.logout()
        else:
            self.client.force_login(user)
        return self.client.get(url(document))

    def assertServed(self, document, user=None):
        response = self.get(document, user)
        self.assertEqual(response.status_code, 200, document.title)
        self.assertEqual(served(response), document.file.open("rb").read())
        return response

    def assertHidden(self, document, user=None):
        response = self.get(document, user)
        self.assertEqual(response.status_code, 404, document.title)
        self.assertNotIn(b"%PDF", served(response))
        self.assertNotIn("Location", response)  # no login redirect confirming it exists

    def test_anyone_gets_a_public_paper_of_a_public_meeting_and_nothing_else(self):
        self.assertServed(self.for_public.document)
        self.assertServed(self.position_annex)
        for material in (
            self.for_delegation,
            self.for_invitees,
            self.of_secret_item,  # marked public, but of a confidential item
            self.of_members_meeting,  # marked public, but the meeting is members-only
        ):
            with self.subTest(material=str(material)):
                self.assertHidden(material.document)

    def test_staff_outside_the_delegation_get_the_invitee_and_public_papers(self):
        for user in (self.reader, self.other_delegate):
            with self.subTest(user=user.groups.first().name):
                self.assertServed(self.for_invitees.document, user)
                self.assertServed(self.for_public.document, user)
                self.assertServed(self.of_members_meeting.document, user)
                self.assertHidden(self.for_delegation.document, user)
                self.assertHidden(self.of_secret_item.document, user)

    def test_the_delegation_the_secretariat_and_superusers_get_every_paper(self):
        superuser = make_user(superuser=True)
        for user in (self.delegate, self.secretariat, superuser):
            for material in (self.for_delegation, self.for_invitees, self.of_secret_item):
                with self.subTest(user=user.username, material=str(material)):
                    response = self.assertServed(material.document, user)
                    # A shared cache must not hand one reader's copy to another.
                    self.assertIn("Cookie", response["Vary"])

    def test_a_confidential_meeting_keeps_its_papers_from_staff_outside_it(self):
        self.meeting.visibility = "confidential"
        self.meeting.save()

        self.assertHidden(self.for_invitees.document, self.reader)
        self.assertHidden(self.for_public.document, self.other_delegate)
        self.assertHidden(self.for_public.document)
        self.assertServed(self.for_invitees.document, self.delegate)

    def test_marking_a_paper_for_the_delegation_stops_its_public_download(self):
        self.assertServed(self.for_public.document)
        self.for_public.audience = Shared.DELEGATION
        self.for_public.save()

        self.assertHidden(self.for_public.document)
        self.assertHidden(self.for_public.document, self.reader)

    def test_a_paper_on_two_meetings_is_served_through_either(self):
        attach(self.members_meeting, self.for_delegation.document, Shared.INVITEES)

        self.assertServed(self.for_delegation.document, self.reader)
        self.assertHidden(self.for_delegation.document)

    def test_an_unattached_paper_is_for_its_uploader_and_the_secretariat(self):
        loose = make_document("Draft slides", uploaded_by=self.delegate)

        self.assertServed(loose, self.delegate)
        self.assertServed(loose, self.secretariat)
        self.assertHidden(loose, self.other_delegate)
        self.assertHidden(loose, self.reader)
        self.assertHidden(loose)

    def test_a_paper_moved_out_of_the_collection_stays_protected(self):
        # The policy roles may change documents in any collection, this one included.
        root = Collection.get_first_root_node()
        for material in (self.for_delegation, self.for_invitees):
            material.document.collection = root
            material.document.save()

        self.assertHidden(self.for_delegation.document)
        self.assertHidden(self.for_invitees.document)
        self.assertHidden(self.for_delegation.document, self.reader)
        self.assertServed(self.for_delegation.document, self.delegate)

    def test_a_hidden_paper_answers_as_an_unknown_document_does(self):
        hidden = self.get(self.for_delegation.document)
        unknown = self.client.get(f"/documents/999999/{self.for_delegation.document.filename}")
        self.assertEqual((hidden.status_code, unknown.status_code), (404, 404))

    def test_an_inactive_user_gets_404(self):
        self.delegate.is_active = False
        self.delegate.save()
        # Django's ModelBackend refuses inactive users: they are anonymous to the view.
        self.assertHidden(self.for_delegation.document, self.delegate)
        self.assertFalse(
            visibility.may_download_material(self.delegate, self.for_delegation.document)
        )

    @override_settings(WAGTAILDOCS_SERVE_METHOD="redirect")
    def test_no_redirect_to_the_storage_either(self):
        self.assertHidden(self.for_delegation.document)
        self.assertEqual(self.get(self.position_annex).status_code, 302)

    def test_which_documents_are_materials(self):
        regulator_papers = materials.collection().add_child(
            instance=Collection(name="Health Canada")
        )
        nested = make_document("Our letter", collection=regulator_papers)

        self.assertTrue(materials.is_meeting_material(self.for_public.document))
        self.assertTrue(materials.is_meeting_material(nested))
        self.assertFalse(materials.is_meeting_material(self.position_annex))
        self.assertEqual(
            set(materials.exclude_materials(Document.objects.all())), {self.position_annex}
        )
        self.assertHidden(nested, self.reader)
        self.assertServed(nested, self.secretariat)


class MaterialsCollectionMigrationTestCase(TestCase):
    def test_the_collection_is_created_once_under_the_root(self):
        (collection,) = Collection.objects.filter(name=materials.NAME)
        self.assertEqual(collection.get_parent(), Collection.get_first_root_node())
        self.assertEqual(materials.collection(), collection)
        grants = GroupCollectionPermission.objects.filter(collection=collection).count()
        self.assertEqual(grants, 4)

        migration.create_collection(apps, None)
        self.assertEqual(Collection.objects.filter(name=materials.NAME).count(), 1)
        self.assertEqual(
            GroupCollectionPermission.objects.filter(collection=collection).count(), grants
        )
        self.assertEqual(Collection.find_problems(), ([], [], [], [], []))

    def test_it_is_created_when_missing_and_the_tree_stays_sound(self):
        Collection.objects.get(name=materials.NAME).delete()
        self.assertIsNone(materials.collection())
        Collection.get_first_root_node().add_child(instance=Collection(name="Zebra papers"))
        migration.create_collection(apps, None)
        self.assertEqual(Collection.objects.filter(name=materials.NAME).count(), 1)
        Collection.fix_tree()  # numchild and depth were already right
        self.assertEqual(Collection.find_problems(), ([], [], [], [], []))
        self.assertEqual(Collection.get_first_root_node().get_children().count(), 2)

    def test_reversing_it_changes_nothing(self):
        (operation,) = migration.Migration.operations
        self.assertTrue(operation.reversible)
        self.assertIs(operation.reverse_code, operation.noop)


class MaterialsOutOfTheAPITestCase(PapersTestCase):
    """The public documents API lists, finds and shows no meeting paper, not even a public
    one (the public meeting page lists those) nor one moved out of the collection."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.for_delegation.document.collection = Collection.get_first_root_node()
        cls.for_delegation.document.save()

    def test_the_list_and_search_show_public_documents_only(self):
        listed = self.client.get("/api/v2/documents/").json()["items"]
        found = self.client.get("/api/v2/documents/?search=notes").json()["items"]

        self.assertEqual([d["title"] for d in listed], ["Position annex"])
        self.assertEqual(found, [])

    def test_a_meeting_paper_is_not_found_by_its_id(self):
        for material in (self.for_delegation, self.for_public, self.of_secret_item):
            with self.subTest(material=str(material)):
                response = self.client.get(f"/api/v2/documents/{material.document.pk}/")
                self.assertEqual(response.status_code, 404)
        response = self.client.get(f"/api/v2/documents/{self.position_annex.pk}/")
        self.assertEqual(response.status_code, 200)
