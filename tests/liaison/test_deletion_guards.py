"""Regulators, contacts, organisations, positions and users that meetings rely on are not
deleted, in the admin or in code; unused ones still are."""

from django.db import transaction
from django.db.models import ProtectedError
from django.test import TestCase

from advocacy.models import PositionPage
from liaison.models import ActionItem, AgendaItem, Contact, Organisation, Regulator
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.admin_pages import SNIPPETS
from tests.liaison.factories import make_meeting, make_regulator


class DeletionGuardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.secretariat = make_user("Secretariat")
        cls.admin = make_user(superuser=True)
        cls.regulator = make_regulator()
        cls.unused = make_regulator("MHRA", "Europe/London")
        cls.org = Organisation.objects.create(name="Helix Vector Manufacturing")
        cls.contact = Contact.objects.create(name="Dr. Amara Chen", organisation=cls.org)
        cls.meeting = make_meeting(cls.regulator)
        cls.meeting.attendees.set([cls.contact])
        cls.meeting.save()
        cls.index = make_position_index()
        cls.position = make_position(cls.index, title="Potency assay matrix position")
        item = AgendaItem.objects.create(meeting=cls.meeting, title="Potency", sort_order=0)
        item.cited_positions.set([cls.position])
        item.save()
        cls.delegate = make_user("Liaison delegates")
        ActionItem.objects.create(meeting=cls.meeting, description="Draft", owner=cls.delegate)

    def setUp(self):
        self.client.force_login(self.admin)

    def assert_refused(self, url, message):
        for method in (self.client.get, self.client.post):
            response = method(url, follow=True)
            self.assertEqual(response.status_code, 200)
            shown = " ".join(str(m) for m in response.context["messages"])
            self.assertIn(message, shown)

    def test_a_regulator_with_meetings_is_not_deleted(self):
        self.assert_refused(
            f"{SNIPPETS}regulator/delete/{self.regulator.pk}/",
            "cannot be deleted: 1 meeting",
        )
        self.assertTrue(Regulator.objects.filter(pk=self.regulator.pk).exists())
        self.assertEqual(list(self.meeting.regulators.all()), [self.regulator])

    def test_an_unused_regulator_can_be_deleted(self):
        response = self.client.post(f"{SNIPPETS}regulator/delete/{self.unused.pk}/")

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Regulator.objects.filter(pk=self.unused.pk).exists())

    def test_a_contact_who_attended_is_not_deleted(self):
        self.assert_refused(f"{SNIPPETS}contact/delete/{self.contact.pk}/", "1 meeting")
        self.assertEqual(list(self.meeting.attendees.all()), [self.contact])

    def test_an_organisation_with_contacts_gets_a_message_not_an_error(self):
        self.assert_refused(f"{SNIPPETS}organisation/delete/{self.org.pk}/", "1 contact")
        self.assertTrue(Organisation.objects.filter(pk=self.org.pk).exists())

    def test_bulk_deleting_regulators_is_refused_too(self):
        url = (
            f"/admin/bulk/liaison/regulator/delete/?next={SNIPPETS}regulator/"
            f"&id={self.regulator.pk}&id={self.unused.pk}"
        )
        response = self.client.post(url, follow=True)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(Regulator.objects.count(), 2)

    def test_a_cited_position_page_is_not_deleted_nor_its_index(self):
        for page in (self.position, self.index):
            with self.subTest(page=page.title):
                self.assert_refused(f"/admin/pages/{page.pk}/delete/", "cannot be deleted")
        self.assertTrue(PositionPage.objects.filter(pk=self.position.pk).exists())

    def test_code_cannot_orphan_meetings_either(self):
        # The refusal rolls back the whole transaction it happens in: nothing half-deleted.
        for obj in (self.regulator, self.contact, self.position):
            with (
                self.subTest(obj=str(obj)),
                self.assertRaises(ProtectedError),
                transaction.atomic(),
            ):
                obj.delete()
        with self.assertRaises(ProtectedError), transaction.atomic():
            Regulator.objects.filter(pk=self.regulator.pk).delete()
        with self.assertRaises(ProtectedError), transaction.atomic():
            self.index.delete()
        self.assertTrue(PositionPage.objects.filter(pk=self.position.pk).exists())
        self.assertEqual(self.meeting.agenda_items.get().cited_positions.count(), 1)

    def test_a_user_with_actions_is_deactivated_not_deleted(self):
        self.assert_refused(f"/admin/users/delete/{self.delegate.pk}/", "Deactivate it instead")
        self.delegate.refresh_from_db()

    def test_an_uncited_position_can_still_be_deleted(self):
        spare = make_position(self.index, title="Spare position")

        response = self.client.post(f"/admin/pages/{spare.pk}/delete/")

        self.assertEqual(response.status_code, 302)
        self.assertFalse(PositionPage.objects.filter(pk=spare.pk).exists())
