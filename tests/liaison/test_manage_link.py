"""The manage link cannot undo the Secretariat's revocation, and it expires; the unsubscribe
link in the same e-mails works for longer."""

import datetime
import re

import time_machine
from django.core import mail
from django.test import Client, override_settings

from cms.models import OutgoingMail
from liaison.models import FeedToken, Subscriber
from tests.factories import make_user
from tests.liaison.subscriptions import (
    ADMIN_URL,
    SUBSCRIBE_URL,
    UTC,
    SubscriptionTestCase,
    link_to,
    path_of,
)

START = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)
CONTACT = "secretariat@liaise.example.org"


def days_later(days, **extra):
    return time_machine.travel(START + datetime.timedelta(days=days, **extra), tick=False)


class ManageLinkTestCase(SubscriptionTestCase):
    def manage_path(self, message):
        return path_of(link_to(message, "/calendar/subscribe/manage/"))

    def unsubscribe_path(self, message):
        return path_of(message.extra_headers["List-Unsubscribe"].strip("<>"))


@override_settings(DEFAULT_FROM_EMAIL=f"Liaise Secretariat <{CONTACT}>")
class RevokedFeedTestCase(ManageLinkTestCase):
    def setUp(self):
        super().setUp()
        self.secretariat = make_user("Secretariat")

    def revoke(self, subscriber):
        self.client.force_login(self.secretariat)
        self.assertRedirects(self.client.post(f"{ADMIN_URL}{subscriber.pk}/revoke/"), ADMIN_URL)
        self.client.logout()

    def test_the_manage_link_gets_no_new_address_after_the_secretariat_revokes_it(self):
        subscriber, welcome = self.subscribed()
        feed_url = link_to(welcome, "/calendar/feed/")
        url = self.manage_path(welcome)
        self.revoke(subscriber)
        subscriber.refresh_from_db()
        self.assertIsNotNone(subscriber.feed_revoked_at)
        self.assertEqual(self.feed(feed_url).status_code, 404)

        page = self.client.get(url)
        self.assertContains(page, "The Secretariat switched off your calendar address")
        self.assertContains(page, f'href="mailto:{CONTACT}"')
        self.assertNotContains(page, 'value="rotate"')
        self.assertNotContains(page, 'value="scope"')
        self.assertContains(page, 'value="unsubscribe"')

        tokens = list(FeedToken.objects.values_list("pk", "token_hash", "revoked_at"))
        sent = len(mail.outbox), OutgoingMail.objects.count()
        refused = self.client.post(url, {"action": "rotate"})
        self.assertContains(refused, "switched off your calendar address", status_code=403)
        self.assertContains(refused, CONTACT, status_code=403)
        self.assertNotContains(refused, "/calendar/feed/", status_code=403)
        # No new token, the old one still revoked, no e-mail with a new address.
        self.assertEqual(
            list(FeedToken.objects.values_list("pk", "token_hash", "revoked_at")), tokens
        )
        self.assertFalse(FeedToken.objects.filter(revoked_at__isnull=True).exists())
        self.assertEqual((len(mail.outbox), OutgoingMail.objects.count()), sent)
        self.assertEqual(self.feed(feed_url).status_code, 404)
        # Choosing other meetings is refused too: there is no feed to change.
        response = self.client.post(
            url, {"action": "scope", "scope": "chosen", "regulators": [self.hc.pk]}
        )
        self.assertEqual(response.status_code, 403)
        subscriber.refresh_from_db()
        self.assertTrue(subscriber.all_regulators)

        # Asking again through the form changes nothing either; the e-mail says why.
        self.assertEqual(self.subscribe().status_code, 302)
        already = mail.outbox[-1]
        self.assertIn("The Secretariat has switched off your calendar address", already.body)
        self.assertEqual(
            self.client.post(self.manage_path(already), {"action": "rotate"}).status_code, 403
        )
        self.assertFalse(FeedToken.objects.filter(revoked_at__isnull=True).exists())

        # Unsubscribing still works.
        self.assertContains(
            self.client.post(url, {"action": "unsubscribe"}), "You are unsubscribed"
        )
        self.assertFalse(Subscriber.objects.exists())

    def test_the_secretariat_can_allow_a_new_address_again(self):
        subscriber, welcome = self.subscribed()
        url = self.manage_path(welcome)
        self.revoke(subscriber)
        self.client.force_login(self.secretariat)
        self.assertContains(self.client.get(ADMIN_URL), "Allow a new calendar address")
        allow = f"{ADMIN_URL}{subscriber.pk}/allow/"
        self.assertContains(self.client.get(allow), "Yes, allow a new address")
        self.assertRedirects(self.client.post(allow), ADMIN_URL)
        self.client.logout()
        subscriber.refresh_from_db()
        self.assertIsNone(subscriber.feed_revoked_at)

        page = self.client.post(url, {"action": "rotate"})
        self.assertContains(page, "Your new calendar address")
        new = re.search(r'value="(https?://[^"]+/calendar/feed/[^"]+)"', page.content.decode())
        self.assertEqual(self.feed(new[1]).status_code, 200)
        self.assertEqual(self.feed(link_to(welcome, "/calendar/feed/")).status_code, 404)

    def test_only_the_secretariat_allows_a_new_address(self):
        subscriber, _ = self.subscribed()
        self.revoke(subscriber)
        allow = f"{ADMIN_URL}{subscriber.pk}/allow/"
        self.client.force_login(make_user("Liaison delegates"))
        self.assertIn(self.client.post(allow).status_code, (302, 403))
        self.client.logout()
        self.assertEqual(self.client.post(allow).status_code, 302)  # to the login page
        subscriber.refresh_from_db()
        self.assertIsNotNone(subscriber.feed_revoked_at)


