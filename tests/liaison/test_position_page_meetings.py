"""A position's page lists the public meetings that raised it."""

import time_machine
from django.test import TestCase

from liaison.models import AgendaItem, Meeting
from tests.factories import make_position, make_position_index
from tests.liaison.factories import make_regulator
from tests.liaison.public_pages import NOW, at, html, item, meeting, url


@time_machine.travel(NOW, tick=False)
class PositionMeetingsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hc = make_regulator()
        index = make_position_index()
        cls.position = make_position(index, title="Potency assurance")
        cls.held = meeting(cls.hc, "Spring liaison", at(2026, 3, 3, 14))
        cls.later = meeting(cls.hc, "Summer liaison", at(2026, 6, 9, 13))
        item(cls.held, "Potency assays", positions=[cls.position])
        item(cls.held, "Potency again", positions=[cls.position])
        item(cls.later, "Potency follow-up", positions=[cls.position])
        cls.quiet = meeting(cls.hc, "Autumn liaison", at(2026, 9, 9, 13))
        item(cls.quiet, "Agenda item that says nothing", positions=[])
        item(cls.quiet, "Enforcement", confidential=True, positions=[cls.position])
        members = meeting(cls.hc, "Members briefing", at(2026, 6, 2, 14), "members")
        item(members, "Potency for members", positions=[cls.position])
        cancelled = meeting(
            cls.hc, "Cancelled workshop", at(2026, 7, 1, 14), status=Meeting.Status.CANCELLED
        )
        item(cancelled, "Potency workshop", positions=[cls.position])

    def meeting_links(self):
        response = self.client.get(self.position.url)
        self.assertEqual(response.status_code, 200)
        section = html(response).select_one("section[aria-labelledby=meetings-heading]")
        return [a["href"] for a in section.select("a")] if section else []

    def test_it_lists_public_meetings_that_raised_the_position_newest_first(self):
        self.assertEqual(self.meeting_links(), [url(self.later), url(self.held)])

    def test_a_confidential_item_does_not_reveal_its_meeting(self):
        self.assertNotIn(url(self.quiet), self.meeting_links())

    def test_a_position_never_raised_has_no_meetings_section(self):
        AgendaItem.objects.all().delete()

        self.assertEqual(self.meeting_links(), [])
        self.assertNotContains(self.client.get(self.position.url), "Raised at meetings")
