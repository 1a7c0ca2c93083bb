"""Stakeholder self-service at /calendar/subscribe/: double opt-in, manage links, rate limits,
hostile input, and the Secretariat's subscriber list."""

import datetime
import hashlib
import re
from urllib.parse import urlsplit

import time_machine
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client, TestCase

from liaison.calendars import subscriptions
from liaison.models import FeedToken, Subscriber
from tests.factories import make_user
from tests.liaison.test_meeting_admin import make_meeting, make_regulator

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
    @classmethod
    def setUpTestData(cls):
        cls.hc = make_regulator("Health Canada BRDD", "America/Toronto")
        cls.pmda = make_regulator("PMDA", "Asia/Tokyo")
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


class DoubleOptInTests(SubscriptionTestCase):
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


class BadLinkTests(SubscriptionTestCase):
    def test_an_expired_confirmation_link_confirms_nothing(self):
        start = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            self.subscribe()
        url = path_of(link_to(mail.outbox[0], "/confirm/"))
        with time_machine.travel(start + datetime.timedelta(days=3, minutes=1), tick=False):
            for response in (self.client.get(url), self.client.post(url)):
                self.assertContains(response, "This link has expired", status_code=400)
        self.assertIsNone(Subscriber.objects.get().confirmed_at)
        self.assertFalse(FeedToken.objects.exists())

    def test_a_tampered_link_confirms_nothing(self):
        self.subscribe()
        token = path_of(link_to(mail.outbox[0], "/confirm/")).split("/")[-2]
        other = self.subscribe(email="other@example.org")
        self.assertEqual(other.status_code, 302)
        payload, _, signature = token.partition(":")
        forged = [
            token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
            f"{payload}x:{signature}",
            token[: len(token) // 2],
            # A manage link is not a confirmation link.
            subscriptions.manage_token(Subscriber.objects.get(email="dana@example.org")),
        ]
        for value in forged:
            with self.subTest(value=value):
                url = f"/calendar/subscribe/confirm/{value}/"
                self.assertContains(self.client.post(url), "not valid", status_code=400)
        self.assertFalse(Subscriber.objects.filter(confirmed_at__isnull=False).exists())
        self.assertFalse(FeedToken.objects.exists())

    def test_a_link_for_a_removed_subscriber_is_404(self):
        self.subscribe()
        url = path_of(link_to(mail.outbox[0], "/confirm/"))
        Subscriber.objects.all().delete()
        self.assertContains(self.client.post(url), "no longer exists", status_code=404)

    def test_a_signed_link_does_not_open_a_later_subscriber_with_the_same_id(self):
        self.subscribe()
        subscriber = Subscriber.objects.get()
        stale = signing.dumps(
            {"id": subscriber.pk, "e": subscriptions.email_digest("someone-else@example.org")},
            salt=subscriptions.MANAGE_SALT,
        )
        response = self.client.get(f"/calendar/subscribe/manage/{stale}/")
        self.assertEqual(response.status_code, 404)


class RateLimitTests(SubscriptionTestCase):
    def test_too_many_requests_from_one_address(self):
        for n in range(subscriptions.REQUESTS_PER_IP):
            self.assertEqual(self.subscribe(email=f"p{n}@example.org").status_code, 302)
        response = self.subscribe(email="one-more@example.org")
        self.assertContains(response, "Please wait", status_code=429)
        self.assertIn("Retry-After", response)
        self.assertFalse(Subscriber.objects.filter(email="one-more@example.org").exists())
        self.assertEqual(len(mail.outbox), subscriptions.REQUESTS_PER_IP)
        # Another visitor is not held up.
        other = Client(REMOTE_ADDR="192.0.2.99")
        self.assertEqual(self.subscribe(client=other, email="x@example.org").status_code, 302)

    def test_mistakes_do_not_use_up_the_limit_but_hammering_does(self):
        for _ in range(subscriptions.REQUESTS_PER_IP + 2):
            self.assertEqual(self.subscribe(email="typo").status_code, 200)
        self.assertEqual(self.subscribe().status_code, 302)
        for _ in range(subscriptions.POSTS_PER_IP):
            self.subscribe(email="typo")
        self.assertEqual(self.subscribe(email="typo").status_code, 429)

    def test_the_limit_lifts_after_an_hour(self):
        start = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            for n in range(subscriptions.REQUESTS_PER_IP + 1):
                self.subscribe(email=f"p{n}@example.org")
        with time_machine.travel(start + datetime.timedelta(minutes=30), tick=False):
            self.assertEqual(self.subscribe(email="soon@example.org").status_code, 429)
        with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
            self.assertEqual(self.subscribe(email="later@example.org").status_code, 302)

    def test_too_many_emails_to_one_address(self):
        for n in range(subscriptions.EMAILS_PER_ADDRESS):
            client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
            self.assertEqual(self.subscribe(client=client).status_code, 302)
        client = Client(REMOTE_ADDR="198.51.100.7")
        self.assertEqual(self.subscribe(client=client).status_code, 429)
        self.assertEqual(len(mail.outbox), subscriptions.EMAILS_PER_ADDRESS)

    def test_behind_the_proxy_the_client_is_the_last_forwarded_address(self):
        with self.settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
            for n in range(subscriptions.REQUESTS_PER_IP):
                client = Client(HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.5")
                self.assertEqual(self.subscribe(client, email=f"p{n}@x.org").status_code, 302)
            # A forged first entry does not buy more requests.
            client = Client(HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5")
            self.assertEqual(self.subscribe(client, email="more@x.org").status_code, 429)
            # Another client behind the same proxy is counted apart.
            client = Client(HTTP_X_FORWARDED_FOR="203.0.113.6")
            self.assertEqual(self.subscribe(client, email="next@x.org").status_code, 302)


class ManageTests(SubscriptionTestCase):
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
        mailer = Client(enforce_csrf_checks=True)
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
        browser = Client(enforce_csrf_checks=True)
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


class HostileInputTests(SubscriptionTestCase):
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
        self.assertEqual(mail.outbox, [])

    def test_a_regulator_seen_only_in_confidential_meetings_is_not_offered(self):
        secret = make_regulator("Secret Agency", "Europe/London")
        make_meeting(secret, title="Quiet talk", visibility="confidential")
        page = self.client.get(SUBSCRIBE_URL)
        self.assertNotContains(page, "Secret Agency")
        response = self.subscribe(scope="chosen", regulators=[secret.pk])
        self.assertIn("regulators", response.context["form"].errors)


class SubscriberAdminTests(SubscriptionTestCase):
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


class MailFailureTestCase(TestCase):
    """A mail server that is down gives a page saying so, never a 500, and loses nothing."""

    def setUp(self):
        from django.core.cache import cache

        cache.clear()

    def test_a_failed_confirmation_mail_says_try_again(self):
        import smtplib
        from unittest import mock

        from liaison.models import Subscriber

        with mock.patch(
            "django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPException("down")
        ):
            response = self.client.post(
                "/calendar/subscribe/",
                {"name": "Grace Liu", "email": "grace@example.org", "scope": "all"},
            )

        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "could not send the e-mail", status_code=503)
        self.assertTrue(Subscriber.objects.filter(email="grace@example.org").exists())