class ExpiringManageLinkTestCase(ManageLinkTestCase):
    def test_an_expired_manage_link_is_refused_and_a_fresh_one_is_a_form_away(self):
        with days_later(0):
            subscriber, welcome = self.subscribed()
        feed_url = link_to(welcome, "/calendar/feed/")
        url = self.manage_path(welcome)
        with days_later(89):
            self.assertContains(self.client.get(url), "dana@example.org")
        sent = len(mail.outbox)
        with days_later(90, minutes=1):
            page = self.client.get(url)
            self.assertContains(page, "This link has expired", status_code=400)
            self.assertContains(page, "90 days", status_code=400)
            self.assertContains(page, f'href="{SUBSCRIBE_URL}"', status_code=400)
            self.assertIn("no-store", page["Cache-Control"])
            for action in ("rotate", "scope", "unsubscribe"):
                with self.subTest(action=action):
                    response = self.client.post(url, {"action": action, "scope": "chosen"})
                    self.assertEqual(response.status_code, 400)
            self.assertEqual(len(mail.outbox), sent)
            self.assertTrue(Subscriber.objects.filter(all_regulators=True).exists())
            self.assertEqual(FeedToken.objects.filter(revoked_at__isnull=True).count(), 1)
            self.assertEqual(self.feed(feed_url).status_code, 200)

            # The subscribe form e-mails a confirmed address a fresh manage link.
            self.assertRedirects(self.subscribe(name="Someone Else"), "/calendar/subscribe/sent/")
            fresh = self.manage_path(mail.outbox[-1])
            self.assertNotEqual(fresh, url)
            self.assertContains(self.client.get(fresh), "dana@example.org")
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.name, "Dana Stakeholder")

    def test_the_unsubscribe_link_outlives_the_manage_link(self):
        with days_later(0):
            _, welcome = self.subscribed()
        url = self.unsubscribe_path(welcome)
        token = url.rstrip("/").split("/")[-1]
        with days_later(1):
            # While the link would still open the manage page, the page offers it.
            self.assertContains(self.client.get(url), f"/calendar/subscribe/manage/{token}/")
        with days_later(91):
            self.assertEqual(self.client.get(self.manage_path(welcome)).status_code, 400)
            page = self.client.get(url)
            self.assertContains(page, "Unsubscribe dana@example.org?")
            # An old link never buys a fresh manage link.
            self.assertNotContains(page, "/calendar/subscribe/manage/")
            self.assertContains(page, f'href="{SUBSCRIBE_URL}"')
        with days_later(364):
            mailer = Client(enforce_csrf_checks=True)
            response = mailer.post(
                url,
                "List-Unsubscribe=One-Click",
                content_type="application/x-www-form-urlencoded",
            )
            self.assertContains(response, "You are unsubscribed")
        self.assertFalse(Subscriber.objects.exists())

    def test_the_unsubscribe_link_expires_after_a_year(self):
        with days_later(0):
            _, welcome = self.subscribed()
        url = self.unsubscribe_path(welcome)
        with days_later(366):
            self.assertContains(self.client.get(url), "This link has expired", status_code=400)
            self.assertEqual(self.client.post(url).status_code, 400)
        self.assertTrue(Subscriber.objects.exists())
