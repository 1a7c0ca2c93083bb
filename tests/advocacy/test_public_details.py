"""Public-site details of issue 14: searching by regulator, feed dates, the favicon."""

import datetime
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

from bs4 import BeautifulSoup
from django.test import TestCase, override_settings

from advocacy.models import HomePage, PositionPage, ResponseIndexPage
from liaison.models import Regulator
from tests.factories import (
    jurisdiction,
    make_position,
    make_position_index,
    make_response,
    make_topic,
    publish,
)

ATOM = "{http://www.w3.org/2005/Atom}"


def titles(response, selector):
    page = BeautifulSoup(response.content, "html.parser")
    return {" ".join(a.get_text().split()) for a in page.select(selector)}


class RegulatorSearchTestCase(TestCase):
    """The demo's positions name where they apply (jurisdictions), not the regulators there:
    "FDA" appears in none of their texts, yet that is what visitors type."""

    @classmethod
    def setUpTestData(cls):
        # Regulators as the demo has them (liaison/demo.py).
        Regulator.objects.create(
            name="FDA Center for Biologics Evaluation and Research, Office of Therapeutic "
            "Products",
            acronym="FDA CBER OTP",
            jurisdiction=jurisdiction("us"),
            time_zone="America/New_York",
        )
        Regulator.objects.create(
            name="Health Canada Biologic and Radiopharmaceutical Drugs Directorate",
            acronym="Health Canada BRDD",
            jurisdiction=jurisdiction("ca"),
            time_zone="America/Toronto",
        )
        Regulator.objects.create(
            name="Pharmaceuticals and Medical Devices Agency",
            acronym="PMDA",
            jurisdiction=jurisdiction("jp"),
            time_zone="Asia/Tokyo",
        )
        index = make_position_index()
        cls.car_t = make_position(
            index,
            title="Accelerated approval for CAR-T cell products (2024 update)",
            summary="Accelerated approval remains the right pathway for CAR-T products.",
            topics=[make_topic("Accelerated approval")],
            jurisdictions=[jurisdiction("us"), jurisdiction("ca")],
        )
        cls.follow_up = make_position(
            index,
            title="Long-term follow-up after gene therapy",
            summary="Duration should follow the vector's risk.",
            jurisdictions=[jurisdiction("jp")],
        )

    def test_site_search_finds_positions_by_regulator_acronym(self):
        response = self.client.get("/search/", {"q": "FDA"})

        self.assertEqual(
            titles(response, ".listing__item h2 a"),
            {"Accelerated approval for CAR-T cell products (2024 update)"},
        )

    def test_site_search_finds_positions_by_regulator_name(self):
        response = self.client.get("/search/", {"q": "Health Canada"})
        self.assertEqual(
            titles(response, ".listing__item h2 a"),
            {"Accelerated approval for CAR-T cell products (2024 update)"},
        )

        response = self.client.get("/search/", {"q": "PMDA"})
        self.assertEqual(
            titles(response, ".listing__item h2 a"), {"Long-term follow-up after gene therapy"}
        )

    def test_the_positions_index_search_finds_them_too(self):
        response = self.client.get("/positions/", {"q": "fda"})

        self.assertEqual(
            titles(response, ".listing__item h3 a"),
            {"Accelerated approval for CAR-T cell products (2024 update)"},
        )

    def test_regulators_added_or_renamed_later_are_found(self):
        fda = Regulator.objects.get(acronym="FDA CBER OTP")
        fda.name, fda.acronym = "Food and Drug Administration CDER", "CDER"
        fda.save()
        Regulator.objects.create(
            name="Medicines and Healthcare products Regulatory Agency",
            acronym="MHRA",
            jurisdiction=jurisdiction("jp"),  # a mistake, put right below
            time_zone="Europe/London",
        )

        def found(query):
            return titles(self.client.get("/search/", {"q": query}), ".listing__item h2 a")

        self.assertEqual(found("FDA"), set())
        self.assertEqual(found("CDER"), {self.car_t.title})
        self.assertEqual(found("MHRA"), {self.follow_up.title})

        mhra = Regulator.objects.get(acronym="MHRA")
        mhra.jurisdiction = jurisdiction("us")
        mhra.save()
        self.assertEqual(found("MHRA"), {self.car_t.title})

    def test_topics_are_searchable(self):
        response = self.client.get("/search/", {"q": "accelerated approval"})

        self.assertIn(
            "Accelerated approval for CAR-T cell products (2024 update)",
            titles(response, ".listing__item h2 a"),
        )


