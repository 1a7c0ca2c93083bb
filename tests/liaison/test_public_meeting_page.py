"""A public meeting's own page: its public facts and agenda, and 404 for the others."""

import time_machine
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from liaison.models import Meeting
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import make_regulator
from tests.liaison.public_pages import NOW, at, html, item, meeting, text, url


@time_machine.travel(NOW, tick=False)
class MeetingPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hc = make_regulator("Health Canada BRDD", "America/Toronto")
        index = make_position_index()
        cls.position = make_position(index, title="Potency assurance")
        cls.draft = make_position(index, title="Draft gene therapy position", live=False)
        cls.summer = meeting(cls.hc, "Summer liaison", at(2026, 6, 9, 13), minutes=150)
        item(
            cls.summer,
            "Potency assays",
            presenter="Dr Priya Shah",
            duration_minutes=30,
            positions=[cls.position, cls.draft],
        )
        item(cls.summer, "Clinic enforcement case", confidential=True)
        cls.held = meeting(
            cls.hc,
            "Spring liaison",
            at(2026, 3, 3, 14),
            status=Meeting.Status.HELD,
            public_summary="We agreed to share assay examples.",
        )
        cls.members = meeting(cls.hc, "Members briefing", at(2026, 6, 2, 14), "members")
        cls.secret = meeting(cls.hc, "Enforcement call", at(2026, 6, 3, 14), "confidential")
        cls.outsider = make_user()

    def test_it_shows_the_public_facts_and_agenda(self):
        response = self.client.get(url(self.summer))

        self.assertEqual(response.status_code, 200)
        page = html(response)
        self.assertEqual(text(page.h1), "Summer liaison")
        self.assertEqual(
            text(page.select_one(".when")),
            "Tue 9 June 2026, 09:00–11:30 EDT (America/Toronto) · 13:00–15:30 UTC",
        )
        [agenda_item] = page.select(".agenda__item")
        self.assertEqual(text(agenda_item.h3), "Potency assays")
        self.assertIn("30 minutes · Presented by Dr Priya Shah", text(agenda_item))

    def test_it_has_a_title_and_a_canonical_link(self):
        response = self.client.get(url(self.summer))

        page = html(response)
        self.assertTrue(text(page.title).startswith("Summer liaison ·"))
        canonical = page.select_one('link[rel="canonical"]')
        self.assertEqual(canonical["href"], f"http://testserver{url(self.summer)}")

    def test_confidential_agenda_items_are_left_out(self):
        response = self.client.get(url(self.summer))

        self.assertNotContains(response, "Clinic enforcement case")

    def test_it_links_to_cited_positions_that_are_live(self):
        response = self.client.get(url(self.summer))

        links = [a["href"] for a in html(response).select(".agenda__item a")]
        self.assertEqual(links, [self.position.url])
        self.assertNotContains(response, "Draft gene therapy position")

    def test_the_summary_is_shown_once_the_meeting_is_over(self):
        self.summer.public_summary = "Written before the meeting."
        self.summer.save()

        self.assertContains(self.client.get(url(self.held)), "We agreed to share assay examples.")
        self.assertNotContains(self.client.get(url(self.summer)), "Written before the meeting.")

    def test_meetings_that_are_not_public_give_the_same_404_as_unknown_ones(self):
        unknown = self.client.get("/meetings/00000000-0000-4000-8000-000000000000/")
        self.assertEqual(unknown.status_code, 404)
        for user in (None, self.outsider):
            for hidden in (self.members, self.secret):
                with self.subTest(user=user, meeting=hidden.title):
                    if user:
                        self.client.force_login(user)
                    response = self.client.get(url(hidden))
                    self.assertEqual(response.status_code, 404)
                    self.assertEqual(response.content, unknown.content)

    def test_a_malformed_address_is_404(self):
        self.assertEqual(self.client.get("/meetings/not-a-uuid/").status_code, 404)

    # Measures what the page itself costs, so the public page cache (cms.pagecache) is off.
    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_the_query_count_does_not_grow_with_the_agenda(self):
        def count():
            self.client.get(url(self.summer))
            with CaptureQueriesContext(connection) as queries:
                self.client.get(url(self.summer))
            return len(queries)

        before = count()
        for n in range(10):
            item(self.summer, f"Extra item {n}", positions=[self.position])

        self.assertEqual(count(), before)
