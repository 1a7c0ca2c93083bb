"""Subscribing at /calendar/subscribe/: the form, the confirmation e-mail and button, the
welcome e-mail with the feed address, and the same answer for known addresses."""

import datetime
import hashlib
import re

import time_machine
from django.core import mail, signing

from liaison.calendars import subscriptions
from liaison.models import FeedToken, Subscriber
from tests.liaison.subscriptions import (
    SENT_URL,
    SUBSCRIBE_URL,
    SubscriptionTestCase,
    link_to,
    links,
    path_of,
)


class DoubleOptInTestCase(SubscriptionTestCase):
    def test_the_form_is_linked_from_the_site_navigation(self):
        response = self.client.get("/meetings/")
        self.assertContains(response, f'href="{SUBSCRIBE_URL}"')
        page = self.client.get(SUBSCRIBE_URL)
        self.assertEqual(page.status_code, 200)
        for name in ("name", "email", "organisation", "scope", "regulators"):
            self.assertContains(page, f'name="{name}"')
        # Only regulators with public meetings are offered.
        self.assertContains(page, "PMDA")

    def test_subscribe_confirm_and_the_feed_address_works(self):
        response = self.subscribe()
        self.assertRedirects(response, SENT_URL)
        self.assertContains(self.client.get(SENT_URL), "Check your inbox")
        subscriber = Subscriber.objects.get()
        self.assertIsNone(subscriber.confirmed_at)
        self.assertEqual(subscriber.organisation, "Patients for Cell Therapy")
        self.assertFalse(FeedToken.objects.exists())

        [confirmation] = mail.outbox
        self.assertEqual(confirmation.to, ["dana@example.org"])
        self.assertIn("Confirm", confirmation.subject)
        confirm_url = link_to(confirmation, "/calendar/subscribe/confirm/")
        self.assertTrue(confirm_url.startswith("http://testserver/"))

        # Opening the link (as a mail scanner would) confirms nothing.
        page = self.client.get(path_of(confirm_url))
        self.assertContains(page, "Confirm your subscription")
        self.assertContains(page, '<form method="post"')
        subscriber.refresh_from_db()
        self.assertIsNone(subscriber.confirmed_at)
        self.assertFalse(FeedToken.objects.exists())

        # Pressing the button does.
        page = self.client.post(path_of(confirm_url))
        self.assertEqual(page.status_code, 200)
        self.assertIn("private", page["Cache-Control"])
        self.assertIn("no-store", page["Cache-Control"])
        # Never sent to other sites; "no-referrer" would make browsers send "Origin: null"
        # with the page's own forms, which CSRF protection refuses.
        self.assertEqual(page["Referrer-Policy"], "same-origin")
        subscriber.refresh_from_db()
        self.assertIsNotNone(subscriber.confirmed_at)
        [token] = FeedToken.objects.filter(subscriber=subscriber)

        welcome = mail.outbox[-1]
        self.assertEqual(len(mail.outbox), 2)
        https_url = link_to(welcome, "/calendar/feed/")
        webcal_url = [u for u in links(welcome) if u.startswith("webcal://")][0]
        self.assertEqual(webcal_url, "webcal://" + https_url.split("://", 1)[1])
        raw = re.search(r"/calendar/feed/([^/]+)\.ics$", https_url).group(1)
        # Only the hash is stored; the e-mail and the page are the only copies of the secret.
        self.assertEqual(token.token_hash, hashlib.sha256(raw.encode()).hexdigest())
        self.assertContains(page, https_url)
        self.assertContains(page, webcal_url)
        for client in ("Outlook", "Google Calendar", "Apple Calendar"):
            self.assertIn(client, welcome.body)
            self.assertContains(page, client)

        feed = self.feed(https_url)
        self.assertEqual(feed.status_code, 200)
        self.assertTrue(feed["Content-Type"].startswith("text/calendar"))
        body = b"".join(feed.streaming_content) if feed.streaming else feed.content
        self.assertIn(b"Ottawa potency liaison", body)
        self.assertIn(b"Tokyo vector liaison", body)

    # Frozen: a signed link carries the second it was made, so links made a second apart differ.
    @time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC), tick=False)
    def test_every_email_has_a_manage_link_and_list_unsubscribe(self):
        subscriber, _ = self.subscribed()
        self.subscribe()  # already subscribed: a reminder with the manage link
        self.assertEqual(len(mail.outbox), 3)
        manage = subscriptions.manage_url(subscriber)
        for message in mail.outbox:
            with self.subTest(subject=message.subject):
                self.assertIn(manage, message.body)
                header = message.extra_headers["List-Unsubscribe"]
                self.assertRegex(header, r"^<http://testserver/calendar/subscribe/unsubscribe/")
                self.assertEqual(
                    message.extra_headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
                )

    def test_links_do_not_reveal_the_address(self):
        self.subscribe()
        for url in links(mail.outbox[0]):
            token = path_of(url).rstrip("/").split("/")[-1]
            payload = signing.b64_decode(token.split(":")[0].lstrip(".").encode())
            self.assertIn(b'"id"', payload)
            self.assertNotIn(b"dana", payload)
            self.assertNotIn(b"example.org", payload)

    def test_an_unconfirmed_subscriber_has_no_feed(self):
        self.subscribe()
        self.assertFalse(FeedToken.objects.exists())
        # Someone guessing the confirmation page of another id gets nowhere either.
        self.assertEqual(self.client.get("/calendar/subscribe/confirm/1/").status_code, 400)

    def test_chosen_regulators_only(self):
        _, welcome = self.subscribed(scope="chosen", regulators=[self.pmda.pk])
        subscriber = Subscriber.objects.get()
        self.assertFalse(subscriber.all_regulators)
        self.assertEqual(list(subscriber.regulators.all()), [self.pmda])
        feed = self.feed(link_to(welcome, "/calendar/feed/"))
        body = b"".join(feed.streaming_content) if feed.streaming else feed.content
        self.assertIn(b"Tokyo vector liaison", body)
        self.assertNotIn(b"Ottawa potency liaison", body)

    def test_confirming_twice_issues_one_token(self):
        self.subscribe()
        url = path_of(link_to(mail.outbox[0], "/confirm/"))
        self.client.post(url)
        again = self.client.post(url)
        self.assertContains(again, "already confirmed")
        self.assertEqual(FeedToken.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 2)

    def test_the_same_answer_for_new_and_existing_addresses(self):
        new = self.subscribe(email="new@example.org")
        self.subscribed(email="known@example.org")
        mail.outbox.clear()
        known = self.subscribe(email="known@example.org", name="Someone Else")
        self.assertEqual(new.status_code, known.status_code)
        self.assertEqual(new["Location"], known["Location"])
        # The owner of the known address hears of it; nothing about them changes.
        [message] = mail.outbox
        self.assertIn("already subscribed", message.subject)
        self.assertNotIn("/confirm/", message.body)
        self.assertEqual(
            Subscriber.objects.get(email="known@example.org").name, "Dana Stakeholder"
        )
        self.assertEqual(Subscriber.objects.count(), 2)

    def test_addresses_match_whatever_their_case(self):
        self.subscribed(email="dana@example.org")
        mail.outbox.clear()
        self.subscribe(email="Dana@EXAMPLE.org")
        self.assertEqual(Subscriber.objects.count(), 1)
        self.assertIn("already subscribed", mail.outbox[0].subject)
