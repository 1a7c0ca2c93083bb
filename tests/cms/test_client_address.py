"""Which address a request comes from: X-Forwarded-For is believed only as far as
TRUSTED_PROXY_COUNT says, and the subscription rate limit counts that address."""

from django.test import Client, RequestFactory, SimpleTestCase, override_settings

from cms.clients import client_address
from liaison.calendars import subscriptions
from liaison.models import Subscriber
from tests.liaison.subscriptions import SubscriptionTestCase

# What production sets: the proxy says the request came over https.
BEHIND_PROXY = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}


def limit_of(limit):
    """REQUESTS_PER_IP is a number or a cms.ratelimit.Limit."""
    return getattr(limit, "limit", limit)


def address(remote="198.51.100.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


class NoTrustedProxyTests(SimpleTestCase):
    def test_the_default_is_no_proxy(self):
        from django.conf import settings

        self.assertEqual(settings.TRUSTED_PROXY_COUNT, 0)

    @override_settings(TRUSTED_PROXY_COUNT=0, **BEHIND_PROXY)
    def test_x_forwarded_for_is_ignored(self):
        self.assertEqual(address("198.51.100.1", "203.0.113.5"), "198.51.100.1")
        self.assertEqual(address("198.51.100.1", "10.0.0.1, 203.0.113.5"), "198.51.100.1")
        self.assertEqual(address("198.51.100.1"), "198.51.100.1")

    def test_no_valid_remote_address_is_none(self):
        self.assertIsNone(address(""))
        self.assertIsNone(address("unix:/run/gunicorn.sock"))

    def test_addresses_are_normalised(self):
        self.assertEqual(address("2001:DB8:0:0::1"), "2001:db8::1")
        self.assertEqual(address("::ffff:192.0.2.7"), "192.0.2.7")
        self.assertEqual(address(" 192.0.2.7 "), "192.0.2.7")


@override_settings(TRUSTED_PROXY_COUNT=1, **BEHIND_PROXY)
class OneTrustedProxyTests(SimpleTestCase):
    def test_the_entry_our_proxy_appended_is_the_client(self):
        self.assertEqual(address("10.1.1.1", "203.0.113.5"), "203.0.113.5")

    def test_forged_entries_on_the_left_are_ignored(self):
        self.assertEqual(address("10.1.1.1", "1.2.3.4, 5.6.7.8, 203.0.113.5"), "203.0.113.5")
        self.assertEqual(address("10.1.1.1", "garbage, 203.0.113.5"), "203.0.113.5")

    def test_without_the_header_the_client_is_remote_addr(self):
        # A request that did not come through the proxy.
        self.assertEqual(address("192.0.2.9"), "192.0.2.9")
        self.assertEqual(address("192.0.2.9", ""), "192.0.2.9")

    def test_an_entry_that_is_not_an_address_falls_back_to_remote_addr(self):
        self.assertEqual(address("10.1.1.1", "203.0.113.5, not-an-ip"), "10.1.1.1")
        self.assertEqual(address("10.1.1.1", "203.0.113.5, 203.0.113.6:443"), "10.1.1.1")


@override_settings(TRUSTED_PROXY_COUNT=2, **BEHIND_PROXY)
class TwoTrustedProxiesTests(SimpleTestCase):
    def test_the_second_entry_from_the_right_is_the_client(self):
        # load balancer -> nginx -> gunicorn: the balancer appended the client, nginx the
        # balancer's address.
        self.assertEqual(address("10.1.1.2", "9.9.9.9, 203.0.113.5, 10.1.1.1"), "203.0.113.5")

    def test_fewer_entries_than_proxies_falls_back_to_remote_addr(self):
        self.assertEqual(address("10.1.1.2", "203.0.113.5"), "10.1.1.2")


class SubscribeLimitBehindProxyTests(SubscriptionTestCase):
    """The limit per client at /calendar/subscribe/ cannot be dodged with a made-up header."""

    def rotating(self, n):
        # Both the forged left entry and the right one change with every request.
        return Client(REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.{n}")

    @override_settings(TRUSTED_PROXY_COUNT=0, **BEHIND_PROXY)
    def test_rotating_x_forwarded_for_does_not_bypass_the_limit_without_a_trusted_proxy(self):
        limit = limit_of(subscriptions.REQUESTS_PER_IP)
        statuses = [
            self.subscribe(self.rotating(n), email=f"p{n}@x.org").status_code
            for n in range(limit + 8)
        ]
        self.assertEqual(statuses, [302] * limit + [429] * 8)
        # Only the requests within the limit stored anything (and sent an e-mail).
        self.assertEqual(Subscriber.objects.count(), limit)

    @override_settings(TRUSTED_PROXY_COUNT=1, **BEHIND_PROXY)
    def test_with_one_proxy_the_entry_it_appended_is_counted(self):
        limit = limit_of(subscriptions.REQUESTS_PER_IP)
        for n in range(limit):
            client = Client(
                REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.5"
            )
            self.assertEqual(self.subscribe(client, email=f"p{n}@x.org").status_code, 302)
        # Forged entries on the left do not buy more requests.
        for n in range(8):
            client = Client(
                REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5"
            )
            self.assertEqual(self.subscribe(client, email=f"more{n}@x.org").status_code, 429)
        # Another client behind the same proxy is counted apart.
        client = Client(REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
        self.assertEqual(self.subscribe(client, email="next@x.org").status_code, 302)
