import datetime

from django.test import SimpleTestCase

from liaison.meetings.timezones import EARLIER, LATER, AmbiguousTime, NonexistentTime, make_aware

UTC = datetime.UTC


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


class MakeAwareTestCase(SimpleTestCase):
    def test_ordinary_times_in_summer_and_winter(self):
        cases = [
            ("America/Toronto", (2026, 7, 10, 9, 0), utc(2026, 7, 10, 13, 0)),
            ("America/Toronto", (2026, 1, 10, 9, 0), utc(2026, 1, 10, 14, 0)),
            ("Europe/Amsterdam", (2026, 7, 10, 9, 0), utc(2026, 7, 10, 7, 0)),
            ("Asia/Tokyo", (2026, 1, 10, 9, 0), utc(2026, 1, 10, 0, 0)),
            ("America/Toronto", (2040, 7, 10, 12, 0), utc(2040, 7, 10, 16, 0)),
        ]
        for zone, local, expected in cases:
            with self.subTest(zone=zone, local=local):
                aware = make_aware(datetime.datetime(*local), zone)
                self.assertEqual(aware.astimezone(UTC), expected)

    def test_a_time_in_the_spring_gap_is_refused(self):
        with self.assertRaisesMessage(NonexistentTime, "does not exist in America/Toronto"):
            make_aware(datetime.datetime(2026, 3, 8, 2, 30), "America/Toronto")

    def test_an_ambiguous_time_needs_a_choice(self):
        local = datetime.datetime(2026, 11, 1, 1, 30)

        with self.assertRaisesMessage(AmbiguousTime, "happens twice"):
            make_aware(local, "America/Toronto")
        self.assertEqual(make_aware(local, "America/Toronto", EARLIER), utc(2026, 11, 1, 5, 30))
        self.assertEqual(make_aware(local, "America/Toronto", LATER), utc(2026, 11, 1, 6, 30))

    def test_a_choice_is_ignored_when_the_time_is_not_ambiguous(self):
        aware = make_aware(datetime.datetime(2026, 7, 1, 9), "Europe/London", LATER)

        self.assertEqual(aware, utc(2026, 7, 1, 8))
