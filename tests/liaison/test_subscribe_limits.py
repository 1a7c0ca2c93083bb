"""The subscribe form's three limits (cms.ratelimit): the 429 page says when the limit that
tripped lifts, and counting goes on in the database when the cache cannot be reached."""

import datetime

import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from cms.models import RateCounter
from liaison.calendars import subscriptions
from liaison.models import Subscriber
from tests.liaison.subscriptions import UTC, SubscriptionTestCase
from tests.outbox import CommittingClient

# 12:20:00 UTC: 40 minutes to the end of the hourly slot, 11 h 40 min to the end of the day.
NOW = datetime.datetime(2026, 5, 1, 12, 20, tzinfo=UTC)
TO_END_OF_HOUR = 40 * 60
TO_END_OF_DAY = 11 * 3600 + 40 * 60

# A real Redis that cannot be reached: nothing listens on port 1.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "cms.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


class RetryAfterTestCase(SubscriptionTestCase):
    def from_address(self, n):
        return CommittingClient(REMOTE_ADDR=f"192.0.2.{n + 1}")

    def test_the_daily_limit_per_address_says_when_the_day_ends(self):
        with time_machine.travel(NOW, tick=False):
            # From a different client address each time: only the per-address limit counts.
            for n in range(subscriptions.EMAILS_PER_ADDRESS.limit):
                self.assertEqual(self.subscribe(client=self.from_address(n)).status_code, 302)
            response = self.subscribe(client=CommittingClient(REMOTE_ADDR="198.51.100.7"))
        self.assertContains(response, "Please wait", status_code=429)
        self.assertEqual(response["Retry-After"], str(TO_END_OF_DAY))
        self.assertContains(response, "in about 12 hours", status_code=429)
        self.assertEqual(len(mail.outbox), subscriptions.EMAILS_PER_ADDRESS.limit)
        # The limit lifts when its day does, not an hour later.
        later = NOW + datetime.timedelta(seconds=TO_END_OF_DAY - 60)
        with time_machine.travel(later, tick=False):
            client = CommittingClient(REMOTE_ADDR="198.51.100.8")
            self.assertEqual(self.subscribe(client=client).status_code, 429)
        with time_machine.travel(NOW + datetime.timedelta(seconds=TO_END_OF_DAY), tick=False):
            client = CommittingClient(REMOTE_ADDR="198.51.100.9")
            self.assertEqual(self.subscribe(client=client).status_code, 302)

    def test_the_hourly_limit_per_client_says_when_the_hour_ends(self):
        with time_machine.travel(NOW, tick=False):
            for n in range(subscriptions.REQUESTS_PER_IP.limit):
                self.assertEqual(self.subscribe(email=f"p{n}@example.org").status_code, 302)
            response = self.subscribe(email="one-more@example.org")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], str(TO_END_OF_HOUR))
        self.assertContains(response, "in about 40 minutes", status_code=429)
        self.assertFalse(Subscriber.objects.filter(email="one-more@example.org").exists())

    def test_the_limit_on_any_post_says_when_the_hour_ends(self):
        start = NOW + datetime.timedelta(minutes=35)  # 12:55, five minutes to go
        with time_machine.travel(start, tick=False):
            for _ in range(subscriptions.POSTS_PER_IP.limit):
                self.assertEqual(self.subscribe(email="typo").status_code, 200)
            response = self.subscribe()
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], str(5 * 60))
        self.assertContains(response, "in about 5 minutes", status_code=429)

    def test_how_long_in_words(self):
        for seconds, words in [
            (30, "in a minute or so"),
            (60, "in a minute or so"),
            (61, "in about 2 minutes"),
            (40 * 60, "in about 40 minutes"),
            (3599, "in about an hour"),
            (3600, "in about an hour"),
            (TO_END_OF_DAY, "in about 12 hours"),
            (86400, "in about 24 hours"),
        ]:
            with self.subTest(seconds=seconds):
                self.assertEqual(subscriptions.in_words(seconds), words)


@override_settings(CACHES=UNREACHABLE_REDIS)
class WithoutTheCacheTestCase(SubscriptionTestCase):
    """Redis down: the limits still hold, counted in cms.RateCounter."""

    def test_the_hourly_limit_trips_with_counts_in_the_database(self):
        cache.set("probe", 1)
        self.assertIsNone(cache.get("probe"), "the cache should be unreachable")
        with time_machine.travel(NOW, tick=False):
            for n in range(subscriptions.REQUESTS_PER_IP.limit):
                self.assertEqual(self.subscribe(email=f"p{n}@example.org").status_code, 302)
            response = self.subscribe(email="one-more@example.org")
            ip_key = subscriptions.REQUESTS_PER_IP.key("127.0.0.1")
            post_key = subscriptions.POSTS_PER_IP.key("127.0.0.1")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], str(TO_END_OF_HOUR))
        self.assertEqual(len(mail.outbox), subscriptions.REQUESTS_PER_IP.limit)
        counts = dict(RateCounter.objects.values_list("key", "count"))
        self.assertEqual(counts[ip_key], subscriptions.REQUESTS_PER_IP.limit + 1)
        self.assertEqual(counts[post_key], subscriptions.REQUESTS_PER_IP.limit + 1)
        # The counters hold a keyed hash, never the address.
        self.assertFalse(RateCounter.objects.filter(key__contains="127.0.0.1").exists())
        self.assertFalse(RateCounter.objects.filter(key__contains="example.org").exists())
        # Another visitor is not held up.
        with time_machine.travel(NOW, tick=False):
            other = CommittingClient(REMOTE_ADDR="192.0.2.99")
            self.assertEqual(self.subscribe(client=other, email="x@example.org").status_code, 302)

    def test_the_daily_limit_per_address_trips_with_counts_in_the_database(self):
        with time_machine.travel(NOW, tick=False):
            for n in range(subscriptions.EMAILS_PER_ADDRESS.limit):
                client = CommittingClient(REMOTE_ADDR=f"192.0.2.{n + 1}")
                self.assertEqual(self.subscribe(client=client).status_code, 302)
            response = self.subscribe(client=CommittingClient(REMOTE_ADDR="198.51.100.7"))
            key = subscriptions.EMAILS_PER_ADDRESS.key("dana@example.org")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], str(TO_END_OF_DAY))
        self.assertEqual(
            RateCounter.objects.get(key=key).count, subscriptions.EMAILS_PER_ADDRESS.limit + 1
        )
        self.assertEqual(len(mail.outbox), subscriptions.EMAILS_PER_ADDRESS.limit)
