"""The leak walk's canaries (tests/liaison/leaks.py) searched for in the public feeds and
downloads and in a subscriber's feed with folded lines joined, where a plain search of the
bytes could miss a canary cut by folding."""

import time_machine

from liaison.calendars import feeds
from liaison.models import Subscriber
from tests.liaison.feeds import NOW, text
from tests.liaison.leaks import PlantedCanariesTestCase


@time_machine.travel(NOW, tick=False)
class FeedLeakTestCase(PlantedCanariesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.subscriber = Subscriber.objects.create(
            name="S", email="leak-subscriber@example.org", confirmed_at=NOW
        )

    def test_no_canary_in_public_calendars(self):
        urls = [
            "/calendar/public.ics",
            "/calendar/regulators/health-canada-brdd.ics",
            f"/calendar/meetings/{self.public.uuid}.ics",
            f"/calendar/meetings/{self.held.uuid}.ics",
            f"/calendar/feed/{feeds.issue_token(subscriber=self.subscriber)}.ics",
        ]
        for url in urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            content = text(response.content)
            self.assertTrue(str(self.public.uuid) in content or str(self.held.uuid) in content)
            for label, value in self.canaries.items():
                self.assertNotIn(value, content, f"{label} in {url}")
            for meeting in (self.members, self.secret):
                self.assertNotIn(str(meeting.uuid), content)
