"""Bad agenda items in the meeting form are refused, and nothing is saved."""

from django.test import TestCase

from liaison.models import AgendaItem, Meeting
from tests.factories import make_user
from tests.liaison.factories import make_regulator


class AgendaBadInputTestCase(TestCase):
    """Bad agenda input gives form errors and saves nothing, meeting included."""

    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")

    def test_a_huge_or_nul_agenda_item_is_refused_and_nothing_is_saved(self):
        from tests.liaison.factories import ADD_URL, meeting_form

        self.client.force_login(self.secretariat)
        for bad in ("x" * 10_000, "Potency\x00assays"):
            with self.subTest(title=bad[:10]):
                data = meeting_form(self.regulator)
                data["agenda_items-0-title"] = bad
                data["agenda_items-0-talking_points"] = "y" * 20_000

                response = self.client.post(ADD_URL, data)

                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].formsets["agenda_items"].errors)
                self.assertFalse(Meeting.objects.exists())
                self.assertFalse(AgendaItem.objects.exists())
