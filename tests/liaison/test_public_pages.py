import datetime

import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from liaison.models import AgendaItem, Meeting
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.test_meeting_admin import make_meeting, make_regulator

UTC = datetime.UTC
NOW = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)
LIST_URL = "/meetings/"


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def meeting(regulator, title, start, visibility="public", *, minutes=120, **kw):
    meeting = make_meeting(regulator, title=title, starts_at=start, visibility=visibility, **kw)
    meeting.ends_at = start + datetime.timedelta(minutes=minutes)
    meeting.save()
    return meeting


def item(meeting, title, confidential=False, positions=(), **kw):
    agenda_item = AgendaItem.objects.create(
        meeting=meeting, title=title, confidential=confidential, **kw
    )
    agenda_item.cited_positions.set(positions)
    agenda_item.save()  # a ParentalManyToManyField is written on save
    return agenda_item


def url(meeting):
    return f"/meetings/{meeting.uuid}/"


def html(response):
    return BeautifulSoup(response.content, "html.parser")


def text(element):
    return " ".join(element.get_text(" ", strip=True).split())


def listed(response, section):
    """Titles of the meetings listed under a heading of /meetings/, in order."""
    found = html(response).select_one(f"section[aria-labelledby={section}-heading]")
    return [text(li.h3) for li in found.select("li.meeting")] if found else []


def entry(response, title):
    """The <li> of the meeting called `title` in a listing."""
    for li in html(response).select("li.meeting"):
        if text(li.h3) == title:
            return li
    raise AssertionError(f"{title!r} is not listed")


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


@time_machine.travel(NOW, tick=False)
class PaginationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        regulator = make_regulator()
        for day in range(1, 26):
            meeting(regulator, f"Past meeting {day:02}", at(2026, 1, day, 14))
        meeting(regulator, "Next liaison", at(2026, 6, 9, 13))

    def test_past_meetings_come_twenty_a_page(self):
        first = self.client.get(LIST_URL)
        second = self.client.get(LIST_URL, {"page": 2})

        self.assertEqual(len(listed(first, "past")), 20)
        self.assertEqual(listed(first, "past")[0], "Past meeting 25")
        self.assertEqual(
            listed(second, "past"), [f"Past meeting {day:02}" for day in range(5, 0, -1)]
        )
        self.assertEqual(listed(first, "upcoming"), ["Next liaison"])
        # Later pages go further back only.
        self.assertEqual(listed(second, "upcoming"), [])
        self.assertContains(first, 'rel="next" href="?page=2"')

    def test_many_upcoming_meetings_page_on_their_own(self):
        regulator = make_regulator("EMA CAT", "Europe/Amsterdam")
        for day in range(1, 24):
            meeting(regulator, f"Future meeting {day:02}", at(2026, 8, day, 9))

        first = self.client.get(LIST_URL)
        later = self.client.get(LIST_URL, {"upcoming": 2})

        self.assertEqual(len(listed(first, "upcoming")), 20)
        self.assertEqual(listed(first, "upcoming")[0], "Next liaison")
        self.assertEqual(
            listed(later, "upcoming"), [f"Future meeting {day:02}" for day in (20, 21, 22, 23)]
        )
        self.assertContains(first, 'rel="next" href="?upcoming=2"')
        self.assertEqual(len(listed(later, "past")), 20)

    def test_a_hostile_page_number_gives_a_page_not_an_error(self):
        for value in ("abc", "99999", "%00", "\x00", "-1", "0", "1e9", "2" * 400, "1'--"):
            with self.subTest(page=value[:10]):
                for name in ("page", "upcoming"):
                    response = self.client.get(LIST_URL, {name: value})
                    self.assertIn(response.status_code, (200, 404))

    def test_the_query_count_does_not_grow_with_the_number_of_meetings(self):
        def count():
            self.client.get(LIST_URL)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(LIST_URL)
            self.assertEqual(response.status_code, 200)
            return len(queries)

        Meeting.objects.all().delete()
        regulators = [make_regulator("FDA CBER OTP"), make_regulator("EMA CAT")]

        def add(n, first_day):
            for day in range(first_day, first_day + n):
                for start in (at(2026, 1, day, 14), at(2026, 7, day, 14)):
                    m = meeting(regulators[0], f"Meeting {day} {start:%m}", start)
                    m.regulators.set(regulators)
                    item(m, "Potency assays")
                    item(m, "Secret item", confidential=True)

        add(2, 1)
        with_few = count()
        add(13, 3)

        self.assertEqual(count(), with_few)


