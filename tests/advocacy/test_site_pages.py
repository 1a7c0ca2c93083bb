from django.test import RequestFactory, TestCase
from django.views.defaults import server_error
from wagtail.test.utils import WagtailPageTestCase

from advocacy.models import HomePage, PositionIndexPage, PositionPage, ResponseIndexPage


class HomePageTestCase(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = HomePage.objects.get()
        cls.home.title = "Cell and Gene Therapy Society"
        cls.home.intro = "<p>We publish our positions.</p>"
        cls.home.save_revision().publish()
        cls.index = cls.home.add_child(
            instance=PositionIndexPage(title="Positions", slug="positions")
        )

    def test_it_renders_with_the_site_template(self):
        response = self.client.get("/")

        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "advocacy/home_page.html")
        self.assertTemplateUsed(response, "base.html")
        self.assertContains(response, "<h1>Cell and Gene Therapy Society</h1>", html=True)

    def test_it_has_landmarks_and_a_skip_link(self):
        response = self.client.get("/")

        self.assertContains(
            response, '<a class="skip-link" href="#main">Skip to content</a>', html=True
        )
        self.assertContains(response, '<main id="main"')
        self.assertContains(response, '<nav class="site-nav" aria-label="Main">')
        self.assertContains(response, "<footer")
        self.assertContains(response, '<html lang="en">')

    def test_navigation_links_to_the_positions_index(self):
        response = self.client.get("/")

        self.assertContains(response, '<a href="/positions/">Positions</a>', html=True)

    def test_navigation_marks_the_current_section(self):
        response = self.client.get("/positions/")

        self.assertContains(
            response, '<a href="/positions/" aria-current="page">Positions</a>', html=True
        )

    def test_unpublished_index_is_left_out_of_navigation(self):
        self.index.unpublish()

        response = self.client.get("/")

        self.assertNotContains(response, 'href="/positions/"')

    def test_page_type_rules(self):
        self.assertAllowedSubpageTypes(HomePage, {PositionIndexPage, ResponseIndexPage})
        self.assertAllowedSubpageTypes(PositionIndexPage, {PositionPage})
        self.assertCanNotCreateAt(HomePage, PositionPage)


class ErrorPagesTestCase(TestCase):
    def test_404_uses_the_site_design(self):
        response = self.client.get("/no-such-page/")

        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "We can’t find that page", status_code=404)
        self.assertTemplateUsed(response, "base.html")

    def test_500_page_renders_without_the_database(self):
        request = RequestFactory().get("/")

        with self.assertNumQueries(0):
            response = server_error(request)

        self.assertEqual(response.status_code, 500)
        self.assertIn(b"Something went wrong on our side", response.content)
        self.assertIn(b'<html lang="en">', response.content)
