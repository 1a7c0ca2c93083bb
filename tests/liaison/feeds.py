"""What the calendar feed tests share: meetings of every visibility around NOW, with people
who see more or less of them, and a helper that joins folded lines."""

import datetime

import time_machine
from django.core.cache import cache
from django.test import TestCase

from liaison.models import AgendaItem, Contact, Subscriber
from tests.factories import make_user
from tests.liaison.factories import make_meeting, make_regulator

UTC = datetime.UTC
NOW = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)


def at(days, hour=13):
    return (NOW + datetime.timedelta(days=days)).replace(hour=hour, minute=0)


def text(data):
    """The calendar as text with folded lines joined, so a search cannot miss a value."""
    return data.decode("utf-8").replace("\r\n ", "")


@time_machine.travel(NOW, tick=False)
class FeedTestCase(TestCase):
    """Meetings of every visibility and the people who see them; no tests of its own."""

    @classmethod
    def setUpTestData(cls):
        cls.fda = make_regulator("FDA CBER", zone="America/New_York", listed=True)
        cls.hc = make_regulator("Health Canada BRDD", zone="America/Toronto", listed=True)
        cls.delegate = make_user("Liaison delegates", email="delegate-canary@example.org")
        cls.other_delegate = make_user("Liaison delegates")
        cls.secretariat = make_user("Secretariat")
        cls.outsider = make_user()
        cls.contact = Contact.objects.create(
            name="Dr Attendee", email="attendee-canary@regulator.example"
        )
        cls.public = make_meeting(
            cls.fda, title="Public potency meeting", visibility="public", starts_at=at(10)
        )
        cls.public_hc = make_meeting(
            cls.hc, title="Public Canada meeting", visibility="public", starts_at=at(20)
        )
        cls.members = make_meeting(
            cls.fda,
            title="Members canary meeting",
            visibility="members",
            starts_at=at(12),
            organiser=cls.secretariat,
        )
        cls.confidential = make_meeting(
            cls.fda,
            title="Confidential canary meeting",
            visibility="confidential",
            starts_at=at(14),
            delegation=[cls.delegate],
            objectives="Secret objective canary",
        )
        cls.confidential.attendees.set([cls.contact])
        cls.confidential.save()  # modelcluster keeps the m2m in memory until saved
        AgendaItem.objects.create(
            meeting=cls.public, title="Hidden agenda canary", confidential=True, ask="Ask canary"
        )
        AgendaItem.objects.create(meeting=cls.public, title="Open agenda item")
        cls.cancelled = make_meeting(
            cls.hc,
            title="Called off meeting",
            visibility="public",
            status="cancelled",
            starts_at=at(-30),
        )
        cls.old = make_meeting(
            cls.fda, title="Long ago meeting", visibility="public", starts_at=at(-120)
        )
        cls.subscriber = Subscriber.objects.create(
            name="Stake Holder", email="holder@example.org", confirmed_at=NOW
        )

    def setUp(self):
        cache.clear()

    def get(self, url, **headers):
        return self.client.get(url, headers=headers)
