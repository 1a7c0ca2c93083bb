"""Pages in a private section (a Wagtail view restriction on the page or an ancestor) are
left out of every public listing: the home page, the indexes, the menu and the RSS feed.
advocacy's page querysets decide this in the listing's own query (SocietyPageQuerySet), so
these tests pin the rule that replaced Wagtail's query-per-call ``private_q``."""

from datetime import date

from django.test import TestCase, override_settings
from wagtail.models import PageViewRestriction

from advocacy.models import HomePage, PositionPage, ResponseIndexPage
from tests.factories import make_position, make_position_index, make_response, publish


def restrict(page):
    return PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )


@override_settings(PAGE_CACHE_SECONDS=0)
class PrivateSectionTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()
        adopted = {"policy_status": PositionPage.Status.ADOPTED, "adopted_on": date(2025, 3, 1)}
        cls.open = make_position(cls.index, title="Open position", **adopted)
        cls.hidden = make_position(cls.index, title="Hidden position", **adopted)
        cls.responses = publish(
            HomePage.objects.get().add_child(
                instance=ResponseIndexPage(title="Responses", slug="responses")
            )
        )
        cls.letter = make_response(cls.responses, title="Letter to CBER")

    def test_a_restricted_position_is_left_out_of_the_listings_but_its_siblings_stay(self):
        restrict(self.hidden)

        for url in ("/", "/positions/", "/feeds/rss/", "/feeds/atom/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "Open position")
                self.assertNotContains(response, "Hidden position")

    def test_everything_under_a_restricted_section_is_left_out(self):
        restrict(self.index)

        home = self.client.get("/")
        self.assertNotContains(home, "Open position")
        self.assertNotContains(home, "Hidden position")
        self.assertNotContains(home, 'href="/positions/"')
        self.assertContains(home, "Letter to CBER")
        self.assertContains(home, '<a href="/responses/">Responses</a>', html=True)
        self.assertEqual(
            set(PositionPage.objects.live().public()),
            set(),
        )
        self.assertEqual(set(PositionPage.objects.live().not_public()), {self.open, self.hidden})

    def test_a_restricted_response_section_leaves_the_menu(self):
        restrict(self.responses)

        response = self.client.get("/positions/")

        self.assertContains(response, "Open position")
        self.assertContains(
            response, '<a href="/positions/" aria-current="page">Positions</a>', html=True
        )
        self.assertNotContains(response, 'href="/responses/"')
        self.assertNotContains(self.client.get("/"), "Letter to CBER")

    def test_the_rule_matches_wagtails_own(self):
        restrict(self.hidden)
        restrict(self.responses)

        ours = PositionPage.objects.live().public()
        wagtails = PositionPage.objects.live().exclude(super(type(ours), ours).private_q())
        self.assertEqual(set(ours), set(wagtails))
        self.assertEqual(set(ours), {self.open})
