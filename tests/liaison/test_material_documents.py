"""Meeting materials (documents in the "Meeting materials" collection or under it) are served
only to those who may read them; everyone else gets the 404 an unknown document gets.
Documents elsewhere (those attached to policy positions) stay public."""

import importlib
import shutil
import tempfile

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.test import TestCase, override_settings
from wagtail.documents import get_document_model
from wagtail.models import Collection, GroupCollectionPermission

from liaison import visibility
from liaison.meetings import materials
from tests.factories import make_user

migration = importlib.import_module("liaison.migrations.0012_meeting_materials_collection")

Document = get_document_model()


def make_document(collection, title, content):
    return Document.objects.create(
        title=title,
        collection=collection,
        file=ContentFile(content, name=f"{title.lower().replace(' ', '-')}.pdf"),
    )


def url(document):
    return f"/documents/{document.pk}/{document.filename}"


class MaterialDocumentsTestCase(TestCase):
    @classmethod
    def setUpClass(cls):
        # Wagtail streams a document from its path on disk, as in production (the suite's
        # in-memory storage has no real files to stream): a temporary MEDIA_ROOT.
        media = tempfile.mkdtemp(prefix="liaise-materials-")
        cls.addClassCleanup(shutil.rmtree, media, ignore_errors=True)
        disk = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        cls.enterClassContext(
            override_settings(MEDIA_ROOT=media, STORAGES={**settings.STORAGES, "default": disk})
        )
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        cls.root = Collection.get_first_root_node()
        cls.materials = Collection.objects.get(name=materials.NAME)
        cls.regulator_papers = cls.materials.add_child(instance=Collection(name="Health Canada"))
        cls.material = make_document(cls.materials, "Regulator slides", b"%PDF slides canary")
        cls.nested = make_document(cls.regulator_papers, "Our letter", b"%PDF letter canary")
        cls.public = make_document(cls.root, "Position annex", b"%PDF annex")

        cls.secretariat = make_user("Secretariat")
        cls.delegate = make_user("Liaison delegates")
        cls.superuser = make_user(superuser=True)
        # Document permissions on every collection, but no meeting access.
        librarians = Group.objects.create(name="Librarians")
        for codename in ("choose_document", "change_document"):
            GroupCollectionPermission.objects.create(
                group=librarians,
                collection=cls.root,
                permission=Permission.objects.get(codename=codename),
            )
        cls.librarian = make_user("Librarians")
        # Meeting access, but no document permission on any collection.
        cls.meeting_reader = make_user()
        cls.meeting_reader.user_permissions.add(
            Permission.objects.get(content_type__app_label="liaison", codename="view_meeting")
        )

    def get(self, document, user=None):
        if user is None:
            self.client.logout()
        else:
            self.client.force_login(user)
        return self.client.get(url(document))

    def assertHidden(self, response):
        self.assertEqual(response.status_code, 404)
        body = b"".join(response) if response.streaming else response.content
        self.assertNotIn(b"canary", body)

    def assertServed(self, response, content):
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), content)

    def test_anonymous_gets_404_for_a_material_and_the_file_elsewhere(self):
        self.assertHidden(self.get(self.material))
        self.assertHidden(self.get(self.nested))
        self.assertServed(self.get(self.public), b"%PDF annex")

    def test_a_hidden_material_answers_as_an_unknown_document_does(self):
        hidden = self.get(self.material)
        unknown = self.client.get(f"/documents/999999/{self.material.filename}")
        self.assertEqual((hidden.status_code, unknown.status_code), (404, 404))
        self.assertNotIn("Location", hidden)  # no login redirect confirming it exists

    def test_logged_in_without_meeting_access_gets_404(self):
        # 404 rather than 403: a 403 would tell anyone with an account which ids are papers.
        self.assertHidden(self.get(self.material, self.librarian))
        self.assertHidden(self.get(self.nested, self.librarian))
        self.assertServed(self.get(self.public, self.librarian), b"%PDF annex")

    def test_meeting_access_without_document_permission_gets_404(self):
        self.assertHidden(self.get(self.material, self.meeting_reader))

    def test_secretariat_delegates_and_superusers_get_the_file(self):
        for user in (self.secretariat, self.delegate, self.superuser):
            with self.subTest(user=user.groups.first() or "superuser"):
                response = self.get(self.material, user)
                self.assertServed(response, b"%PDF slides canary")
                # A shared cache must not hand one reader's copy to another.
                self.assertIn("Cookie", response["Vary"])

    def test_a_sub_collection_of_meeting_materials_is_protected_too(self):
        self.assertHidden(self.get(self.nested, self.librarian))
        self.assertHidden(self.get(self.nested, self.meeting_reader))
        self.assertServed(self.get(self.nested, self.secretariat), b"%PDF letter canary")

    def test_an_inactive_user_gets_404(self):
        self.secretariat.is_active = False
        self.secretariat.save()
        self.client.force_login(self.secretariat)
        # Django's ModelBackend refuses inactive users: they are anonymous to the view.
        self.assertHidden(self.client.get(url(self.material)))
        self.assertFalse(visibility.may_download_material(self.secretariat, self.material))

    @override_settings(WAGTAILDOCS_SERVE_METHOD="redirect")
    def test_no_redirect_to_the_storage_either(self):
        self.assertHidden(self.get(self.material))
        self.assertEqual(self.get(self.public).status_code, 302)

    def test_which_documents_are_materials(self):
        self.assertTrue(materials.is_meeting_material(self.material))
        self.assertTrue(materials.is_meeting_material(self.nested))
        self.assertFalse(materials.is_meeting_material(self.public))
        self.assertEqual(set(materials.exclude_materials(Document.objects.all())), {self.public})


class MaterialsCollectionMigrationTestCase(TestCase):
    def test_the_collection_is_created_once_under_the_root(self):
        (collection,) = Collection.objects.filter(name=materials.NAME)
        self.assertEqual(collection.get_parent(), Collection.get_first_root_node())
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


class MaterialsOutOfTheAPITestCase(TestCase):
    """The public documents API lists, finds and shows no meeting paper."""

    @classmethod
    def setUpTestData(cls):
        root = Collection.get_first_root_node()
        papers = Collection.objects.get(name=materials.NAME)
        cls.material = make_document(papers, "Regulator slides", b"%PDF")
        nested = papers.add_child(instance=Collection(name="PMDA"))
        cls.nested = make_document(nested, "Our letter", b"%PDF")
        cls.public = make_document(root, "Position annex", b"%PDF")

    def test_the_list_and_search_show_public_documents_only(self):
        listed = self.client.get("/api/v2/documents/").json()["items"]
        found = self.client.get("/api/v2/documents/?search=slides").json()["items"]

        self.assertEqual([d["title"] for d in listed], ["Position annex"])
        self.assertEqual(found, [])

    def test_a_meeting_paper_is_not_found_by_its_id(self):
        for document in (self.material, self.nested):
            with self.subTest(document=document.title):
                response = self.client.get(f"/api/v2/documents/{document.pk}/")
                self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.get(f"/api/v2/documents/{self.public.pk}/").status_code, 200)
