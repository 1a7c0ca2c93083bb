"""A regulator's or an organisation's inspect page lists the meetings and actions with it."""

from django.test import TestCase

from liaison.models import ActionItem, Contact, Organisation
from tests.factories import make_user
from tests.liaison.admin_pages import SNIPPETS
from tests.liaison.factories import make_meeting, make_regulator


class InteractionHistoryTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.org = Organisation.objects.create(name="Alliance for Regenerative Patients")
        contact = Contact.objects.create(name="Sam Patel", organisation=cls.org)
        cls.delegate = make_user("Liaison delegates")
        cls.other = make_user("Liaison delegates")
        public = make_meeting(cls.regulator, title="Open liaison day", visibility="public")
        public.attendees.set([contact])
        public.save()
        secret = make_meeting(
            cls.regulator,
            title="Closed enforcement call",
            visibility="confidential",
            delegation=[cls.delegate],
        )
        secret.attendees.set([contact])
        secret.save()
        ActionItem.objects.create(
            meeting=public, description="Regulator to publish Q&A", owner_regulator=cls.regulator
        )
        ActionItem.objects.create(
            meeting=secret, description="Patients group to send survey", owner_organisation=cls.org
        )

    def inspect(self, user, model, pk):
        self.client.force_login(user)
        response = self.client.get(f"{SNIPPETS}{model}/inspect/{pk}/")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_regulator_shows_its_meetings_and_actions(self):
        page = self.inspect(self.delegate, "regulator", self.regulator.pk)

        self.assertIn("Open liaison day", page)
        self.assertIn("Closed enforcement call", page)
        self.assertIn("Regulator to publish Q&amp;A", page)

    def test_history_respects_confidentiality(self):
        page = self.inspect(self.other, "regulator", self.regulator.pk)
        self.assertIn("Open liaison day", page)
        self.assertNotIn("Closed enforcement call", page)

        page = self.inspect(self.other, "organisation", self.org.pk)
        self.assertIn("Open liaison day", page)
        self.assertNotIn("Patients group to send survey", page)

    def test_an_organisation_shows_meetings_its_people_attended(self):
        page = self.inspect(self.delegate, "organisation", self.org.pk)

        self.assertIn("Closed enforcement call", page)
        self.assertIn("Patients group to send survey", page)
