"""Feeds over HTTP: headers, ETag and Last-Modified revalidation, and methods refused."""

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from liaison.calendars import feeds
from tests.liaison.feeds import NOW, FeedTestCase


class FeedHttpTestCase(FeedTestCase):
    def feed_urls(self):
        return [
            ("/calendar/public.ics", "public"),
            ("/calendar/regulators/fda-cber.ics", "public"),
            (f"/calendar/feed/{feeds.issue_token(user=self.delegate)}.ics", "private"),
            (f"/calendar/feed/{feeds.issue_token(subscriber=self.subscriber)}.ics", "private"),
        ]

    def test_headers_whatever_the_accept_header(self):
        for url, cache_kind in self.feed_urls():
            for accept in ("text/html", "*/*", None):
                headers = {"accept": accept} if accept else {}
                response = self.get(url, **headers)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
                self.assertRegex(
                    response["Content-Disposition"],
                    r"^inline; filename=\"[a-z0-9-]+\.ics\"$",
                )
                self.assertTrue(response["Cache-Control"].startswith(cache_kind))
                self.assertTrue(response["ETag"].startswith('"'))
                self.assertIn("Last-Modified", response)
                self.assertNotIn("Vary", response)

    def test_304_on_if_none_match_and_if_modified_since_in_three_queries_at_most(self):
        # The aggregate over the feed's meetings and the society (its name is part of the
        # ETag), after the token or the regulator the address names.
        for url, _kind in self.feed_urls():
            first = self.get(url)  # also records the token's use, so no write follows
            with CaptureQueriesContext(connection) as queries:
                response = self.get(url, if_none_match=first["ETag"])
            self.assertLessEqual(len(queries), 3, url)
            self.assertEqual(response.status_code, 304, url)
            self.assertEqual(response.content, b"")
            self.assertEqual(response["ETag"], first["ETag"])
            with CaptureQueriesContext(connection) as queries:
                response = self.get(url, if_modified_since=first["Last-Modified"])
            self.assertLessEqual(len(queries), 3, url)
            self.assertEqual(response.status_code, 304, url)
            # A stale ETag wins over a current date (RFC 9110 13.2.2).
            response = self.get(
                url, if_none_match='"stale"', if_modified_since=first["Last-Modified"]
            )
            self.assertEqual(response.status_code, 200)

    def test_etag_changes_when_a_meeting_changes_or_is_deleted(self):
        url = "/calendar/public.ics"
        first = self.get(url)
        with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
            self.public.location = "Silver Spring"
            self.public.save()
            changed = self.get(url, if_none_match=first["ETag"])
            self.assertEqual(changed.status_code, 200)
            self.assertIn(b"Silver Spring", changed.content)
            self.assertNotEqual(changed["ETag"], first["ETag"])
        with time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False):
            self.public_hc.delete()  # changes no updated_at of what is left
            gone = self.get(url, if_none_match=changed["ETag"])
            self.assertEqual(gone.status_code, 200)
            self.assertNotEqual(gone["ETag"], changed["ETag"])
            self.assertNotIn(str(self.public_hc.uuid).encode(), gone.content)
            # A client revalidating by date alone gets the new feed too.
            by_date = self.get(url, if_modified_since=changed["Last-Modified"])
            self.assertEqual(by_date.status_code, 200)
            self.assertEqual(
                gone["Last-Modified"],
                http_date((NOW + datetime.timedelta(minutes=10)).timestamp()),
            )

    def test_unchanged_data_gives_identical_bytes_and_etag(self):
        url = f"/calendar/feed/{feeds.issue_token(user=self.delegate)}.ics"
        first, second = self.get(url), self.get(url)
        self.assertEqual(first.content, second.content)
        self.assertEqual(first["ETag"], second["ETag"])

    def test_delegation_change_changes_the_personal_etag(self):
        url = f"/calendar/feed/{feeds.issue_token(user=self.other_delegate)}.ics"
        first = self.get(url)
        self.members.delegation.add(self.other_delegate)
        self.members.save()  # the clock stands still: updated_at is unchanged
        response = self.get(url, if_none_match=first["ETag"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Last-Modified"], first["Last-Modified"])

    def test_post_is_refused(self):
        self.assertEqual(self.client.post("/calendar/public.ics").status_code, 405)
