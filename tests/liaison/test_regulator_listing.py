"""Regulators the directory lists publicly have a feed and a public page from day one, even
with no meeting yet; one not listed is a 404 whatever its meetings (issue 15, part;
liaison.visibility.regulators_for)."""

import importlib

import icalendar
import time_machine
from django.apps import apps
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from liaison import visibility
from liaison.demo import REGULATORS, seed_directory
from liaison.models import Meeting, Regulator
from liaison.visibility import Audience
from tests.liaison.factories import make_regulator
from tests.liaison.public_pages import LIST_URL, NOW, at, html, item, meeting, text

CALENDAR_URL = "/calendar/"
SUBSCRIBE_URL = "/calendar/subscribe/"
REGULATORS_URL = "/regulators/"


def feed_url(key):
    return f"/calendar/regulators/{key}.ics"


def page_url(key):
    return f"/regulators/{key}/"


def events(response):
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


@time_machine.travel(NOW, tick=False)
class RegulatorListingTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Listed, with public meetings before and after NOW (2026-05-01).
        cls.fda = make_regulator("FDA CBER OTP", "America/New_York", listed=True)
        cls.fda.name = "Office of Therapeutic Products"
        cls.fda.website = "https://www.fda.gov/otp"
        cls.fda.save()
        # Listed, no meeting at all yet.
        cls.mhra = make_regulator("MHRA", "Europe/London", listed=True)
        # Not listed, although it has a public meeting.
        cls.hidden = make_regulator("EMA CAT", "Europe/Amsterdam")
        cls.soon = meeting(cls.fda, "FDA summer liaison", at(2026, 6, 9, 13))
        item(cls.soon, "Potency assays")
        item(cls.soon, "Secret enforcement canary", confidential=True)
        cls.later = meeting(cls.fda, "FDA autumn liaison", at(2026, 9, 9, 13))
        cls.called_off = meeting(
            cls.fda, "FDA called-off liaison", at(2026, 7, 1, 13), status="cancelled"
        )
        cls.spring = meeting(cls.fda, "FDA spring liaison", at(2026, 3, 3, 14))
        cls.winter = meeting(cls.fda, "FDA winter liaison", at(2026, 1, 13, 14))
        cls.members = meeting(cls.fda, "Members canary call", at(2026, 6, 2, 14), "members")
        cls.secret = meeting(
            cls.fda, "Confidential canary call", at(2026, 2, 3, 14), "confidential"
        )
        cls.hidden_public = meeting(cls.hidden, "EMA public hearing", at(2026, 6, 20, 9))

    def page(self, key):
        response = self.client.get(page_url(key))
        self.assertEqual(response.status_code, 200)
        return response

    def section_titles(self, response, section):
        found = html(response).select_one(f"section[aria-labelledby={section}-heading]")
        return [text(li.h3) for li in found.select("li.meeting")] if found else []


class RegulatorsForTests(RegulatorListingTestCase):
    def test_the_public_sees_listed_regulators_staff_all(self):
        self.assertEqual(set(visibility.regulators_for(Audience.PUBLIC)), {self.fda, self.mhra})
        for audience in (Audience.MEMBERS, Audience.INVITEE, Audience.DELEGATION):
            with self.subTest(audience=audience):
                self.assertEqual(
                    set(visibility.regulators_for(audience)), {self.fda, self.mhra, self.hidden}
                )
        only = Regulator.objects.filter(pk__in=[self.mhra.pk, self.hidden.pk])
        self.assertEqual(list(visibility.regulators_for(Audience.PUBLIC, only)), [self.mhra])


