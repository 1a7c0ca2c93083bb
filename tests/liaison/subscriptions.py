"""What the subscription tests share: two regulators with a public meeting each, and helpers
that fill in the form at /calendar/subscribe/ and follow the links in the e-mails sent.

Subscription e-mails go through the outbox (``cms.outbox``): each request commits when it
ends, as in production, and the worker (inline in the tests) sends what it queued
(``tests.outbox.CommittingClient``)."""

import datetime
import re
from urllib.parse import urlsplit

from django.core import mail
from django.core.cache import cache
from django.test import TestCase

from liaison.models import Subscriber
from tests.liaison.factories import make_meeting, make_regulator
from tests.outbox import CommittingClient

SUBSCRIBE_URL = "/calendar/subscribe/"
SENT_URL = "/calendar/subscribe/sent/"
ADMIN_URL = "/admin/subscribers/"
UTC = datetime.UTC


def links(message):
    """Every http(s) and webcal address in an e-mail body."""
    return re.findall(r"(?:https?|webcal)://\S+", message.body)


def path_of(url):
    return urlsplit(url).path


def link_to(message, fragment):
    found = [url for url in links(message) if fragment in url]
    assert found, f"no {fragment} link in {message.body}"
    return found[0]


class SubscriptionTestCase(TestCase):
    """Two regulators with a public meeting each; no tests of its own."""

    client_class = CommittingClient

    @classmethod
    def setUpTestData(cls):
        cls.hc = make_regulator("Health Canada BRDD", "America/Toronto", listed=True)
        cls.pmda = make_regulator("PMDA", "Asia/Tokyo", listed=True)
        cls.hc_meeting = make_meeting(
            cls.hc,
            title="Ottawa potency liaison",
            visibility="public",
            starts_at=datetime.datetime(2030, 6, 9, 13, tzinfo=UTC),
        )
        cls.pmda_meeting = make_meeting(
            cls.pmda,
            title="Tokyo vector liaison",
            visibility="public",
            starts_at=datetime.datetime(2030, 6, 12, 2, tzinfo=UTC),
        )

    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def form(self, **overrides):
        data = {
            "name": "Dana Stakeholder",
            "email": "dana@example.org",
            "organisation": "Patients for Cell Therapy",
            "scope": "all",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    def subscribe(self, client=None, **overrides):
        return (client or self.client).post(SUBSCRIBE_URL, self.form(**overrides))

    def confirm(self, message):
        """Open the confirmation link of `message` and press the button; the response."""
        url = path_of(link_to(message, "/confirm/"))
        self.assertEqual(self.client.get(url).status_code, 200)
        return self.client.post(url)

    def subscribed(self, **overrides):
        """Subscribe and confirm; (subscriber, welcome e-mail)."""
        mail.outbox.clear()
        self.subscribe(**overrides)
        self.confirm(mail.outbox[-1])
        return Subscriber.objects.get(email=overrides.get("email", "dana@example.org")), (
            mail.outbox[-1]
        )

    def feed(self, url):
        return self.client.get(path_of(url))
