"""Bad input to the subscribe form is refused, and nothing is saved or sent."""

from django.core import mail
from django.core.cache import cache

from cms.models import OutgoingMail
from liaison.models import Subscriber
from tests.liaison.factories import make_meeting, make_regulator
from tests.liaison.subscriptions import SUBSCRIBE_URL, SubscriptionTestCase


class SubscriptionInputTestCase(SubscriptionTestCase):
    def test_bad_input_is_refused_and_nothing_saved(self):
        cases = {
            "name": {"name": "A" * 10_000},
            "name ": {"name": "Dana\x00Stakeholder"},
            "name  ": {"name": "Dana\r\nBcc: victim@example.org"},
            "name   ": {"name": "Dana\u202eredro"},
            "organisation": {"organisation": "Org\x1b[31m"},
            "organisation ": {"organisation": "O" * 201},
            "email": {"email": "not-an-address"},
            "email ": {"email": "dana@example.org\nBcc: x@example.org"},
            "email  ": {"email": ("a" * 250) + "@example.org"},
            "email   ": {"email": None},
            "regulators": {"scope": "chosen"},
            "regulators ": {"scope": "chosen", "regulators": ["999999"]},
            "scope": {"scope": "everything"},
        }
        for field, data in cases.items():
            with self.subTest(field=field, data=str(data)[:60]):
                cache.clear()
                response = self.subscribe(**data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(field.strip(), response.context["form"].errors)
                self.assertContains(response, "Please check the form")
        self.assertFalse(Subscriber.objects.exists())
        self.assertFalse(OutgoingMail.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_a_regulator_seen_only_in_confidential_meetings_is_not_offered(self):
        secret = make_regulator("Secret Agency", "Europe/London")
        make_meeting(secret, title="Quiet talk", visibility="confidential")
        page = self.client.get(SUBSCRIBE_URL)
        self.assertNotContains(page, "Secret Agency")
        response = self.subscribe(scope="chosen", regulators=[secret.pk])
        self.assertIn("regulators", response.context["form"].errors)
