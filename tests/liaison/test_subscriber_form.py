"""The Secretariat chooses a subscriber's regulators by ticking boxes."""

from tests.checkboxes import checkboxes, has_select_multiple
from tests.factories import make_user
from tests.liaison.subscriptions import ADMIN_URL, SubscriptionTestCase


class SubscriberFormTestCase(SubscriptionTestCase):
    def test_regulators_are_checkboxes(self):
        subscriber, _ = self.subscribed()
        self.client.force_login(make_user("Secretariat"))

        response = self.client.get(f"{ADMIN_URL}edit/{subscriber.pk}/")

        page = response.content.decode()
        self.assertFalse(has_select_multiple(page))
        self.assertEqual(
            checkboxes(page)["regulators"],
            {str(self.hc.pk): "Health Canada BRDD", str(self.pmda.pk): "PMDA"},
        )
