import datetime
import xml.etree.ElementTree as ET

from django.db import connection
from django.test import SimpleTestCase, TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from advocacy.filters import clean_search_query
from advocacy.models import HomePage, ResponseIndexPage
from tests.factories import (
    jurisdiction,
    make_position,
    make_position_index,
    make_response,
    make_topic,
    publish,
)

ATOM = "{http://www.w3.org/2005/Atom}"


class FeedTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()
        cls.potency = make_topic("Potency assays")
        cls.position = make_position(cls.index, title="Potency assays", topics=[cls.potency])
        cls.other = make_position(cls.index, title="Unrelated position")
        cls.draft = make_position(cls.index, title="Secret draft", live=False)
        responses = publish(
            HomePage.objects.get().add_child(
                instance=ResponseIndexPage(title="Responses", slug="responses")
            )
        )
        cls.response = make_response(responses, topics=[cls.potency], relies_on=[cls.position])

    def test_rss_lists_positions_and_responses(self):
        response = self.client.get("/feeds/rss/")

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/rss+xml"))
        channel = ET.fromstring(response.content).find("channel")
        titles = {item.findtext("title") for item in channel.findall("item")}
        self.assertEqual(
            titles,
            {
                "Potency assays",
                "Unrelated position",
                "Response: Comments on FDA potency guidance",
            },
        )
        link = channel.find("item").findtext("link")
        self.assertTrue(link.startswith("http://testserver/"), link)

    def test_atom_is_valid_atom(self):
        response = self.client.get("/feeds/atom/")

        feed = ET.fromstring(response.content)
        self.assertEqual(feed.tag, f"{ATOM}feed")
        entries = feed.findall(f"{ATOM}entry")
        self.assertEqual(len(entries), 3)
        self.assertTrue(all(e.find(f"{ATOM}updated") is not None for e in entries))

    def test_a_topic_feed_holds_only_that_topic(self):
        response = self.client.get("/feeds/topics/potency-assays/rss/")

        titles = [i.findtext("title") for i in ET.fromstring(response.content).iter("item")]
        self.assertEqual(
            sorted(titles), ["Potency assays", "Response: Comments on FDA potency guidance"]
        )
        categories = [c.text for c in ET.fromstring(response.content).iter("category")]
        self.assertIn("Potency assays", categories)

    def test_an_unknown_topic_feed_is_404(self):
        self.assertEqual(self.client.get("/feeds/topics/nope/atom/").status_code, 404)

    def test_drafts_never_appear(self):
        self.assertNotContains(self.client.get("/feeds/rss/"), "Secret draft")

    # Measures what the page itself costs, so the public page cache (cms.pagecache) is off.
    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_feed_queries_do_not_grow_with_items(self):
        self.client.get("/feeds/rss/")  # warm the site root paths cache
        with CaptureQueriesContext(connection) as few:
            self.client.get("/feeds/rss/")
        for n in range(10):
            make_position(self.index, title=f"More {n}", topics=[self.potency])
        with CaptureQueriesContext(connection) as many:
            self.client.get("/feeds/rss/")

        self.assertEqual(len(many), len(few))


