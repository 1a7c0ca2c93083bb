"""Past and upcoming meetings at /meetings/ come twenty a page."""

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from liaison.models import Meeting
from tests.liaison.factories import make_regulator
from tests.liaison.public_pages import LIST_URL, NOW, at, item, listed, meeting


@time_machine.travel(NOW, tick=False)
class PaginationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        regulator = make_regulator()
        for day in range(1, 26):
            meeting(regulator, f"Past meeting {day:02}", at(2026, 1, day, 14))
        meeting(regulator, "Next liaison", at(2026, 6, 9, 13))

    def test_past_meetings_come_twenty_a_page(self):
        first = self.client.get(LIST_URL)
        second = self.client.get(LIST_URL, {"page": 2})

        self.assertEqual(len(listed(first, "past")), 20)
        self.assertEqual(listed(first, "past")[0], "Past meeting 25")
        self.assertEqual(
            listed(second, "past"), [f"Past meeting {day:02}" for day in range(5, 0, -1)]
        )
        self.assertEqual(listed(first, "upcoming"), ["Next liaison"])
        # Later pages go further back only.
        self.assertEqual(listed(second, "upcoming"), [])
        self.assertContains(first, 'rel="next" href="?page=2"')

    def test_many_upcoming_meetings_page_on_their_own(self):
        regulator = make_regulator("EMA CAT", "Europe/Amsterdam")
        for day in range(1, 24):
            meeting(regulator, f"Future meeting {day:02}", at(2026, 8, day, 9))

        first = self.client.get(LIST_URL)
        later = self.client.get(LIST_URL, {"upcoming": 2})

        self.assertEqual(len(listed(first, "upcoming")), 20)
        self.assertEqual(listed(first, "upcoming")[0], "Next liaison")
        self.assertEqual(
            listed(later, "upcoming"), [f"Future meeting {day:02}" for day in (20, 21, 22, 23)]
        )
        self.assertContains(first, 'rel="next" href="?upcoming=2"')
        self.assertEqual(len(listed(later, "past")), 20)

    def test_a_hostile_page_number_gives_a_page_not_an_error(self):
        for value in ("abc", "99999", "%00", "\x00", "-1", "0", "1e9", "2" * 400, "1'--"):
            with self.subTest(page=value[:10]):
                for name in ("page", "upcoming"):
                    response = self.client.get(LIST_URL, {name: value})
                    self.assertIn(response.status_code, (200, 404))

    def test_the_query_count_does_not_grow_with_the_number_of_meetings(self):
        def count():
            self.client.get(LIST_URL)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(LIST_URL)
            self.assertEqual(response.status_code, 200)
            return len(queries)

        Meeting.objects.all().delete()
        regulators = [make_regulator("FDA CBER OTP"), make_regulator("EMA CAT")]

        def add(n, first_day):
            for day in range(first_day, first_day + n):
                for start in (at(2026, 1, day, 14), at(2026, 7, day, 14)):
                    m = meeting(regulators[0], f"Meeting {day} {start:%m}", start)
                    m.regulators.set(regulators)
                    item(m, "Potency assays")
                    item(m, "Secret item", confidential=True)

        add(2, 1)
        with_few = count()
        add(13, 3)

        self.assertEqual(count(), with_few)