class FeedTests(RegulatorListingTestCase):
    def test_a_listed_regulator_without_meetings_has_an_empty_feed(self):
        response = self.client.get(feed_url("mhra"))

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/calendar"))
        calendar = icalendar.Calendar.from_ical(response.content)
        self.assertEqual(calendar.walk("VEVENT"), [])
        self.assertIn("MHRA", str(calendar["X-WR-CALNAME"]))
        self.assertIn("MHRA", str(calendar["NAME"]))
        # By id too.
        by_id = self.client.get(feed_url(self.mhra.pk))
        self.assertEqual(by_id.status_code, 200)
        self.assertEqual(events(by_id), [])

    def test_a_listed_regulator_feed_carries_its_public_meetings_only(self):
        response = self.client.get(feed_url("fda-cber-otp"))

        self.assertEqual(response.status_code, 200)
        summaries = {str(e["SUMMARY"]) for e in events(response)}
        self.assertIn("FDA summer liaison", summaries)
        self.assertIn("FDA spring liaison", summaries)
        self.assertNotIn("Members canary call", summaries)
        self.assertNotIn("Confidential canary call", summaries)
        self.assertNotIn(b"Secret enforcement canary", response.content)

    def test_an_unlisted_regulator_has_no_feed_even_with_public_meetings(self):
        unknown = self.client.get(feed_url("999999"))
        for key in ("ema-cat", str(self.hidden.pk)):
            with self.subTest(key=key):
                response = self.client.get(feed_url(key))
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response.content, unknown.content)

    def test_unknown_and_huge_keys_are_404(self):
        for key in ("nobody", "999999", "99999999999999999999", "%D9%A3"):
            with self.subTest(key=key):
                self.assertEqual(self.client.get(feed_url(key)).status_code, 404)

    def test_the_calendar_index_lists_the_listed_regulators_feeds(self):
        page = html(self.client.get(CALENDAR_URL))

        section = page.select_one("section[aria-labelledby=regulator-heading]")
        hrefs = [a["href"] for a in section.select("a")]
        self.assertIn("http://testserver/calendar/regulators/mhra.ics", hrefs)
        self.assertIn("webcal://testserver/calendar/regulators/mhra.ics", hrefs)
        self.assertIn("http://testserver/calendar/regulators/fda-cber-otp.ics", hrefs)
        self.assertIn("/regulators/mhra/", hrefs)
        self.assertIn("/regulators/fda-cber-otp/", hrefs)
        self.assertNotIn("EMA CAT", text(page))
        self.assertFalse([h for h in hrefs if "ema-cat" in h or f"/{self.hidden.pk}" in h])


