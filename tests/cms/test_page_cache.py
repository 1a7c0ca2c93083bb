"""Anonymous public pages come from the cache (cms.pagecache) until what they show changes:
the first request after each kind of change shows the new content. Signed-in users, the
admin and pages with a form are never served from it; a cached page answers with an ETag,
a Last-Modified date and 304 to a visitor who has it already, in one query."""

import datetime

from django.test import TestCase, override_settings

from advocacy.models import PositionPage
from cms.models import SocietySettings
from liaison.models import AgendaItem
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import make_meeting, make_regulator

UTC = datetime.UTC
SOON = datetime.datetime(2027, 3, 10, 14, tzinfo=UTC)


class PageCacheTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        SocietySettings.load()  # made on first use otherwise, which is a change
        cls.index = make_position_index()
        cls.position = make_position(cls.index, title="Potency matrices")
        cls.regulator = make_regulator("FDA CBER")
        cls.meeting = make_meeting(
            cls.regulator, title="Listening session", visibility="public", starts_at=SOON
        )

    def get(self, path, **headers):
        response = self.client.get(path, headers=headers)
        self.assertEqual(response.status_code, 200 if not headers else response.status_code)
        return response

    def meeting_page(self):
        return f"/meetings/{self.meeting.uuid}/"


class ServingTests(PageCacheTestCase):
    def test_the_second_visit_comes_from_the_cache_with_validators(self):
        first = self.get("/positions/")
        second = self.get("/positions/")

        self.assertEqual(first["X-Page-Cache"], "miss")
        self.assertEqual(second["X-Page-Cache"], "hit")
        self.assertEqual(first.content, second.content)
        self.assertEqual(first["ETag"], second["ETag"])
        self.assertTrue(second.has_header("Last-Modified"))
        self.assertIn("no-cache", second["Cache-Control"])
        # Headers the middlewares around it add are on cached pages too.
        self.assertTrue(second.has_header("Content-Security-Policy"))
        self.assertEqual(second["X-Frame-Options"], first["X-Frame-Options"])

    def test_a_visitor_with_the_page_gets_304(self):
        etag = self.get("/positions/")["ETag"]

        again = self.client.get("/positions/", headers={"if-none-match": etag})
        changed = self.client.get("/positions/", headers={"if-none-match": '"stale"'})

        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        self.assertEqual(changed.status_code, 200)

    def test_a_cached_page_costs_one_query(self):
        for path in (
            "/",
            "/positions/",
            "/meetings/",
            self.meeting_page(),
            "/calendar/public.ics",
        ):
            self.get(path)
            with self.assertNumQueries(1):
                self.assertEqual(self.get(path)["X-Page-Cache"], "hit", path)

    def test_signed_in_users_and_the_admin_are_never_served_from_it(self):
        self.get("/positions/")
        self.client.force_login(make_user("Policy editors"))

        page = self.get("/positions/")
        admin = self.get("/admin/")

        self.assertFalse(page.has_header("X-Page-Cache"))
        self.assertFalse(admin.has_header("X-Page-Cache"))

    def test_a_page_with_a_form_is_not_kept(self):
        # The subscribe form carries a CSRF token of its own for each visitor.
        for _ in range(2):
            response = self.get("/calendar/subscribe/")
            self.assertContains(response, "csrfmiddlewaretoken")
            self.assertFalse(response.has_header("X-Page-Cache"))

    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_it_can_be_turned_off(self):
        self.get("/positions/")
        self.assertFalse(self.get("/positions/").has_header("X-Page-Cache"))


class InvalidationTests(PageCacheTestCase):
    """The first request after each change shows it."""

    def cached(self, path):
        self.get(path)
        response = self.get(path)
        self.assertEqual(response["X-Page-Cache"], "hit")
        return response

    def test_publishing_a_position(self):
        self.cached("/positions/")
        make_position(self.index, title="Long-term follow-up")
        self.assertContains(self.get("/positions/"), "Long-term follow-up")

    def test_publishing_a_new_revision_and_unpublishing(self):
        self.cached(self.position.url)
        self.position.title = "Potency matrices, revised"
        self.position.save_revision().publish()
        self.assertContains(self.get(self.position.url), "Potency matrices, revised")

        self.cached("/positions/")
        PositionPage.objects.get(pk=self.position.pk).unpublish()
        self.assertNotContains(self.get("/positions/"), "Potency matrices")

    def test_changing_a_meeting(self):
        self.cached("/meetings/")
        self.cached(self.meeting_page())
        self.meeting.title = "Listening session on potency"
        self.meeting.save()
        self.assertContains(self.get("/meetings/"), "Listening session on potency")
        self.assertContains(self.get(self.meeting_page()), "Listening session on potency")

    def test_changing_the_agenda(self):
        self.cached(self.meeting_page())
        AgendaItem.objects.create(meeting=self.meeting, title="Assay matrices", sort_order=0)
        self.assertContains(self.get(self.meeting_page()), "Assay matrices")

    def test_changing_a_regulator_or_the_meeting_regulators(self):
        self.cached(self.meeting_page())
        self.regulator.name = "Center for Biologics"
        self.regulator.acronym = "CBER"
        self.regulator.save()
        self.assertContains(self.get(self.meeting_page()), "CBER")

        other = make_regulator("EMA CAT", "Europe/Amsterdam")
        self.cached(self.meeting_page())
        self.meeting.regulators.add(other)
        self.meeting.save()
        self.assertContains(self.get(self.meeting_page()), "EMA CAT")

    def test_the_public_feed(self):
        self.cached("/calendar/public.ics")
        self.meeting.title = "Renamed session"
        self.meeting.save()
        self.assertIn(b"Renamed session", self.get("/calendar/public.ics").content)

    def test_a_setting(self):
        self.cached("/")
        row = SocietySettings.load()
        row.name = "Society for Cell and Gene Therapy Policy"
        row.save()
        self.assertContains(self.get("/"), "Society for Cell and Gene Therapy Policy")

    def test_a_meeting_made_private(self):
        self.cached(self.meeting_page())
        self.meeting.visibility = "members"
        self.meeting.save()
        self.assertEqual(self.client.get(self.meeting_page()).status_code, 404)
