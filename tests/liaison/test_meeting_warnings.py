"""The meeting form's checks: an overrunning agenda and positions that are superseded,
withdrawn or past review are flagged, without blocking the save."""

import datetime

from django.test import TestCase
from django.utils import timezone

from liaison.models import AgendaItem
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.admin_pages import SNIPPETS, meeting_page
from tests.liaison.factories import make_meeting, make_regulator

DAY = datetime.timedelta(days=1)


class WarningsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.secretariat = make_user("Secretariat")
        cls.regulator = make_regulator()
        index = make_position_index()
        today = timezone.localdate()
        cls.current = make_position(
            index, title="Current potency position", review_by=today + 90 * DAY
        )
        cls.withdrawn = make_position(
            index, title="Withdrawn comparability position", policy_status="withdrawn"
        )
        cls.old = make_position(index, title="Old platform position")
        make_position(index, title="New platform position", supersedes=cls.old)
        cls.stale = make_position(index, title="Stale donor position", review_by=today - 3 * DAY)
        cls.meeting = make_meeting(cls.regulator)  # two hours

    def setUp(self):
        self.client.force_login(self.secretariat)

    def add_item(self, title, minutes=30, positions=()):
        item = AgendaItem.objects.create(
            meeting=self.meeting, title=title, duration_minutes=minutes, sort_order=0
        )
        item.cited_positions.set(positions)
        item.save()  # parental many-to-many relations are written on save
        return item

    def test_a_fitting_agenda_of_current_positions_gives_no_warning(self):
        self.add_item("Potency", 60, [self.current])

        page = meeting_page(self.client, self.meeting)

        self.assertIn("No warnings", page)

    def test_an_overrunning_agenda_is_flagged(self):
        self.add_item("Potency", 90)
        self.add_item("Comparability", 45)

        page = meeting_page(self.client, self.meeting)

        self.assertIn(
            "The agenda runs 15 minutes over: 135 minutes of items in a 120-minute", page
        )

    def test_superseded_withdrawn_and_past_review_positions_are_flagged(self):
        self.add_item("Platforms", positions=[self.old, self.withdrawn, self.stale, self.current])

        page = meeting_page(self.client, self.meeting)

        self.assertIn("“Old platform position” is superseded by “New platform position”", page)
        self.assertIn("“Withdrawn comparability position” has been withdrawn", page)
        self.assertIn("“Stale donor position” was due for review on", page)
        self.assertNotIn("Current potency position” ", page)

    def test_saving_shows_the_warnings_without_blocking(self):
        from wagtail.test.utils.form_data import inline_formset

        from tests.liaison.factories import meeting_form

        item = {
            "title": "Comparability",
            "duration_minutes": 200,
            "presenter": "",
            "ask": "",
            "background": "",
            "talking_points": "",
            "confidential": False,
            "regulator_response": "",
            "decision": "",
            "outcome_notes": "",
            "ask_links": inline_formset([]),
        }
        data = meeting_form(
            self.regulator, title="Moved liaison", agenda_items=inline_formset([item])
        )
        data["agenda_items-0-cited_positions"] = [self.withdrawn.pk]

        response = self.client.post(
            f"{SNIPPETS}meeting/edit/{self.meeting.pk}/", data, follow=True
        )

        self.assertEqual(response.status_code, 200)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.title, "Moved liaison")
        self.assertEqual(self.meeting.agenda_items.get().cited_positions.get(), self.withdrawn)
        shown = [str(m) for m in response.context["messages"]]
        self.assertIn(
            "Moved liaison: The agenda runs 50 minutes over: 200 minutes of items in a "
            "150-minute meeting.",
            shown,
        )
        self.assertIn(
            "Moved liaison: Agenda item “Comparability”: “Withdrawn comparability position” "
            "has been withdrawn.",
            shown,
        )
