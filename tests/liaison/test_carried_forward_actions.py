"""The meeting form lists open actions of earlier meetings with the same regulator."""

import datetime

from django.test import TestCase

from liaison.models import ActionItem
from tests.factories import make_user
from tests.liaison.admin_pages import meeting_page
from tests.liaison.factories import make_meeting, make_regulator

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)


class CarriedForwardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.fda = make_regulator("FDA CBER OTP", "America/New_York")
        cls.ema = make_regulator("EMA CAT", "Europe/Amsterdam")
        cls.delegate = make_user("Liaison delegates")
        cls.outsider = make_user("Liaison delegates")
        start = datetime.datetime(2026, 3, 1, 14, tzinfo=UTC)
        earlier = make_meeting(cls.fda, title="Spring FDA call", starts_at=start)
        secret = make_meeting(
            cls.fda,
            title="Confidential FDA call",
            starts_at=start + DAY,
            visibility="confidential",
            delegation=[cls.delegate],
        )
        other = make_meeting(cls.ema, title="EMA call", starts_at=start)
        cls.meeting = make_meeting(
            cls.fda,
            title="Autumn FDA liaison",
            starts_at=start + 200 * DAY,
            delegation=[cls.delegate, cls.outsider],
        )
        ActionItem.objects.create(
            meeting=earlier, description="FDA to share the draft guidance", owner_regulator=cls.fda
        )
        ActionItem.objects.create(
            meeting=earlier,
            description="Already done thing",
            owner_regulator=cls.fda,
            status="done",
        )
        ActionItem.objects.create(
            meeting=secret, description="Send the secret dossier", owner=cls.delegate
        )
        ActionItem.objects.create(
            meeting=other, description="EMA to reply on potency", owner_regulator=cls.ema
        )
        ActionItem.objects.create(
            meeting=cls.meeting, description="Action of this very meeting", owner=cls.delegate
        )

    def test_open_actions_of_earlier_meetings_with_the_regulator_are_carried_forward(self):
        self.client.force_login(self.delegate)

        page = meeting_page(self.client, self.meeting)

        self.assertIn("FDA to share the draft guidance", page)
        self.assertIn("Send the secret dossier", page)
        for absent in (
            "Already done thing",
            "EMA to reply on potency",
            "Action of this very meeting",
        ):
            self.assertNotIn(absent, page)

    def test_actions_of_meetings_the_user_may_not_see_stay_hidden(self):
        self.client.force_login(self.outsider)

        page = meeting_page(self.client, self.meeting)

        self.assertIn("FDA to share the draft guidance", page)
        self.assertNotIn("Send the secret dossier", page)