class PageTests(RegulatorListingTestCase):
    def test_it_shows_the_regulator_and_how_to_follow_it(self):
        page = html(self.page("fda-cber-otp"))

        self.assertEqual(text(page.h1), "Office of Therapeutic Products (FDA CBER OTP)")
        self.assertIn("Canada", text(page.select_one(".page-header")))  # its jurisdiction
        website = page.select_one('a[href="https://www.fda.gov/otp"]')
        self.assertIn("noopener", website["rel"])
        self.assertIn("external", website["rel"])
        follow = page.select_one("section[aria-labelledby=follow-heading]")
        hrefs = [a["href"] for a in follow.select("a")]
        self.assertIn("webcal://testserver/calendar/regulators/fda-cber-otp.ics", hrefs)
        self.assertIn("http://testserver/calendar/regulators/fda-cber-otp.ics", hrefs)
        self.assertIn(SUBSCRIBE_URL, hrefs)
        self.assertEqual(
            page.select_one('link[rel="canonical"]')["href"],
            "http://testserver/regulators/fda-cber-otp/",
        )

    def test_it_lists_public_meetings_upcoming_then_past(self):
        response = self.page("fda-cber-otp")

        self.assertEqual(
            self.section_titles(response, "upcoming"),
            ["FDA summer liaison", "FDA autumn liaison"],  # soonest first, none cancelled
        )
        self.assertEqual(
            self.section_titles(response, "past"),
            ["FDA spring liaison", "FDA winter liaison"],  # newest first
        )
        page = html(response)
        links = {a["href"] for a in page.select("li.meeting h3 a")}
        self.assertIn(f"/meetings/{self.soon.uuid}/", links)
        self.assertIn("Potency assays", text(page))
        for canary in ("Members canary call", "Confidential canary call", "Secret enforcement"):
            self.assertNotContains(response, canary)
        self.assertNotContains(response, "EMA public hearing")

    def test_a_regulator_without_meetings_says_so(self):
        response = self.page("mhra")

        self.assertContains(response, "No public meetings planned yet")
        self.assertEqual(self.section_titles(response, "upcoming"), [])
        self.assertIsNone(html(response).select_one("section[aria-labelledby=past-heading]"))
        self.assertContains(response, "webcal://testserver/calendar/regulators/mhra.ics")

    def test_by_id_it_is_the_same_regulator(self):
        response = self.page(str(self.fda.pk))
        self.assertEqual(text(html(response).h1), "Office of Therapeutic Products (FDA CBER OTP)")

    def test_at_most_twenty_past_meetings_and_a_link_to_all(self):
        for day in range(1, 23):
            meeting(self.fda, f"Old FDA call {day:02}", at(2025, 1, day, 14))

        response = self.page("fda-cber-otp")

        past = self.section_titles(response, "past")
        self.assertEqual(len(past), 20)
        self.assertEqual(past[:2], ["FDA spring liaison", "FDA winter liaison"])
        section = html(response).select_one("section[aria-labelledby=past-heading]")
        self.assertIn(
            f"{LIST_URL}?regulator=fda-cber-otp", [a["href"] for a in section.select("a")]
        )

    def test_an_unlisted_regulator_has_no_page(self):
        for key in ("ema-cat", str(self.hidden.pk)):
            with self.subTest(key=key):
                self.assertEqual(self.client.get(page_url(key)).status_code, 404)

    def test_unknown_and_huge_keys_are_404(self):
        for key in ("nobody", "999999", "99999999999999999999", "%D9%A3", "-1"):
            with self.subTest(key=key):
                self.assertEqual(self.client.get(page_url(key)).status_code, 404)

    def test_regulators_whose_acronyms_give_one_slug_are_named_by_id(self):
        twin = make_regulator("FDA  CBER OTP", "America/Chicago", listed=True)

        self.assertEqual(self.page(str(twin.pk)).context["regulator"], twin)
        self.assertContains(self.page(str(twin.pk)), f"/calendar/regulators/{twin.pk}.ics")
        index = html(self.client.get(REGULATORS_URL))
        hrefs = {a["href"] for a in index.select("main a")}
        self.assertIn(f"/regulators/{twin.pk}/", hrefs)
        self.assertIn(f"/regulators/{self.fda.pk}/", hrefs)

    # Counted without the public page cache (cms.pagecache), which would answer the
    # second request from memory.
    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_the_query_count_does_not_grow_with_meetings(self):
        def count():
            self.page("fda-cber-otp")
            with CaptureQueriesContext(connection) as queries:
                self.page("fda-cber-otp")
            return len(queries)

        Meeting.objects.filter(regulators=self.fda).exclude(pk__in=[self.soon.pk]).exclude(
            pk=self.spring.pk
        ).delete()
        self.assertEqual(len(self.section_titles(self.page("fda-cber-otp"), "upcoming")), 1)
        with_two = count()
        for day in range(1, 15):
            m = meeting(self.fda, f"Coming {day}", at(2026, 8, day, 14))
            m.regulators.add(self.mhra)
            m.save()
            item(m, "Vector shedding")
            meeting(self.fda, f"Held {day}", at(2025, 8, day, 14))
        self.assertEqual(Meeting.objects.filter(regulators=self.fda).count(), 30)

        self.assertEqual(count(), with_two)


class IndexTests(RegulatorListingTestCase):
    def test_it_lists_the_listed_regulators_with_their_upcoming_meetings(self):
        page = html(self.client.get(REGULATORS_URL))

        entries = page.select("main li.listing__item")
        self.assertEqual([text(li.h2) for li in entries], ["FDA CBER OTP", "MHRA"])
        fda, mhra = entries
        self.assertEqual(fda.h2.a["href"], "/regulators/fda-cber-otp/")
        self.assertIn("2 upcoming public meetings", text(fda))  # not cancelled, not members
        self.assertIn("Canada", text(fda))
        self.assertIn("no public meetings planned yet", text(mhra))
        self.assertNotIn("EMA CAT", text(page))

    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_the_query_count_does_not_grow_with_regulators(self):
        def count():
            self.client.get(REGULATORS_URL)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(REGULATORS_URL)
            self.assertEqual(response.status_code, 200)
            return len(queries)

        before = count()
        for n in range(8):
            regulator = make_regulator(f"Agency {n}", listed=True)
            meeting(regulator, f"Agency {n} hearing", at(2026, 8, n + 1, 14))
        self.assertEqual(count(), before)


