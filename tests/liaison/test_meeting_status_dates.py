"""A meeting's status agrees with its date: it is marked held only once it has started, and
lists of upcoming meetings go by the date, not the status."""

import datetime

import time_machine
from django.test import TestCase

from liaison.models import Meeting
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import ADD_URL, LIST_URL, make_meeting, make_regulator, meeting_form
from tests.liaison.public_pages import NOW, html, item, listed, meeting, text

HOUR = datetime.timedelta(hours=1)
CONFIRMED = Meeting.Status.CONFIRMED


@time_machine.travel(NOW, tick=False)  # 1 May 2026, 12:00 UTC: 08:00 in Toronto
class HeldOnceStartedTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")

    def setUp(self):
        self.client.force_login(self.secretariat)

    def test_a_meeting_that_has_not_started_cannot_be_marked_held(self):
        response = self.client.post(ADD_URL, meeting_form(self.regulator, status="held"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["status"],
            ["A meeting can be marked held once it has started (10 Jun 2026, 09:00 EDT)."],
        )
        self.assertFalse(Meeting.objects.exists())

    def test_a_meeting_is_marked_held_from_the_minute_it_starts(self):
        for start, allowed in [("08:01", False), ("08:00", True), ("07:00", True)]:
            with self.subTest(start=start):
                form = meeting_form(
                    self.regulator,
                    status="held",
                    local_start=f"2026-05-01 {start}",
                    local_end="2026-05-01 10:00",
                )

                response = self.client.post(ADD_URL, form)

                self.assertEqual(response.status_code, 302 if allowed else 200)
                Meeting.objects.all().delete()

    def test_moving_a_held_meeting_into_the_future_is_refused(self):
        held = make_meeting(self.regulator, starts_at=NOW - 24 * HOUR, status="held")

        response = self.client.post(
            f"{LIST_URL}edit/{held.pk}/",
            meeting_form(
                self.regulator,
                status="held",
                local_start="2026-05-02 09:00",
                local_end="2026-05-02 10:00",
            ),
        )

        self.assertEqual(response.status_code, 200)
        self.assertIn("(2 May 2026, 09:00 EDT)", str(response.context["form"].errors["status"]))
        held.refresh_from_db()
        self.assertEqual(held.starts_at, NOW - 24 * HOUR)


@time_machine.travel(NOW, tick=False)
class UpcomingGoesByDateTestCase(TestCase):
    """A three-day summit began yesterday and is still "Confirmed"; a call starts in an hour."""

    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.delegate = make_user("Liaison delegates")
        cls.summit = meeting(
            cls.regulator,
            "Cell therapy summit",
            NOW - 24 * HOUR,
            minutes=3 * 24 * 60,
            status=CONFIRMED,
        )
        cls.call = meeting(cls.regulator, "Potency call", NOW + HOUR, status=CONFIRMED)
        for m in (cls.summit, cls.call):
            m.delegation.set([cls.delegate])
            m.save()

    def test_the_dashboard_lists_only_meetings_still_to_start(self):
        self.client.force_login(self.delegate)

        page = html(self.client.get("/admin/"))

        panel = text(page.select_one("#my-upcoming-meetings-section"))
        self.assertIn("Potency call", panel)
        self.assertNotIn("Cell therapy summit", panel)

    def test_the_public_list_shows_a_started_meeting_with_the_past_ones(self):
        response = self.client.get("/meetings/")

        self.assertEqual(listed(response, "upcoming"), ["Potency call"])
        self.assertEqual(listed(response, "past"), ["Cell therapy summit"])

    def test_the_home_page_lists_only_meetings_still_to_start(self):
        response = self.client.get("/")

        self.assertEqual(listed(response, "meetings"), ["Potency call"])

    def test_a_position_page_calls_only_meetings_still_to_start_upcoming(self):
        position = make_position(make_position_index(), title="Potency assurance")
        item(self.summit, "Potency at the summit", positions=[position])
        item(self.call, "Potency on the call", positions=[position])

        section = html(self.client.get(position.url)).select_one(
            "section[aria-labelledby=meetings-heading]"
        )

        entries = {text(li.a): text(li) for li in section.select("li")}
        self.assertIn("(upcoming)", entries["Potency call"])
        self.assertNotIn("(upcoming)", entries["Cell therapy summit"])