class ApiTestCase(TestCase):
    URL = (
        "/api/v2/pages/?type=advocacy.PositionPage"
        "&fields=summary,policy_status,topics,jurisdictions,adopted_on,review_by"
    )

    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()
        cls.topic = make_topic("Gene editing")
        cls.position = make_position(
            cls.index,
            title="Off-target assessment",
            summary="Combine prediction and empirical methods.",
            topics=[cls.topic],
            jurisdictions=[jurisdiction("global")],
            policy_status="adopted",
            adopted_on=datetime.date(2024, 10, 8),
            review_by=datetime.date(2027, 10, 8),
        )
        make_position(cls.index, title="Unpublished", live=False)

    def test_it_exposes_positions_with_status_topics_jurisdictions_dates_and_summary(self):
        response = self.client.get(self.URL)

        self.assertEqual(response.status_code, 200)
        [item] = response.json()["items"]
        self.assertEqual(item["title"], "Off-target assessment")
        self.assertEqual(item["summary"], "Combine prediction and empirical methods.")
        self.assertEqual(item["policy_status"], "adopted")
        self.assertEqual(item["topics"], ["Gene editing"])
        self.assertEqual(item["jurisdictions"], ["Global"])
        self.assertEqual(item["adopted_on"], "2024-10-08")
        self.assertEqual(item["review_by"], "2027-10-08")

    def test_it_is_read_only(self):
        self.assertEqual(self.client.post(self.URL).status_code, 405)

    def test_bad_parameters_are_a_400(self):
        self.assertEqual(self.client.get("/api/v2/pages/?type=nope.Nope").status_code, 400)
        self.assertEqual(self.client.get("/api/v2/pages/?limit=abc").status_code, 400)
        huge = "99999999999999999999"
        for query in (
            "topics=abc",
            "topics=1.5",
            "topics=%C2%B2",
            f"topics={huge}",
            f"jurisdictions={huge}",
            f"supersedes={huge}",
            f"offset={huge}",
            f"limit={huge}",
        ):
            with self.subTest(query=query):
                response = self.client.get(f"{self.URL}&{query}")
                self.assertEqual(response.status_code, 400)
                self.assertIn("message", response.json())
        # A valid id still filters.
        response = self.client.get(f"{self.URL}&topics={self.topic.pk}")
        self.assertEqual([i["title"] for i in response.json()["items"]], ["Off-target assessment"])

    # Measures what the page itself costs, so the public page cache (cms.pagecache) is off.
    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_listing_queries_do_not_grow_with_items(self):
        self.client.get(self.URL)  # warm the site root paths cache
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.URL)
        for n in range(10):
            make_position(self.index, title=f"More {n}", topics=[self.topic])
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(self.URL)

        self.assertEqual(len(response.json()["items"]), 11)
        self.assertEqual(len(many), len(few))


class SearchTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        index = make_position_index()
        make_position(index, title="Potency assays", summary="Assay matrices for CAR-T.")
        responses = publish(
            HomePage.objects.get().add_child(
                instance=ResponseIndexPage(title="Responses", slug="responses")
            )
        )
        make_response(responses)

    def test_it_finds_positions_and_responses(self):
        response = self.client.get("/search/?q=potency")

        titles = {r.title for r in response.context["results"]}
        self.assertEqual(titles, {"Potency assays", "Comments on FDA potency guidance"})

    def test_it_finds_a_docket_id(self):
        response = self.client.get("/search/?q=FDA-2023-D-5027")

        titles = {r.title for r in response.context["results"]}
        self.assertIn("Comments on FDA potency guidance", titles)

    def test_hostile_queries_give_a_normal_page(self):
        for query in ['"', "<script>", "a* OR (b", "%00", "x" * 5000, "NEAR/3 ^:", "日本語 🧬"]:
            with self.subTest(query=query[:20]):
                response = self.client.get("/search/", {"q": query})
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "<script>")

    def test_an_empty_query_lists_nothing(self):
        response = self.client.get("/search/")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["results"]), [])


class ResponsePageTestCase(TestCase):
    def test_it_shows_the_docket_and_the_positions_it_relies_on(self):
        index = make_position_index()
        position = make_position(index, title="Potency assays")
        responses = publish(
            HomePage.objects.get().add_child(
                instance=ResponseIndexPage(title="Responses", slug="responses")
            )
        )
        page = make_response(responses, relies_on=[position])

        response = self.client.get(page.url)

        self.assertContains(response, "<dd>FDA-2023-D-5027</dd>", html=True)
        self.assertContains(response, f'<a href="{position.url}">Potency assays</a>', html=True)
        # ...and the position names the response in return.
        self.assertContains(self.client.get(position.url), "Comments on FDA potency guidance")


class CleanSearchQueryTestCase(SimpleTestCase):
    def test_it_keeps_words_only(self):
        cases = {
            "FDA-2023-D-5027": "FDA 2023 D 5027",
            '"potency" OR (assay*) NEAR/2 ^x:y': "potency OR assay NEAR 2 x y",
            "-leading trailing- --both--": "leading trailing both",
            "<script>alert(1)</script>": "script alert 1 script",
            "日本語 🧬 thérapie": "日本語 thérapie",
            "a_b": "a b",
        }
        for raw, cleaned in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(clean_search_query(raw), cleaned)
