"""What an uncached public page costs in SQL queries, on the demo's content: the page cache
(cms.pagecache) serves most visits, but each change empties it and the next visitor pays
this. The budgets are today's counts, so a change that adds a query to every page view shows
up here; tests/advocacy/test_index_queries.py and tests/liaison/test_listing_queries.py
prove the listings do not grow with their rows."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings

from advocacy.models import PositionPage
from liaison.models import Meeting

# Path (or a key filled in below): queries of a second, uncached GET.
BUDGETS = {
    "/": 10,
    "/positions/": 13,
    "position": 15,
    "/meetings/": 13,
    "meeting": 8,
    # The demo's monthly call is a series with a rule: two queries read it (ics.feed_bytes).
    "/calendar/public.ics": 7,
    "/search/?q=potency": 8,
}


@override_settings(PAGE_CACHE_SECONDS=0)
class UncachedPublicPageQueriesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", "--no-users", stdout=StringIO())

    def path(self, key):
        if key == "position":
            return PositionPage.objects.live().public().order_by("path").first().url
        if key == "meeting":
            return f"/meetings/{Meeting.objects.public().order_by('starts_at').first().uuid}/"
        return key

    def test_each_page_stays_within_its_query_budget(self):
        for key, budget in BUDGETS.items():
            path = self.path(key)
            with self.subTest(path=path):
                # The first request fills per-process caches (content types, the site).
                self.assertEqual(self.client.get(path).status_code, 200)
                with self.assertNumQueries(budget):
                    response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
