"""Public meeting pages, issue 14: planned meetings are marked tentative, superseded
positions are labelled, and /meetings/ can be filtered by regulator."""

import time_machine
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from advocacy.models import PositionPage
from liaison.models import Meeting
from tests.factories import make_position, make_position_index
from tests.liaison.factories import make_regulator
from tests.liaison.public_pages import (
    LIST_URL,
    NOW,
    at,
    entry,
    html,
    item,
    listed,
    meeting,
    text,
    url,
)


@time_machine.travel(NOW, tick=False)
class TentativeMeetingTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        hc = make_regulator("Health Canada BRDD", "America/Toronto")
        cls.planned = meeting(hc, "Autumn liaison", at(2026, 10, 6, 14))
        cls.confirmed = meeting(
            hc, "Summer liaison", at(2026, 6, 9, 13), status=Meeting.Status.CONFIRMED
        )
        cls.past_planned = meeting(hc, "Spring liaison", at(2026, 3, 3, 14))

    def test_a_planned_meeting_page_says_its_date_may_change(self):
        page = html(self.client.get(url(self.planned)))

        note = page.select_one("[role=note].tentative")
        self.assertIsNotNone(note)
        self.assertEqual(text(note)[:37], "Planned — date and time may change. I")

    def test_a_confirmed_meeting_page_does_not(self):
        for confirmed in (self.confirmed, self.past_planned):
            with self.subTest(meeting=confirmed.title):
                page = html(self.client.get(url(confirmed)))
                self.assertIsNone(page.select_one(".tentative"))
                self.assertNotIn("may change", text(page))

    def test_the_listing_marks_upcoming_planned_meetings_only(self):
        response = self.client.get(LIST_URL)

        self.assertEqual(
            text(entry(response, "Autumn liaison").select_one(".tentative")),
            "Planned — date and time may change.",
        )
        self.assertIsNone(entry(response, "Summer liaison").select_one(".tentative"))
        # A planned meeting in the past is not tentative any more.
        self.assertIsNone(entry(response, "Spring liaison").select_one(".tentative"))

    def test_the_home_page_marks_them_too(self):
        from advocacy.models import HomePage

        response = self.client.get(HomePage.objects.get().url)

        self.assertEqual(
            text(entry(response, "Autumn liaison").select_one(".tentative")),
            "Planned — date and time may change.",
        )


@time_machine.travel(NOW, tick=False)
class SupersededPositionTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        hc = make_regulator()
        index = make_position_index()
        cls.old = make_position(
            index,
            title="Accelerated approval for CAR-T cell products",
            policy_status=PositionPage.Status.SUPERSEDED,
        )
        cls.new = make_position(
            index,
            title="Accelerated approval for CAR-T cell products (2024 update)",
            policy_status=PositionPage.Status.ADOPTED,
            adopted_on=NOW.date(),
            supersedes=cls.old,
        )
        cls.withdrawn = make_position(
            index, title="Hospital exemption", policy_status=PositionPage.Status.WITHDRAWN
        )
        cls.summer = meeting(hc, "Summer liaison", at(2026, 6, 9, 13))
        item(cls.summer, "Accelerated approval", positions=[cls.old, cls.new, cls.withdrawn])

    def cited(self):
        page = html(self.client.get(url(self.summer)))
        return {text(li.a): li for li in page.select(".agenda__item .cited-positions li")}

    def test_a_superseded_position_names_its_successor(self):
        old = self.cited()["Accelerated approval for CAR-T cell products"]

        self.assertEqual(
            text(old),
            "Accelerated approval for CAR-T cell products Superseded by "
            "Accelerated approval for CAR-T cell products (2024 update)",
        )
        self.assertEqual([a["href"] for a in old.select("a")], [self.old.url, self.new.url])

    def test_current_and_withdrawn_positions(self):
        cited = self.cited()

        self.assertEqual(
            text(cited["Accelerated approval for CAR-T cell products (2024 update)"]),
            "Accelerated approval for CAR-T cell products (2024 update)",
        )
        self.assertEqual(text(cited["Hospital exemption"]), "Hospital exemption Withdrawn")

    def test_a_successor_not_yet_published_is_not_named(self):
        self.new.unpublish()

        old = self.cited()["Accelerated approval for CAR-T cell products"]
        self.assertEqual(text(old), "Accelerated approval for CAR-T cell products Superseded")

    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_the_query_count_does_not_grow_with_superseded_positions(self):
        def count():
            self.client.get(url(self.summer))
            with CaptureQueriesContext(connection) as queries:
                self.client.get(url(self.summer))
            return len(queries)

        before = count()
        index = self.old.get_parent()
        for n in range(5):
            older = make_position(
                index, title=f"Old {n}", policy_status=PositionPage.Status.SUPERSEDED
            )
            make_position(index, title=f"New {n}", supersedes=older)
            item(self.summer, f"Item {n}", positions=[older])

        self.assertEqual(count(), before)


