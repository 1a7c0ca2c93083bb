"""A regulator's or an organisation's page shows each meeting at its local time: on the
clocks of the meeting's own zone, with the zone's abbreviation, whatever the reader's zone."""

import datetime

from django.test import TestCase
from wagtail.users.models import UserProfile

from liaison.models import Contact, Organisation
from tests.factories import make_user
from tests.liaison.admin_pages import SNIPPETS
from tests.liaison.factories import make_meeting, make_regulator
from tests.liaison.public_pages import html, text

UTC = datetime.UTC


class DirectoryLocalTimeTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pmda = make_regulator("PMDA", "Asia/Tokyo")
        cls.hc = make_regulator("Health Canada BRDD", "America/Toronto")
        cls.sfda = make_regulator("SFDA", "Asia/Riyadh")  # a zone tzdata calls "+03"
        org = Organisation.objects.create(name="Alliance for Regenerative Patients")
        cls.org = org
        contact = Contact.objects.create(name="Sam Patel", organisation=org)
        # 10:00 in Tokyo is 01:00 UTC, 02:00 in London.
        tokyo = make_meeting(
            cls.pmda,
            title="PMDA consultation",
            starts_at=datetime.datetime(2026, 6, 10, 1, tzinfo=UTC),
        )
        # 01:30 happens twice in Toronto on 1 November 2026; this is the second, in EST.
        toronto = make_meeting(
            cls.hc,
            title="Health Canada call",
            starts_at=datetime.datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
        )
        make_meeting(
            cls.sfda,
            title="SFDA call",
            starts_at=datetime.datetime(2026, 6, 10, 6, tzinfo=UTC),
        )
        for meeting in (tokyo, toronto):
            meeting.attendees.set([contact])
            meeting.save()
        cls.reader = make_user("Secretariat")
        profile = UserProfile.get_for_user(cls.reader)
        profile.current_time_zone = "Europe/London"
        profile.save()

    def when(self, model, pk):
        """The "When (local)" cell of each meeting row, by meeting title."""
        self.client.force_login(self.reader)
        response = self.client.get(f"{SNIPPETS}{model}/inspect/{pk}/")
        self.assertEqual(response.status_code, 200)
        table = html(response).select_one("section[aria-labelledby=meeting-history] table")
        headings = [text(th) for th in table.select("thead th")]
        column = headings.index("When (local)")
        return {
            text(row.select("td")[0]): text(row.select("td")[column])
            for row in table.select("tbody tr")
        }

    def test_a_regulator_page_shows_meetings_on_the_meetings_own_clocks(self):
        self.assertEqual(
            self.when("regulator", self.pmda.pk), {"PMDA consultation": "10 Jun 2026, 10:00 JST"}
        )

    def test_an_organisation_page_does_too_even_when_the_clocks_go_back(self):
        self.assertEqual(
            self.when("organisation", self.org.pk),
            {
                "PMDA consultation": "10 Jun 2026, 10:00 JST",
                "Health Canada call": "1 Nov 2026, 01:30 EST",
            },
        )

    def test_a_zone_without_an_abbreviation_shows_its_offset(self):
        self.assertEqual(
            self.when("regulator", self.sfda.pk), {"SFDA call": "10 Jun 2026, 09:00 UTC+03"}
        )
