"""The admin's meeting listing shows each meeting's local time and zone."""

import datetime

from django.test import TestCase

from tests.factories import make_user
from tests.liaison.admin_pages import SNIPPETS
from tests.liaison.factories import make_meeting, make_regulator

UTC = datetime.UTC


class MeetingListingTestCase(TestCase):
    def test_the_listing_shows_local_time_with_its_zone(self):
        regulator = make_regulator("PMDA", "Asia/Tokyo")
        make_meeting(
            regulator,
            title="PMDA consultation",
            starts_at=datetime.datetime(2026, 1, 15, 1, tzinfo=UTC),
        )
        self.client.force_login(make_user("Secretariat"))

        response = self.client.get(f"{SNIPPETS}meeting/")

        self.assertContains(response, "Thu 15 Jan 2026, 10:00–12:00 JST")
        self.assertContains(response, "PMDA")
