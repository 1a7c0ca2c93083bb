"""Expired, tampered and stale subscription links confirm and open nothing."""

import datetime

import time_machine
from django.core import mail, signing

from liaison.calendars import subscriptions
from liaison.models import FeedToken, Subscriber
from tests.liaison.subscriptions import UTC, SubscriptionTestCase, link_to, path_of


class BadSubscriptionLinkTestCase(SubscriptionTestCase):
    def test_an_expired_confirmation_link_confirms_nothing(self):
        start = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            self.subscribe()
        url = path_of(link_to(mail.outbox[0], "/confirm/"))
        with time_machine.travel(start + datetime.timedelta(days=3, minutes=1), tick=False):
            for response in (self.client.get(url), self.client.post(url)):
                self.assertContains(response, "This link has expired", status_code=400)
        self.assertIsNone(Subscriber.objects.get().confirmed_at)
        self.assertFalse(FeedToken.objects.exists())

    def test_a_tampered_link_confirms_nothing(self):
        self.subscribe()
        token = path_of(link_to(mail.outbox[0], "/confirm/")).split("/")[-2]
        other = self.subscribe(email="other@example.org")
        self.assertEqual(other.status_code, 302)
        payload, _, signature = token.partition(":")
        forged = [
            token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
            f"{payload}x:{signature}",
            token[: len(token) // 2],
            # A manage link is not a confirmation link.
            subscriptions.manage_token(Subscriber.objects.get(email="dana@example.org")),
        ]
        for value in forged:
            with self.subTest(value=value):
                url = f"/calendar/subscribe/confirm/{value}/"
                self.assertContains(self.client.post(url), "not valid", status_code=400)
        self.assertFalse(Subscriber.objects.filter(confirmed_at__isnull=False).exists())
        self.assertFalse(FeedToken.objects.exists())

    def test_a_link_for_a_removed_subscriber_is_404(self):
        self.subscribe()
        url = path_of(link_to(mail.outbox[0], "/confirm/"))
        Subscriber.objects.all().delete()
        self.assertContains(self.client.post(url), "no longer exists", status_code=404)

    def test_a_signed_link_does_not_open_a_later_subscriber_with_the_same_id(self):
        self.subscribe()
        subscriber = Subscriber.objects.get()
        stale = signing.dumps(
            {"id": subscriber.pk, "e": subscriptions.email_digest("someone-else@example.org")},
            salt=subscriptions.MANAGE_SALT,
        )
        response = self.client.get(f"/calendar/subscribe/manage/{stale}/")
        self.assertEqual(response.status_code, 404)
