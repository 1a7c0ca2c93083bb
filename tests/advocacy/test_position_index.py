import datetime

from django.test import TestCase

from advocacy.models import PositionPage
from tests.factories import jurisdiction, make_position, make_position_index, make_topic

S = PositionPage.Status


class PositionIndexTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()
        cls.potency = make_topic("Potency assays")
        cls.follow_up = make_topic("Long-term follow-up")
        cls.assays = make_position(
            cls.index,
            title="Potency assay matrices",
            summary="Accept an assay matrix developed in phases.",
            topics=[cls.potency],
            jurisdictions=[jurisdiction("us"), jurisdiction("eu")],
            policy_status=S.ADOPTED,
            adopted_on=datetime.date(2023, 9, 12),
        )
        cls.registry = make_position(
            cls.index,
            title="Shared follow-up registries",
            summary="Registries shared between sponsors should satisfy obligations.",
            topics=[cls.follow_up],
            jurisdictions=[jurisdiction("jp")],
            policy_status=S.ADOPTED,
            adopted_on=datetime.date(2022, 5, 20),
        )
        cls.draft_rule = make_position(
            cls.index,
            title="Comparability after changes",
            summary="A risk-based route for manufacturing changes.",
            topics=[cls.potency],
            policy_status=S.CONSULTATION,
        )

    def titles(self, query=""):
        response = self.client.get(f"/positions/{query}")
        self.assertEqual(response.status_code, 200)
        return [p.title for p in response.context["positions"]]

    def test_it_lists_adopted_positions_first_newest_first(self):
        self.assertEqual(
            self.titles(),
            [
                "Potency assay matrices",
                "Shared follow-up registries",
                "Comparability after changes",
            ],
        )

    def test_it_filters_by_topic(self):
        self.assertEqual(
            self.titles("?topic=potency-assays"),
            ["Potency assay matrices", "Comparability after changes"],
        )

    def test_it_filters_by_jurisdiction(self):
        self.assertEqual(self.titles("?jurisdiction=jp"), ["Shared follow-up registries"])
        self.assertContains(
            self.client.get("/positions/?jurisdiction=jp"), "1 position matches your filters."
        )

    def test_it_filters_by_status(self):
        self.assertEqual(self.titles("?status=consultation"), ["Comparability after changes"])

    def test_it_filters_by_year_of_adoption(self):
        self.assertEqual(self.titles("?year=2022"), ["Shared follow-up registries"])

    def test_filters_combine(self):
        self.assertEqual(
            self.titles("?topic=potency-assays&status=adopted&jurisdiction=eu&year=2023"),
            ["Potency assay matrices"],
        )

    def test_it_searches_full_text(self):
        self.assertEqual(self.titles("?q=registries"), ["Shared follow-up registries"])

    def test_search_and_filters_combine(self):
        self.assertEqual(self.titles("?q=matrix&topic=long-term-follow-up"), [])

    def test_year_choices_come_from_the_data(self):
        response = self.client.get("/positions/")

        choices = [value for value, _ in response.context["filter_form"].fields["year"].choices]
        self.assertEqual(choices, ["", 2023, 2022])

    def test_it_links_its_feeds(self):
        response = self.client.get("/positions/")

        self.assertContains(
            response,
            '<link rel="alternate" type="application/rss+xml" '
            'title="Positions and responses (RSS)" href="/feeds/rss/">',
            html=True,
        )
        self.assertContains(response, 'type="application/atom+xml"')

    def test_it_paginates(self):
        for n in range(25):
            make_position(self.index, title=f"Extra position {n:02d}")

        first = self.client.get("/positions/")
        second = self.client.get("/positions/?page=2")

        self.assertEqual(len(first.context["positions"]), 20)
        self.assertEqual(len(second.context["positions"]), 8)
        self.assertContains(first, '<a rel="next" href="?page=2">Next →</a>', html=True)

    def test_pagination_keeps_the_filters(self):
        for n in range(21):
            make_position(self.index, title=f"Potency extra {n:02d}", topics=[self.potency])

        response = self.client.get("/positions/?topic=potency-assays")

        self.assertContains(response, 'href="?topic=potency-assays&amp;page=2"')


class HostileIndexParametersTestCase(TestCase):
    """Whatever arrives in the query string, the index answers with a normal page."""

    HOSTILE = [
        "?topic=does-not-exist",
        "?topic=%00",
        "?jurisdiction=' OR 1=1 --",
        "?status=bogus",
        "?year=abc",
        "?year=99999999999999999999",
        "?year=-1",
        "?page=-1",
        "?page=99999",
        "?page=abc",
        "?q=" + "x" * 5000,
        '?q="unterminated',
        "?q=<script>alert(1)</script>",
        "?q=potency* OR NEAR(a b) ^ : ( )",
        "?q=%F0%9F%A7%AC%20%E6%97%A5%E6%9C%AC",
        "?q=%ff%fe",
        "?topic=potency-assays&topic=other",
        "?unknown=1&debug=true",
    ]

    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()
        make_position(cls.index, title="Potency assays", topics=[make_topic()])

    def test_hostile_parameters_give_a_normal_page(self):
        for query in self.HOSTILE:
            with self.subTest(query=query[:60]):
                response = self.client.get(f"/positions/{query}")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "<h1>Policy positions</h1>", html=True)

    def test_a_query_is_never_rendered_as_html(self):
        response = self.client.get("/positions/?q=<script>alert(1)</script>")

        self.assertNotContains(response, "<script>alert(1)</script>")