@time_machine.travel(NOW, tick=False)
class RegulatorFilterTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.fda = make_regulator("FDA CBER OTP", "America/New_York", listed=True)
        cls.pmda = make_regulator("PMDA", "Asia/Tokyo", listed=True)
        cls.hidden = make_regulator("MHRA", "Europe/London")
        meeting(cls.fda, "FDA summer liaison", at(2026, 6, 9, 13))
        meeting(cls.fda, "FDA spring liaison", at(2026, 3, 3, 14))
        meeting(cls.pmda, "PMDA consultation", at(2026, 6, 10, 1))
        both = meeting(cls.pmda, "Joint workshop", at(2026, 7, 1, 9))
        both.regulators.add(cls.fda)
        both.save()  # a ParentalManyToManyField is written on save
        # A regulator met only in confidence is not offered, nor found.
        meeting(cls.hidden, "MHRA enforcement call", at(2026, 6, 3, 14), "confidential")

    def test_the_form_offers_the_regulators_of_public_meetings(self):
        page = html(self.client.get(LIST_URL))

        select = page.select_one("form select[name=regulator]")
        self.assertEqual(select.find_parent("form")["method"], "get")
        options = [(o["value"], text(o)) for o in select.select("option")]
        self.assertEqual(
            options, [("", "All regulators"), ("fda-cber-otp", "FDA CBER OTP"), ("pmda", "PMDA")]
        )

    def test_it_lists_the_meetings_with_that_regulator(self):
        response = self.client.get(LIST_URL, {"regulator": "fda-cber-otp"})

        self.assertEqual(response.status_code, 200)
        self.assertEqual(listed(response, "upcoming"), ["FDA summer liaison", "Joint workshop"])
        self.assertEqual(listed(response, "past"), ["FDA spring liaison"])
        page = html(response)
        selected = page.select_one("select[name=regulator] option[selected]")
        self.assertEqual(selected["value"], "fda-cber-otp")
        self.assertEqual(
            page.select_one('link[rel="canonical"]')["href"],
            "http://testserver/meetings/?regulator=fda-cber-otp",
        )

        response = self.client.get(LIST_URL, {"regulator": "pmda"})
        self.assertEqual(listed(response, "upcoming"), ["PMDA consultation", "Joint workshop"])
        self.assertEqual(listed(response, "past"), [])

    def test_the_acronym_or_its_first_word_find_it_too(self):
        for value in ("fda", "FDA", "FDA CBER OTP", " fda-cber-otp "):
            with self.subTest(value=value):
                response = self.client.get(LIST_URL, {"regulator": value})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(
                    listed(response, "upcoming"), ["FDA summer liaison", "Joint workshop"]
                )
                selected = html(response).select_one("select[name=regulator] option[selected]")
                self.assertEqual(selected["value"], "fda-cber-otp")

    def test_an_unknown_regulator_says_so(self):
        for value in ("nope", "mhra", str(self.hidden.pk), "x" * 500, "<b>", "%00"):
            with self.subTest(value=value[:10]):
                response = self.client.get(LIST_URL, {"regulator": value})
                self.assertEqual(response.status_code, 404)
                alert = html(response).select_one("[role=alert]")
                self.assertTrue(text(alert).startswith("No such regulator"), text(alert))
                self.assertEqual(listed(response, "upcoming"), [])
                self.assertEqual(listed(response, "past"), [])
                self.assertNotContains(response, "<b>", status_code=404)

    def test_pagination_keeps_the_filter(self):
        for day in range(1, 23):
            meeting(self.fda, f"Old FDA call {day:02}", at(2026, 1, day, 14))
            meeting(self.pmda, f"Old PMDA call {day:02}", at(2025, 1, day, 14))

        first = self.client.get(LIST_URL, {"regulator": "fda-cber-otp"})
        next_link = html(first).select_one(".pagination a[rel=next]")
        self.assertEqual(next_link["href"], "?regulator=fda-cber-otp&page=2")

        second = self.client.get(LIST_URL + next_link["href"])
        self.assertEqual(
            listed(second, "past"), ["Old FDA call 03", "Old FDA call 02", "Old FDA call 01"]
        )

    # Counted without the public page cache (cms.pagecache), which would answer the
    # second request from memory.
    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_the_query_count_does_not_grow_with_the_number_of_meetings(self):
        def count():
            self.client.get(LIST_URL, {"regulator": "fda-cber-otp"})
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(LIST_URL, {"regulator": "fda-cber-otp"})
            self.assertEqual(response.status_code, 200)
            return len(queries)

        before = count()
        for day in range(1, 11):
            m = meeting(self.fda, f"More {day}", at(2026, 8, day, 14))
            m.regulators.add(self.pmda)
            m.save()
            item(m, "Potency assays")
            make_regulator(f"Agency {day}")  # more regulators in the directory

        self.assertEqual(count(), before)
