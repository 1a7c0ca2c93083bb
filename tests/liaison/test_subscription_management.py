"""The manage link: change which meetings, get a new address, unsubscribe (one click too)."""

from django.core import mail

from liaison.models import FeedToken, Subscriber
from tests.liaison.subscriptions import SubscriptionTestCase, link_to, path_of
from tests.outbox import CommittingClient


class ManageSubscriptionTestCase(SubscriptionTestCase):
    def manage_path(self, message):
        return path_of(link_to(message, "/calendar/subscribe/manage/"))

    def test_change_which_meetings(self):
        subscriber, welcome = self.subscribed()
        feed_url = link_to(welcome, "/calendar/feed/")
        url = self.manage_path(welcome)
        page = self.client.get(url)
        self.assertContains(page, "dana@example.org")
        self.assertEqual(page["Referrer-Policy"], "same-origin")

        refused = self.client.post(url, {"action": "scope", "scope": "chosen"})
        self.assertContains(refused, "Choose at least one regulator")

        response = self.client.post(
            url, {"action": "scope", "scope": "chosen", "regulators": [self.hc.pk]}
        )
        self.assertRedirects(response, url + "?saved=1")
        subscriber.refresh_from_db()
        self.assertFalse(subscriber.all_regulators)
        self.assertEqual(list(subscriber.regulators.all()), [self.hc])
        # The same address now carries only the chosen regulator's meetings.
        body = self.feed(feed_url).content
        self.assertIn(b"Ottawa potency liaison", body)
        self.assertNotIn(b"Tokyo vector liaison", body)

        self.client.post(url, {"action": "scope", "scope": "all"})
        subscriber.refresh_from_db()
        self.assertTrue(subscriber.all_regulators)
        self.assertFalse(subscriber.regulators.exists())

    def test_a_new_address_replaces_the_old_one(self):
        subscriber, welcome = self.subscribed()
        old = link_to(welcome, "/calendar/feed/")
        page = self.client.post(self.manage_path(welcome), {"action": "rotate"})
        self.assertContains(page, "Your new calendar address")
        message = mail.outbox[-1]
        new = link_to(message, "/calendar/feed/")
        self.assertNotEqual(old, new)
        self.assertContains(page, new)
        self.assertEqual(self.feed(old).status_code, 404)
        self.assertEqual(self.feed(new).status_code, 200)
        self.assertEqual(subscriber.feed_tokens.filter(revoked_at__isnull=True).count(), 1)

    def test_unsubscribe_from_the_manage_page(self):
        subscriber, welcome = self.subscribed()
        feed_url = link_to(welcome, "/calendar/feed/")
        url = self.manage_path(welcome)
        page = self.client.post(url, {"action": "unsubscribe"})
        self.assertContains(page, "You are unsubscribed")
        self.assertFalse(Subscriber.objects.exists())
        self.assertFalse(FeedToken.objects.exists())
        self.assertEqual(self.feed(feed_url).status_code, 404)
        # The manage link now says so.
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_one_click_unsubscribe_from_the_mail_client(self):
        _, welcome = self.subscribed()
        feed_url = link_to(welcome, "/calendar/feed/")
        url = path_of(welcome.extra_headers["List-Unsubscribe"].strip("<>"))
        # GET only asks (link scanners open it).
        self.assertContains(self.client.get(url), "Unsubscribe dana@example.org?")
        self.assertTrue(Subscriber.objects.exists())
        # RFC 8058: the mail provider POSTs without cookies or a CSRF token.
        mailer = CommittingClient(enforce_csrf_checks=True)
        response = mailer.post(
            url,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Subscriber.objects.exists())
        self.assertEqual(self.feed(feed_url).status_code, 404)

    def test_the_manage_page_needs_a_csrf_token(self):
        _, welcome = self.subscribed()
        browser = CommittingClient(enforce_csrf_checks=True)
        response = browser.post(self.manage_path(welcome), {"action": "unsubscribe"})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Subscriber.objects.exists())

    def test_an_unconfirmed_request_can_be_cancelled_but_not_given_a_feed(self):
        self.subscribe()
        url = self.manage_path(mail.outbox[0])
        self.client.post(url, {"action": "rotate"})
        self.assertFalse(FeedToken.objects.exists())
        self.client.post(url, {"action": "unsubscribe"})
        self.assertFalse(Subscriber.objects.exists())