@override_settings(TIME_ZONE="America/New_York")
class FeedDatesTestCase(TestCase):
    """Items are dated when the society adopted the position or sent the response, not when
    the page was (re)published on this site."""

    @classmethod
    def setUpTestData(cls):
        index = make_position_index()
        cls.adopted = make_position(
            index,
            title="Potency assays",
            policy_status=PositionPage.Status.ADOPTED,
            adopted_on=datetime.date(2023, 9, 12),
        )
        cls.in_consultation = make_position(index, title="Draft on gene editing")
        responses = publish(
            HomePage.objects.get().add_child(
                instance=ResponseIndexPage(title="Responses", slug="responses")
            )
        )
        cls.sent = make_response(responses, submitted_on=datetime.date(2024, 3, 22))
        cls.unsent = make_response(
            responses, title="Comments not yet sent", slug="unsent", submitted_on=None
        )
        cls.new_york = datetime.timezone(datetime.timedelta(hours=-4))  # EDT on both days

    def rss_dates(self):
        channel = ET.fromstring(self.client.get("/feeds/rss/").content).find("channel")
        return {
            item.findtext("title"): parsedate_to_datetime(item.findtext("pubDate"))
            for item in channel.findall("item")
        }

    def test_rss_dates_positions_by_adoption_and_responses_by_submission(self):
        dates = self.rss_dates()

        self.assertEqual(
            dates["Potency assays"], datetime.datetime(2023, 9, 12, tzinfo=self.new_york)
        )
        self.assertEqual(
            dates["Response: Comments on FDA potency guidance"],
            datetime.datetime(2024, 3, 22, tzinfo=self.new_york),
        )

    def test_without_a_date_the_first_publication_is_used(self):
        dates = self.rss_dates()

        # RFC 822 dates carry whole seconds.
        self.assertEqual(
            dates["Draft on gene editing"],
            self.in_consultation.first_published_at.replace(microsecond=0),
        )
        self.assertEqual(
            dates["Response: Comments not yet sent"],
            self.unsent.first_published_at.replace(microsecond=0),
        )

    def test_atom_published_is_the_adoption_date(self):
        feed = ET.fromstring(self.client.get("/feeds/atom/").content)
        published = {
            entry.findtext(f"{ATOM}title"): datetime.datetime.fromisoformat(
                entry.findtext(f"{ATOM}published")
            )
            for entry in feed.findall(f"{ATOM}entry")
        }

        self.assertEqual(
            published["Potency assays"], datetime.datetime(2023, 9, 12, tzinfo=self.new_york)
        )

    def test_topic_feeds_use_the_same_dates(self):
        topic = make_topic("Manufacturing and CMC")
        self.adopted.topics = [topic]
        publish(self.adopted)

        channel = ET.fromstring(self.client.get(f"/feeds/topics/{topic.slug}/rss/").content).find(
            "channel"
        )
        [item] = channel.findall("item")
        self.assertEqual(
            parsedate_to_datetime(item.findtext("pubDate")),
            datetime.datetime(2023, 9, 12, tzinfo=self.new_york),
        )


class FaviconTestCase(TestCase):
    def test_favicon_ico_leads_to_the_icon(self):
        response = self.client.get("/favicon.ico", follow=True)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.redirect_chain[0][1], 301)
        body = b"".join(response.streaming_content)
        self.assertTrue(body.lstrip().startswith(b"<svg"), body[:40])

    def test_every_page_links_to_the_icon(self):
        response = self.client.get("/search/")

        page = BeautifulSoup(response.content, "html.parser")
        icon = page.select_one('link[rel="icon"]')
        self.assertEqual(icon["href"], "/static/favicon.svg")
        self.assertEqual(icon["type"], "image/svg+xml")
