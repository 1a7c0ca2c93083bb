"""The meeting form's time zone: canonical zones only, labelled with their offset, found by
typing, kept when a meeting already has a legacy one, and the regulator's zone by default."""

import datetime

import time_machine
from bs4 import BeautifulSoup
from django.test import TestCase

from liaison.models import Meeting
from tests.factories import make_user
from tests.liaison.factories import ADD_URL, LIST_URL, make_meeting, make_regulator, meeting_form

UTC = datetime.UTC
AREAS = {
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}
LEGACY = ["Factory", "localtime", "W-SU", "US/Eastern", "Etc/GMT+5", "Asia/Calcutta", "GMT"]


def zone_options(response):
    """(value, label) of each zone the time-zone box suggests, in order."""
    page = BeautifulSoup(response.content, "html.parser")
    box = page.select_one("input[name=time_zone]")
    assert box is not None, "no time-zone text box"
    options = page.select_one(f"datalist#{box['list']}").select("option")
    return [(o["value"], o.get_text()) for o in options]


class MeetingFormZonesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.toronto = make_regulator()
        cls.pmda = make_regulator("PMDA", "Asia/Tokyo")
        cls.secretariat = make_user("Secretariat")

    def setUp(self):
        self.client.force_login(self.secretariat)

    @time_machine.travel(datetime.datetime(2026, 6, 1, tzinfo=UTC), tick=False)
    def test_the_zone_box_suggests_canonical_zones_by_area_labelled_with_their_offset(self):
        options = zone_options(self.client.get(ADD_URL))

        labels = dict(options)
        self.assertEqual(labels["Asia/Tokyo"], "Asia/Tokyo (UTC+09:00)")
        self.assertEqual(labels["America/Toronto"], "America/Toronto (UTC-04:00)")  # summer
        self.assertEqual(labels["America/New_York"], "America/New York (UTC-04:00)")
        self.assertEqual(labels["Asia/Kathmandu"], "Asia/Kathmandu (UTC+05:45)")
        self.assertIn("Europe/Amsterdam", labels)
        self.assertIn("Asia/Kolkata", labels)
        self.assertEqual(options[0], ("UTC", "UTC"))
        for legacy in LEGACY:
            self.assertNotIn(legacy, labels)
        self.assertTrue(all(v.split("/")[0] in AREAS for v, _ in options[1:]))
        areas = [value.split("/")[0] for value, _ in options[1:]]
        self.assertEqual(areas, sorted(areas), "zones are grouped by area")
        self.assertLess(len(options), 450)

    @time_machine.travel(datetime.datetime(2026, 1, 15, tzinfo=UTC), tick=False)
    def test_offsets_are_those_of_today(self):
        labels = dict(zone_options(self.client.get(ADD_URL)))

        self.assertEqual(labels["America/Toronto"], "America/Toronto (UTC-05:00)")

    def test_a_legacy_or_unknown_zone_is_refused(self):
        for typed in [*LEGACY, "Mars/Olympus_Mons", "Tokio"]:
            with self.subTest(typed=typed):
                response = self.client.post(ADD_URL, meeting_form(self.toronto, time_zone=typed))

                self.assertEqual(response.status_code, 200)
                self.assertIn(
                    "is not a time zone on the list",
                    str(response.context["form"].errors.get("time_zone")),
                )
        self.assertFalse(Meeting.objects.exists())

    def test_a_zone_can_be_typed_by_its_city_or_copied_with_its_label(self):
        for typed, zone in [
            ("tokyo", "Asia/Tokyo"),
            ("new york", "America/New_York"),
            ("Asia/Tokyo (UTC+09:00)", "Asia/Tokyo"),
            (" europe/london ", "Europe/London"),
        ]:
            with self.subTest(typed=typed):
                response = self.client.post(ADD_URL, meeting_form(self.toronto, time_zone=typed))

                self.assertEqual(response.status_code, 302)
                meeting = Meeting.objects.get()
                self.assertEqual(meeting.time_zone, zone)
                self.assertEqual(meeting.local_start.hour, 9)
                meeting.delete()

    def test_a_meeting_keeps_the_legacy_zone_it_already_has(self):
        meeting = make_meeting(self.toronto)
        Meeting.objects.filter(pk=meeting.pk).update(time_zone="US/Eastern")
        edit_url = f"{LIST_URL}edit/{meeting.pk}/"

        self.assertIn("US/Eastern", dict(zone_options(self.client.get(edit_url))))
        response = self.client.post(
            edit_url, meeting_form(self.toronto, time_zone="US/Eastern", title="Renamed")
        )

        self.assertEqual(response.status_code, 302)
        meeting.refresh_from_db()
        self.assertEqual((meeting.title, meeting.time_zone), ("Renamed", "US/Eastern"))
        self.assertNotIn("US/Eastern", dict(zone_options(self.client.get(ADD_URL))))

    def test_left_empty_the_zone_is_the_first_regulators(self):
        response = self.client.post(ADD_URL, meeting_form(self.pmda, time_zone=""))

        self.assertEqual(response.status_code, 302)
        meeting = Meeting.objects.get()
        self.assertEqual(meeting.time_zone, "Asia/Tokyo")
        # The times typed are read in that zone: 09:00 in Tokyo.
        self.assertEqual(meeting.starts_at, datetime.datetime(2026, 6, 10, 0, tzinfo=UTC))

    def test_with_several_regulators_the_zone_is_that_of_the_first_listed(self):
        form = meeting_form(self.pmda, time_zone="")
        form["regulators"] = [self.pmda.pk, self.toronto.pk]  # listed: Health Canada, PMDA

        self.assertEqual(self.client.post(ADD_URL, form).status_code, 302)
        self.assertEqual(Meeting.objects.get().time_zone, "America/Toronto")

    def test_the_zone_box_knows_each_regulators_zone_for_the_browser(self):
        page = BeautifulSoup(self.client.get(ADD_URL).content, "html.parser")

        box = page.select_one("input[name=time_zone]")
        self.assertEqual(box["data-regulators-field"], "regulators")
        self.assertIn('"Asia/Tokyo"', box["data-regulator-zones"])
        self.assertIsNotNone(page.select_one('script[src$="liaison/meeting_time_zone.js"]'))
