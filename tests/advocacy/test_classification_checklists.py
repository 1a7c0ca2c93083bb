"""Positions and consultation responses are classified by ticking boxes, not in Ctrl-click
lists; a response names the positions it relies on with their status."""

import datetime

from django.test import TestCase

from advocacy.models import ConsultationResponsePage, HomePage, PositionPage, ResponseIndexPage
from tests.checkboxes import checkboxes, has_select_multiple
from tests.factories import make_position, make_position_index, make_topic, make_user, publish

S = PositionPage.Status


class ClassificationChecklistsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("Policy editors")
        cls.topic = make_topic("Potency assays")
        index = make_position_index()
        cls.adopted = make_position(
            index,
            title="Assay matrices",
            policy_status=S.ADOPTED,
            adopted_on=datetime.date(2024, 1, 1),
        )
        cls.draft = make_position(index, title="Vector shedding", policy_status=S.CONSULTATION)
        cls.old = make_position(index, title="Old potency rules", policy_status=S.SUPERSEDED)
        responses = publish(
            HomePage.objects.get().add_child(
                instance=ResponseIndexPage(title="Responses", slug="responses")
            )
        )
        cls.response = responses.add_child(
            instance=ConsultationResponsePage(
                title="Comments on potency guidance",
                agency="FDA CBER",
                consultation_title="Potency Assurance",
                summary="We ask for matrices.",
            )
        )

    def setUp(self):
        self.client.force_login(self.editor)

    def edit_page(self, page):
        response = self.client.get(f"/admin/pages/{page.pk}/edit/")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_position_is_classified_with_checkboxes(self):
        page = self.edit_page(self.draft)

        self.assertFalse(has_select_multiple(page))
        offered = checkboxes(page)
        self.assertEqual(offered["topics"], {str(self.topic.pk): "Potency assays"})
        self.assertIn("Canada", offered["jurisdictions"].values())

    def test_a_response_ticks_the_positions_it_relies_on_seeing_their_status(self):
        page = self.edit_page(self.response)

        self.assertFalse(has_select_multiple(page))
        offered = checkboxes(page)
        self.assertEqual(
            offered["relies_on"],
            {
                str(self.adopted.pk): "Assay matrices",
                str(self.draft.pk): "Vector shedding (in consultation)",
                str(self.old.pk): "Old potency rules (superseded)",
            },
        )
        self.assertIn("topics", offered)
        self.assertIn("jurisdictions", offered)
