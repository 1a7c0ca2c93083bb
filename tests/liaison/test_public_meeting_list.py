"""The public list of meetings at /meetings/: what is listed, in which order, and how."""

import time_machine
from django.test import TestCase

from liaison.models import Meeting
from tests.liaison.factories import make_regulator
from tests.liaison.public_pages import (
    LIST_URL,
    NOW,
    at,
    entry,
    item,
    listed,
    meeting,
    text,
    url,
)


@time_machine.travel(NOW, tick=False)
class MeetingListTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hc = make_regulator("Health Canada BRDD", "America/Toronto")
        cls.pmda = make_regulator("PMDA", "Asia/Tokyo")
        cls.summer = meeting(
            cls.hc,
            "Summer liaison",
            at(2026, 6, 9, 13),
            minutes=150,
            location="Ottawa, Holland Cross",
            join_url="https://video.example.com/j/summer-join-link",
            objectives="Agree the potency matrix.",
            status=Meeting.Status.CONFIRMED,
        )
        cls.winter = meeting(cls.hc, "Winter liaison", at(2026, 12, 8, 14), minutes=150)
        cls.tokyo = meeting(cls.pmda, "PMDA consultation", at(2026, 6, 10, 1))
        cls.tokyo_early = meeting(cls.pmda, "PMDA early call", at(2026, 6, 9, 23))
        cls.cancelled = meeting(
            cls.hc, "Cancelled workshop", at(2026, 7, 1, 14), status=Meeting.Status.CANCELLED
        )
        cls.held = meeting(
            cls.hc,
            "Spring liaison",
            at(2026, 3, 3, 14),
            status=Meeting.Status.HELD,
            public_summary="We agreed to share assay examples.",
        )
        cls.older = meeting(cls.hc, "Winter 2025 liaison", at(2025, 12, 2, 14))
        cls.members = meeting(cls.hc, "Members briefing", at(2026, 6, 2, 14), "members")
        cls.secret = meeting(cls.hc, "Enforcement call", at(2026, 6, 3, 14), "confidential")
        item(cls.summer, "Potency assays", presenter="Dr Priya Shah", duration_minutes=30)
        item(cls.summer, "Clinic enforcement case", confidential=True)

    def test_upcoming_meetings_are_listed_soonest_first(self):
        response = self.client.get(LIST_URL)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            listed(response, "upcoming"),
            [
                "Summer liaison",
                "PMDA early call",
                "PMDA consultation",
                "Cancelled workshop",
                "Winter liaison",
            ],
        )

    def test_past_meetings_are_listed_most_recent_first_with_their_summary(self):
        response = self.client.get(LIST_URL)

        self.assertEqual(listed(response, "past"), ["Spring liaison", "Winter 2025 liaison"])
        self.assertIn(
            "We agreed to share assay examples.", text(entry(response, "Spring liaison"))
        )

    def test_times_are_shown_in_the_meeting_zone_and_in_utc(self):
        response = self.client.get(LIST_URL)

        expected = {
            "Summer liaison": "Tue 9 June 2026, 09:00–11:30 EDT (America/Toronto) · "
            "13:00–15:30 UTC",
            "Winter liaison": "Tue 8 December 2026, 09:00–11:30 EST (America/Toronto) · "
            "14:00–16:30 UTC",
            "PMDA consultation": "Wed 10 June 2026, 10:00–12:00 JST (Asia/Tokyo) · "
            "01:00–03:00 UTC",
            # 08:00 in Tokyo is still the day before in UTC, so the UTC part names its days.
            "PMDA early call": "Wed 10 June 2026, 08:00–10:00 JST (Asia/Tokyo) · "
            "Tue 9 June 2026, 23:00 – Wed 10 June 2026, 01:00 UTC",
        }
        for title, when in expected.items():
            with self.subTest(title=title):
                self.assertEqual(text(entry(response, title).select_one(".when")), when)

    def test_the_time_element_carries_the_instant_in_utc(self):
        response = self.client.get(LIST_URL)

        time = entry(response, "PMDA early call").select_one(".when time")
        self.assertEqual(time["datetime"], "2026-06-09T23:00:00Z")

    def test_each_meeting_shows_its_regulators_kind_place_and_link(self):
        response = self.client.get(LIST_URL)

        summer = entry(response, "Summer liaison")
        self.assertEqual(summer.h3.a["href"], url(self.summer))
        self.assertIn("Liaison meeting", text(summer))
        self.assertIn("Health Canada BRDD", text(summer))
        self.assertIn("Ottawa, Holland Cross", text(summer))
        self.assertIn("Online", text(entry(response, "PMDA consultation")))

    def test_only_public_agenda_items_are_listed(self):
        response = self.client.get(LIST_URL)

        self.assertIn("Potency assays", text(entry(response, "Summer liaison")))
        self.assertNotContains(response, "Clinic enforcement case")

    def test_members_and_confidential_meetings_are_not_listed(self):
        response = self.client.get(LIST_URL)

        self.assertNotContains(response, "Members briefing")
        self.assertNotContains(response, "Enforcement call")

    def test_the_join_link_and_objectives_are_never_shown(self):
        for page in (LIST_URL, url(self.summer)):
            with self.subTest(page=page):
                response = self.client.get(page)
                self.assertNotContains(response, "summer-join-link")
                self.assertNotContains(response, "Agree the potency matrix")

    def test_a_cancelled_meeting_says_so(self):
        listing = self.client.get(LIST_URL)
        detail = self.client.get(url(self.cancelled))

        status = entry(listing, "Cancelled workshop").select_one(".status")
        self.assertEqual(text(status), "Cancelled")
        self.assertContains(detail, "This meeting has been cancelled.")

    def test_the_navigation_links_to_meetings(self):
        response = self.client.get("/")

        self.assertContains(response, '<a href="/meetings/">Meetings</a>', html=True)


@time_machine.travel(NOW, tick=False)
class EmptyListTestCase(TestCase):
    def test_it_says_when_there_are_no_meetings(self):
        response = self.client.get(LIST_URL)

        self.assertContains(response, "No public meetings are scheduled.")
        self.assertContains(response, "No public meetings have been held yet.")