class MeetingListTests(RegulatorListingTestCase):
    def test_the_filter_offers_the_listed_regulators_even_without_meetings(self):
        page = html(self.client.get(LIST_URL))

        options = [o["value"] for o in page.select("select[name=regulator] option")]
        self.assertEqual(options, ["", "fda-cber-otp", "mhra"])

    def test_a_filtered_list_links_to_the_regulator_page(self):
        page = html(self.client.get(LIST_URL, {"regulator": "mhra"}))

        link = page.select_one('a[href="/regulators/mhra/"]')
        self.assertEqual(text(link), "About MHRA and its calendar")

    def test_an_unlisted_regulator_is_not_a_filter(self):
        response = self.client.get(LIST_URL, {"regulator": "ema-cat"})
        self.assertEqual(response.status_code, 404)


class SubscribeFormTests(RegulatorListingTestCase):
    def test_the_form_offers_only_listed_regulators(self):
        page = html(self.client.get(SUBSCRIBE_URL))

        fieldset = page.select_one("fieldset[data-scope-regulators]")
        self.assertEqual(
            {i["value"] for i in fieldset.select("input[type=checkbox]")},
            {str(self.fda.pk), str(self.mhra.pk)},
        )


class PageCacheTests(RegulatorListingTestCase):
    @override_settings(PAGE_CACHE_SECONDS=300)
    def test_unlisting_a_regulator_takes_its_page_and_feed_down_at_once(self):
        for path in (page_url("mhra"), feed_url("mhra")):
            self.client.get(path)
            cached = self.client.get(path)
            self.assertEqual(cached.status_code, 200)
            self.assertEqual(cached["X-Page-Cache"], "hit")

        self.mhra.listed_publicly = False
        self.mhra.save()

        self.assertEqual(self.client.get(page_url("mhra")).status_code, 404)
        self.assertEqual(self.client.get(feed_url("mhra")).status_code, 404)

    @override_settings(PAGE_CACHE_SECONDS=300)
    def test_listing_a_regulator_shows_it_at_once(self):
        self.client.get(REGULATORS_URL)
        self.assertEqual(self.client.get(REGULATORS_URL)["X-Page-Cache"], "hit")

        self.hidden.listed_publicly = True
        self.hidden.save()

        self.assertContains(self.client.get(REGULATORS_URL), "EMA CAT")
        self.assertEqual(self.client.get(page_url("ema-cat")).status_code, 200)


class MigrationTests(TestCase):
    def test_regulators_with_a_public_meeting_are_listed(self):
        migration = importlib.import_module(
            "liaison.migrations.0020_regulator_listing_meeting_days_description"
        )
        public = make_regulator("FDA CBER OTP", "America/New_York")
        members = make_regulator("PMDA", "Asia/Tokyo")
        idle = make_regulator("MHRA", "Europe/London")
        meeting(public, "Open hearing", at(2026, 6, 9, 13))
        meeting(public, "Members call", at(2026, 6, 10, 13), "members")
        meeting(members, "Members call", at(2026, 6, 11, 1), "members")
        meeting(members, "Secret call", at(2026, 6, 12, 1), "confidential")

        migration.list_regulators_with_public_meetings(apps, None)

        listed = set(Regulator.objects.filter(listed_publicly=True))
        self.assertEqual(listed, {public})
        self.assertNotIn(idle, listed)


class DemoTests(TestCase):
    def test_the_demo_lists_its_regulators_also_in_an_existing_database(self):
        seed_directory()
        self.assertEqual(
            set(Regulator.objects.filter(listed_publicly=True).values_list("acronym", flat=True)),
            {acronym for _, acronym, *_ in REGULATORS},
        )
        self.assertIn("MHRA", {acronym for _, acronym, *_ in REGULATORS})

        # A database seeded before the flag: the next run lists them, and adds nothing.
        Regulator.objects.update(listed_publicly=False)
        count = Regulator.objects.count()
        seed_directory()

        self.assertEqual(Regulator.objects.count(), count)
        self.assertFalse(Regulator.objects.filter(listed_publicly=False).exists())
