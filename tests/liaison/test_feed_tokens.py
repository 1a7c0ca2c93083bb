"""Feed tokens: secret, stored as a hash, rotated and revoked, and unknown ones all alike."""

import datetime
import hashlib
import io

import time_machine
from django.core.management import call_command

from liaison.calendars import feeds
from liaison.models import FeedToken, Subscriber
from tests.factories import make_user
from tests.liaison.feeds import NOW, FeedTestCase


class FeedTokenTestCase(FeedTestCase):
    def test_token_is_random_long_and_only_its_hash_is_stored(self):
        raw = feeds.issue_token(user=self.delegate)
        self.assertGreaterEqual(len(raw), 43)  # 32 bytes, base64: 256 bits
        token = FeedToken.objects.get(user=self.delegate)
        self.assertEqual(token.token_hash, hashlib.sha256(raw.encode()).hexdigest())
        dump = io.StringIO()
        call_command("dumpdata", format="json", stdout=dump)  # the whole database
        self.assertIn(token.token_hash, dump.getvalue())
        self.assertNotIn(raw, dump.getvalue())
        self.assertNotEqual(raw, feeds.issue_token(user=self.delegate))

    def test_holder_is_a_user_or_a_subscriber(self):
        with self.assertRaises(ValueError):
            feeds.issue_token()
        with self.assertRaises(ValueError):
            feeds.issue_token(user=self.delegate, subscriber=self.subscriber)

    def test_rotation_invalidates_the_old_address(self):
        old = feeds.issue_token(user=self.delegate)
        self.assertEqual(self.get(f"/calendar/feed/{old}.ics").status_code, 200)
        new = feeds.rotate_token(user=self.delegate)
        self.assertEqual(self.get(f"/calendar/feed/{old}.ics").status_code, 404)
        self.assertEqual(self.get(f"/calendar/feed/{new}.ics").status_code, 200)

    def test_revoked_and_unknown_tokens_give_the_same_404(self):
        raw = feeds.issue_token(subscriber=self.subscriber)
        self.assertTrue(feeds.revoke(raw))
        self.assertFalse(feeds.revoke(raw))
        revoked = self.get(f"/calendar/feed/{raw}.ics")
        unknown = self.get(f"/calendar/feed/{'x' * len(raw)}.ics")
        self.assertEqual(revoked.status_code, 404)
        self.assertEqual(unknown.status_code, 404)
        self.assertEqual(revoked.content, unknown.content)
        self.assertEqual(revoked["Content-Type"], unknown["Content-Type"])

    def test_unconfirmed_subscribers_and_inactive_users_get_the_same_404(self):
        unknown = self.get("/calendar/feed/nothing-here.ics")
        pending = Subscriber.objects.create(name="P", email="pending@example.org")
        gone = make_user("Liaison delegates", is_active=False)
        for holder in ({"subscriber": pending}, {"user": gone}):
            raw = feeds.issue_token(**holder)
            response = self.get(f"/calendar/feed/{raw}.ics")
            self.assertEqual(response.status_code, 404)
            self.assertEqual(response.content, unknown.content)

    def test_personal_feed_addresses_are_on_base_url_in_https_and_webcal(self):
        with self.settings(BASE_URL="https://liaise.example"):
            https, webcal = feeds.personal_feed_urls("abc")
        self.assertEqual(https, "https://liaise.example/calendar/feed/abc.ics")
        self.assertEqual(webcal, "webcal://liaise.example/calendar/feed/abc.ics")

    def test_last_used_is_recorded_at_most_once_a_minute(self):
        raw = feeds.issue_token(user=self.delegate)
        url = f"/calendar/feed/{raw}.ics"
        self.get(url)
        token = FeedToken.objects.get(user=self.delegate)
        self.assertEqual(token.last_used_at, NOW)
        with time_machine.travel(NOW + datetime.timedelta(seconds=30), tick=False):
            self.get(url)
        token.refresh_from_db()
        self.assertEqual(token.last_used_at, NOW)
        later = NOW + datetime.timedelta(minutes=2)
        with time_machine.travel(later, tick=False):
            self.get(url)
        token.refresh_from_db()
        self.assertEqual(token.last_used_at, later)
