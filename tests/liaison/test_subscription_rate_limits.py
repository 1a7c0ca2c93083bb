"""The subscribe form's limits per client address and per e-mail address."""

import datetime

import time_machine
from django.core import mail

from liaison.calendars import subscriptions
from liaison.models import Subscriber
from tests.liaison.subscriptions import UTC, SubscriptionTestCase
from tests.outbox import CommittingClient


class SubscriptionRateLimitTestCase(SubscriptionTestCase):
    def test_too_many_requests_from_one_address(self):
        for n in range(subscriptions.REQUESTS_PER_IP.limit):
            self.assertEqual(self.subscribe(email=f"p{n}@example.org").status_code, 302)
        response = self.subscribe(email="one-more@example.org")
        self.assertContains(response, "Please wait", status_code=429)
        self.assertIn("Retry-After", response)
        self.assertFalse(Subscriber.objects.filter(email="one-more@example.org").exists())
        self.assertEqual(len(mail.outbox), subscriptions.REQUESTS_PER_IP.limit)
        # Another visitor is not held up.
        other = CommittingClient(REMOTE_ADDR="192.0.2.99")
        self.assertEqual(self.subscribe(client=other, email="x@example.org").status_code, 302)

    def test_mistakes_do_not_use_up_the_limit_but_hammering_does(self):
        for _ in range(subscriptions.REQUESTS_PER_IP.limit + 2):
            self.assertEqual(self.subscribe(email="typo").status_code, 200)
        self.assertEqual(self.subscribe().status_code, 302)
        for _ in range(subscriptions.POSTS_PER_IP.limit):
            self.subscribe(email="typo")
        self.assertEqual(self.subscribe(email="typo").status_code, 429)

    def test_the_limit_lifts_after_an_hour(self):
        start = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            for n in range(subscriptions.REQUESTS_PER_IP.limit + 1):
                self.subscribe(email=f"p{n}@example.org")
        with time_machine.travel(start + datetime.timedelta(minutes=30), tick=False):
            self.assertEqual(self.subscribe(email="soon@example.org").status_code, 429)
        with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
            self.assertEqual(self.subscribe(email="later@example.org").status_code, 302)

    def test_too_many_emails_to_one_address(self):
        for n in range(subscriptions.EMAILS_PER_ADDRESS.limit):
            client = CommittingClient(REMOTE_ADDR=f"192.0.2.{n + 1}")
            self.assertEqual(self.subscribe(client=client).status_code, 302)
        client = CommittingClient(REMOTE_ADDR="198.51.100.7")
        self.assertEqual(self.subscribe(client=client).status_code, 429)
        self.assertEqual(len(mail.outbox), subscriptions.EMAILS_PER_ADDRESS.limit)

    def test_behind_the_proxy_the_client_is_the_last_forwarded_address(self):
        with self.settings(
            SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), TRUSTED_PROXY_COUNT=1
        ):
            for n in range(subscriptions.REQUESTS_PER_IP.limit):
                client = CommittingClient(HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.5")
                self.assertEqual(self.subscribe(client, email=f"p{n}@x.org").status_code, 302)
            # A forged first entry does not buy more requests.
            client = CommittingClient(HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5")
            self.assertEqual(self.subscribe(client, email="more@x.org").status_code, 429)
            # Another client behind the same proxy is counted apart.
            client = CommittingClient(HTTP_X_FORWARDED_FOR="203.0.113.6")
            self.assertEqual(self.subscribe(client, email="next@x.org").status_code, 302)
