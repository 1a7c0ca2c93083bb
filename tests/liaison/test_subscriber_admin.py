"""The Secretariat's subscriber list in the admin, and nobody else's."""

from liaison.models import Subscriber
from tests.factories import make_user
from tests.liaison.subscriptions import ADMIN_URL, SubscriptionTestCase, link_to


class SubscriberAdminTestCase(SubscriptionTestCase):
    def setUp(self):
        super().setUp()
        self.secretariat = make_user("Secretariat")
        self.delegate = make_user("Liaison delegates")

    def test_the_secretariat_sees_searches_and_filters_subscribers(self):
        self.subscribed()
        self.subscribe(email="pending@example.org", name="Pat Pending", organisation="")
        self.client.force_login(self.secretariat)
        response = self.client.get(ADMIN_URL)
        self.assertContains(response, "dana@example.org")
        self.assertContains(response, "Patients for Cell Therapy")
        self.assertContains(response, "All public meetings")
        self.assertContains(response, "pending@example.org")
        found = self.client.get(ADMIN_URL, {"q": "pending"})
        self.assertContains(found, "pending@example.org")
        self.assertNotContains(found, "dana@example.org")
        confirmed = self.client.get(ADMIN_URL, {"confirmed": "true"})
        self.assertContains(confirmed, "dana@example.org")
        self.assertNotContains(confirmed, "pending@example.org")
        self.assertContains(self.client.get("/admin/"), ADMIN_URL)

    def test_the_secretariat_revokes_a_feed(self):
        subscriber, welcome = self.subscribed()
        feed_url = link_to(welcome, "/calendar/feed/")
        self.assertEqual(self.feed(feed_url).status_code, 200)
        self.client.force_login(self.secretariat)
        self.assertContains(self.client.get(ADMIN_URL), "Revoke calendar address")
        url = f"{ADMIN_URL}{subscriber.pk}/revoke/"
        self.assertContains(self.client.get(url), "Yes, revoke")
        self.assertRedirects(self.client.post(url), ADMIN_URL)
        self.assertFalse(subscriber.feed_tokens.filter(revoked_at__isnull=True).exists())
        self.client.logout()
        self.assertEqual(self.feed(feed_url).status_code, 404)

    def test_the_secretariat_deletes_a_subscriber(self):
        subscriber, welcome = self.subscribed()
        self.client.force_login(self.secretariat)
        url = f"{ADMIN_URL}delete/{subscriber.pk}/"
        self.assertEqual(self.client.get(url).status_code, 200)
        self.client.post(url)
        self.assertFalse(Subscriber.objects.exists())
        self.client.logout()
        self.assertEqual(self.feed(link_to(welcome, "/calendar/feed/")).status_code, 404)

    def test_delegates_and_visitors_do_not_see_subscribers(self):
        subscriber, welcome = self.subscribed()
        urls = [
            ADMIN_URL,
            f"{ADMIN_URL}edit/{subscriber.pk}/",
            f"{ADMIN_URL}inspect/{subscriber.pk}/",
            f"{ADMIN_URL}delete/{subscriber.pk}/",
            f"{ADMIN_URL}{subscriber.pk}/revoke/",
        ]
        self.client.force_login(self.delegate)
        self.assertNotContains(self.client.get("/admin/"), ADMIN_URL)
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertIn(response.status_code, (302, 403))
                self.assertNotIn(b"dana@example.org", response.content)
        self.assertIn(self.client.post(urls[-1]).status_code, (302, 403))
        self.assertTrue(subscriber.feed_tokens.filter(revoked_at__isnull=True).exists())
        self.client.logout()
        for url in urls:
            with self.subTest(url=url, user="anonymous"):
                self.assertEqual(self.client.get(url).status_code, 302)