@time_machine.travel(NOW, tick=False)
class EmptyListTestCase(TestCase):
    def test_it_says_when_there_are_no_meetings(self):
        response = self.client.get(LIST_URL)

        self.assertContains(response, "No public meetings are scheduled.")
        self.assertContains(response, "No public meetings have been held yet.")


@time_machine.travel(NOW, tick=False)
class PositionMeetingsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hc = make_regulator()
        index = make_position_index()
        cls.position = make_position(index, title="Potency assurance")
        cls.held = meeting(cls.hc, "Spring liaison", at(2026, 3, 3, 14))
        cls.later = meeting(cls.hc, "Summer liaison", at(2026, 6, 9, 13))
        item(cls.held, "Potency assays", positions=[cls.position])
        item(cls.held, "Potency again", positions=[cls.position])
        item(cls.later, "Potency follow-up", positions=[cls.position])
        cls.quiet = meeting(cls.hc, "Autumn liaison", at(2026, 9, 9, 13))
        item(cls.quiet, "Agenda item that says nothing", positions=[])
        item(cls.quiet, "Enforcement", confidential=True, positions=[cls.position])
        members = meeting(cls.hc, "Members briefing", at(2026, 6, 2, 14), "members")
        item(members, "Potency for members", positions=[cls.position])
        cancelled = meeting(
            cls.hc, "Cancelled workshop", at(2026, 7, 1, 14), status=Meeting.Status.CANCELLED
        )
        item(cancelled, "Potency workshop", positions=[cls.position])

    def meeting_links(self):
        response = self.client.get(self.position.url)
        self.assertEqual(response.status_code, 200)
        section = html(response).select_one("section[aria-labelledby=meetings-heading]")
        return [a["href"] for a in section.select("a")] if section else []

    def test_it_lists_public_meetings_that_raised_the_position_newest_first(self):
        self.assertEqual(self.meeting_links(), [url(self.later), url(self.held)])

    def test_a_confidential_item_does_not_reveal_its_meeting(self):
        self.assertNotIn(url(self.quiet), self.meeting_links())

    def test_a_position_never_raised_has_no_meetings_section(self):
        AgendaItem.objects.all().delete()

        self.assertEqual(self.meeting_links(), [])
        self.assertNotContains(self.client.get(self.position.url), "Raised at meetings")


@time_machine.travel(NOW, tick=False)
class HomePageMeetingsTestCase(TestCase):
    def test_it_shows_the_next_three_public_meetings_going_ahead(self):
        regulator = make_regulator()
        meeting(regulator, "Held before", at(2026, 4, 1, 14))
        for month in (6, 7, 8, 9):
            meeting(regulator, f"Liaison {month}", at(2026, month, 2, 14))
        meeting(regulator, "Cancelled", at(2026, 5, 20, 14), status=Meeting.Status.CANCELLED)
        meeting(regulator, "Members only", at(2026, 5, 21, 14), "members")

        response = self.client.get("/")

        self.assertEqual(listed(response, "meetings"), ["Liaison 6", "Liaison 7", "Liaison 8"])
        self.assertContains(response, '<a href="/meetings/">All meetings, past and upcoming</a>')

    def test_without_meetings_it_says_none_are_scheduled(self):
        response = self.client.get("/")

        self.assertContains(response, "No public meetings are scheduled.")
