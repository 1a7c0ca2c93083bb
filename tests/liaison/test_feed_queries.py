"""A full feed costs the same number of queries whatever the number of meetings."""

import datetime

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from liaison.calendars import feeds
from liaison.models import Subscriber
from tests.factories import make_society, make_user
from tests.liaison.bulk import add_meetings
from tests.liaison.calendar_readers import read_vobject
from tests.liaison.factories import make_regulator
from tests.liaison.feeds import NOW


@time_machine.travel(NOW, tick=False)
class FeedQueryCountTestCase(TestCase):
    """A full feed costs the same number of queries for 3 meetings as for 40."""

    @classmethod
    def setUpTestData(cls):
        make_society()
        cls.regulators = [
            make_regulator("FDA CBER", listed=True),
            make_regulator("EMA", zone="Europe/Amsterdam"),
        ]
        cls.delegate = make_user("Liaison delegates")
        cls.subscriber = Subscriber.objects.create(
            name="S", email="s@example.org", confirmed_at=NOW, all_regulators=False
        )
        cls.subscriber.regulators.set(cls.regulators)

    def count(self, url):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries), response

    def test_query_count_does_not_grow_with_meetings(self):
        urls = [
            "/calendar/public.ics",
            "/calendar/regulators/fda-cber.ics",
            f"/calendar/feed/{feeds.issue_token(user=self.delegate)}.ics",
            f"/calendar/feed/{feeds.issue_token(subscriber=self.subscriber)}.ics",
        ]
        add_meetings(3, self.regulators, self.delegate)
        small = {}
        for url in urls:
            small[url], response = self.count(url)
        add_meetings(37, self.regulators, self.delegate, start=3)
        for url in urls:
            with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
                large, response = self.count(url)
            self.assertEqual(large, small[url], url)
            self.assertGreater(len(read_vobject(response.content).vevent_list), 5)
            # One of them reads the society, whose name the calendar carries.
            self.assertLessEqual(large, 10, url)
