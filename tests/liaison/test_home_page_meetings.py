"""The home page shows the next public meetings."""

import time_machine
from django.test import TestCase

from liaison.models import Meeting
from tests.liaison.factories import make_regulator
from tests.liaison.public_pages import NOW, at, listed, meeting


@time_machine.travel(NOW, tick=False)
class HomePageMeetingsTestCase(TestCase):
    def test_it_shows_the_next_three_public_meetings_going_ahead(self):
        regulator = make_regulator()
        meeting(regulator, "Held before", at(2026, 4, 1, 14))
        for month in (6, 7, 8, 9):
            meeting(regulator, f"Liaison {month}", at(2026, month, 2, 14))
        meeting(regulator, "Cancelled", at(2026, 5, 20, 14), status=Meeting.Status.CANCELLED)
        meeting(regulator, "Members only", at(2026, 5, 21, 14), "members")

        response = self.client.get("/")

        self.assertEqual(listed(response, "meetings"), ["Liaison 6", "Liaison 7", "Liaison 8"])
        self.assertContains(response, '<a href="/meetings/">All meetings, past and upcoming</a>')

    def test_without_meetings_it_says_none_are_scheduled(self):
        response = self.client.get("/")

        self.assertContains(response, "No public meetings are scheduled.")
