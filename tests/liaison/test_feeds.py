"""Calendar downloads and feeds: who sees what, tokens, HTTP validators, query counts."""

import datetime
import hashlib
import io
import re

import time_machine
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from liaison.calendars import feeds
from liaison.models import AgendaItem, Contact, FeedToken, Subscriber
from tests.factories import make_user
from tests.js import icaljs
from tests.liaison.bulk import add_meetings
from tests.liaison.test_ical import read_vobject
from tests.liaison.test_meeting_admin import make_meeting, make_regulator
from tests.liaison.test_public_leaks import PublicLeakTestCase

UTC = datetime.UTC
NOW = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)


def at(days, hour=13):
    return (NOW + datetime.timedelta(days=days)).replace(hour=hour, minute=0)


def text(data):
    """The calendar as text with folded lines joined, so a search cannot miss a value."""
    return data.decode("utf-8").replace("\r\n ", "")


def check_instants(test, data, meetings):
    """vobject (validating) and ical.js read the same UTC instants as the database holds."""
    by_uid = {str(m.uuid): m for m in meetings}
    calendar = read_vobject(data)
    events = getattr(calendar, "vevent_list", [])
    test.assertEqual({str(e.uid.value) for e in events}, set(by_uid))
    for event in events:
        meeting = by_uid[str(event.uid.value)]
        test.assertEqual(event.dtstart.value.astimezone(UTC), meeting.starts_at)
        test.assertEqual(event.dtend.value.astimezone(UTC), meeting.ends_at)
    parsed = icaljs.parse(data)
    test.assertEqual({e["uid"] for e in parsed["events"]}, set(by_uid))
    for event in parsed["events"]:
        meeting = by_uid[event["uid"]]
        test.assertNotEqual(event["zone"], "floating")
        test.assertEqual(
            event["start"], meeting.starts_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), event
        )
        test.assertEqual(event["end"], meeting.ends_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    return parsed


@time_machine.travel(NOW, tick=False)
class FeedTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.fda = make_regulator("FDA CBER", zone="America/New_York")
        cls.hc = make_regulator("Health Canada BRDD", zone="America/Toronto")
        cls.delegate = make_user("Liaison delegates", email="delegate-canary@example.org")
        cls.other_delegate = make_user("Liaison delegates")
        cls.secretariat = make_user("Secretariat")
        cls.outsider = make_user()
        cls.contact = Contact.objects.create(
            name="Dr Attendee", email="attendee-canary@regulator.example"
        )
        cls.public = make_meeting(
            cls.fda, title="Public potency meeting", visibility="public", starts_at=at(10)
        )
        cls.public_hc = make_meeting(
            cls.hc, title="Public Canada meeting", visibility="public", starts_at=at(20)
        )
        cls.members = make_meeting(
            cls.fda,
            title="Members canary meeting",
            visibility="members",
            starts_at=at(12),
            organiser=cls.secretariat,
        )
        cls.confidential = make_meeting(
            cls.fda,
            title="Confidential canary meeting",
            visibility="confidential",
            starts_at=at(14),
            delegation=[cls.delegate],
            objectives="Secret objective canary",
        )
        cls.confidential.attendees.set([cls.contact])
        cls.confidential.save()  # modelcluster keeps the m2m in memory until saved
        AgendaItem.objects.create(
            meeting=cls.public, title="Hidden agenda canary", confidential=True, ask="Ask canary"
        )
        AgendaItem.objects.create(meeting=cls.public, title="Open agenda item")
        cls.cancelled = make_meeting(
            cls.hc,
            title="Called off meeting",
            visibility="public",
            status="cancelled",
            starts_at=at(-30),
        )
        cls.old = make_meeting(
            cls.fda, title="Long ago meeting", visibility="public", starts_at=at(-120)
        )
        cls.subscriber = Subscriber.objects.create(
            name="Stake Holder", email="holder@example.org", confirmed_at=NOW
        )

    def setUp(self):
        cache.clear()

    def get(self, url, **headers):
        return self.client.get(url, headers=headers)


class TokenTests(FeedTestCase):
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

    def test_personal_feed_urls(self):
        https, webcal = feeds.personal_feed_urls("https://liaise.example/", "abc")
        self.assertEqual(https, "https://liaise.example/calendar/feed/abc.ics")
        self.assertEqual(webcal, "webcal://liaise.example/calendar/feed/abc.ics")
        request = self.client.get("/").wsgi_request
        https, webcal = feeds.personal_feed_urls(request, "abc")
        self.assertEqual(https, "http://testserver/calendar/feed/abc.ics")

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


class WhoSeesWhatTests(FeedTestCase):
    CANARIES = (
        "canary meeting",
        "Hidden agenda canary",
        "Ask canary",
        "Secret objective canary",
        "attendee-canary@",
        "delegate-canary@",
    )

    def assert_no_canaries(self, data):
        content = text(data)
        for canary in self.CANARIES:
            self.assertNotIn(canary, content)
        for meeting in (self.members, self.confidential):
            self.assertNotIn(str(meeting.uuid), content)

    def test_public_feed_has_public_meetings_in_the_window_only(self):
        response = self.get("/calendar/public.ics")
        self.assertEqual(response.status_code, 200)
        data = response.content
        self.assert_no_canaries(data)
        parsed = check_instants(self, data, [self.public, self.public_hc, self.cancelled])
        content = text(data)
        self.assertNotIn(str(self.old.uuid), content)  # ended over 90 days ago
        status = {e["uid"]: e["status"] for e in parsed["events"]}
        self.assertEqual(status[str(self.cancelled.uuid)], "CANCELLED")
        self.assertNotIn("METHOD:", content)
        self.assertIn("X-WR-CALNAME:", content)
        self.assertIn("REFRESH-INTERVAL;VALUE=DURATION:PT1H", content)
        self.assertIn("X-PUBLISHED-TTL:PT1H", content)
        self.assertIn("Open agenda item", content)

    def test_window_edge(self):
        # Ended 89 days ago: in; ended 91 days ago: out.
        inside = make_meeting(
            self.fda, title="Inside", visibility="public", starts_at=at(-89, hour=8)
        )
        outside = make_meeting(
            self.fda, title="Outside", visibility="public", starts_at=at(-91, hour=16)
        )
        content = text(self.get("/calendar/public.ics").content)
        self.assertIn(str(inside.uuid), content)
        self.assertNotIn(str(outside.uuid), content)

    def test_regulator_feed(self):
        for key in ("fda-cber", str(self.fda.pk)):
            data = self.get(f"/calendar/regulators/{key}.ics").content
            self.assert_no_canaries(data)
            check_instants(self, data, [self.public])
        data = self.get("/calendar/regulators/health-canada-brdd.ics").content
        check_instants(self, data, [self.public_hc, self.cancelled])
        self.assertEqual(self.get("/calendar/regulators/nobody.ics").status_code, 404)
        self.assertEqual(self.get("/calendar/regulators/999999.ics").status_code, 404)
        # Digits that are not ASCII ("²", Arabic-Indic) are not ids: a 404, not a crash.
        for key in ("%C2%B2", "%D9%A3"):
            self.assertEqual(self.get(f"/calendar/regulators/{key}.ics").status_code, 404)

    def test_a_regulator_with_no_public_meeting_has_no_feed(self):
        hidden = make_regulator("EMA CAT", zone="Europe/Amsterdam")
        make_meeting(hidden, title="Members only with EMA", visibility="members")
        make_meeting(hidden, title="Confidential with EMA", visibility="confidential")
        unknown = self.get("/calendar/regulators/999999.ics")
        for key in ("ema-cat", str(hidden.pk)):
            response = self.get(f"/calendar/regulators/{key}.ics")
            self.assertEqual(response.status_code, 404)
            self.assertEqual(response.content, unknown.content)
        self.assertNotIn("EMA CAT", self.get("/calendar/").content.decode())

    def test_regulators_whose_acronyms_give_one_slug_are_named_by_id(self):
        twin = make_regulator("FDA  CBER", zone="America/Chicago")
        make_meeting(twin, title="Twin meeting", visibility="public", starts_at=at(3))
        index = self.get("/calendar/").content.decode()
        self.assertIn(f"/calendar/regulators/{self.fda.pk}.ics", index)
        self.assertIn(f"/calendar/regulators/{twin.pk}.ics", index)
        self.assertNotIn("/calendar/regulators/fda-cber.ics", index)
        data = self.get(f"/calendar/regulators/{twin.pk}.ics").content
        self.assertIn("Twin meeting", text(data))
        self.assertNotIn("Public potency meeting", text(data))

    def test_delegates_confidential_meeting_is_in_their_feed_only(self):
        mine = self.get(f"/calendar/feed/{feeds.issue_token(user=self.delegate)}.ics").content
        check_instants(
            self,
            mine,
            [self.public, self.public_hc, self.cancelled, self.members, self.confidential],
        )
        content = text(mine)
        self.assertIn("Confidential canary meeting", content)
        self.assertIn("Secret objective canary", content)  # DELEGATION audience on their own
        self.assertIn("attendee-canary@regulator.example", content)
        self.assertNotIn("Hidden agenda canary", content)  # MEMBERS audience elsewhere

        theirs = self.get(
            f"/calendar/feed/{feeds.issue_token(user=self.other_delegate)}.ics"
        ).content
        check_instants(self, theirs, [self.public, self.public_hc, self.cancelled, self.members])
        for canary in ("Confidential canary", "Secret objective", "attendee-canary@"):
            self.assertNotIn(canary, text(theirs))
        self.assertNotIn(str(self.confidential.uuid), text(theirs))

        subscriber = self.get(
            f"/calendar/feed/{feeds.issue_token(subscriber=self.subscriber)}.ics"
        ).content
        self.assert_no_canaries(subscriber)
        check_instants(self, subscriber, [self.public, self.public_hc, self.cancelled])

    def test_secretariat_sees_everything_in_full(self):
        data = self.get(f"/calendar/feed/{feeds.issue_token(user=self.secretariat)}.ics").content
        check_instants(
            self,
            data,
            [self.public, self.public_hc, self.cancelled, self.members, self.confidential],
        )
        self.assertIn("Hidden agenda canary", text(data))

    def test_outsider_without_permission_gets_an_empty_calendar(self):
        data = self.get(f"/calendar/feed/{feeds.issue_token(user=self.outsider)}.ics").content
        check_instants(self, data, [])

    def test_subscriber_with_chosen_regulators(self):
        self.subscriber.all_regulators = False
        self.subscriber.save()
        self.subscriber.regulators.set([self.hc])
        data = self.get(f"/calendar/feed/{feeds.issue_token(subscriber=self.subscriber)}.ics")
        check_instants(self, data.content, [self.public_hc, self.cancelled])

    def test_public_meeting_download(self):
        response = self.get(f"/calendar/meetings/{self.public.uuid}.ics")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertTrue(response["Content-Disposition"].startswith("attachment; filename="))
        self.assert_no_canaries(response.content)
        check_instants(self, response.content, [self.public])
        unknown = self.get("/calendar/meetings/00000000-0000-4000-8000-000000000000.ics")
        self.assertEqual(unknown.status_code, 404)
        for meeting in (self.members, self.confidential):
            response = self.get(f"/calendar/meetings/{meeting.uuid}.ics")
            self.assertEqual(response.status_code, 404)
            self.assertEqual(response.content, unknown.content)

    def test_public_pages_link_to_calendars(self):
        page = self.get(f"/meetings/{self.public.uuid}/").content.decode()
        self.assertIn(f"/calendar/meetings/{self.public.uuid}.ics", page)
        listing = self.get("/meetings/").content.decode()
        self.assertIn("/calendar/", listing)
        index = self.get("/calendar/").content.decode()
        self.assertIn("webcal://testserver/calendar/public.ics", index)
        self.assertIn("/calendar/regulators/fda-cber.ics", index)


class HttpTests(FeedTestCase):
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
                    r"^inline; filename=\"[a-z0-9-]+\.ics\"; filename\*=UTF-8''[a-z0-9-]+\.ics$",
                )
                self.assertTrue(response["Cache-Control"].startswith(cache_kind))
                self.assertTrue(response["ETag"].startswith('"'))
                self.assertIn("Last-Modified", response)
                self.assertNotIn("Vary", response)

    def test_304_on_if_none_match_and_if_modified_since_in_two_queries(self):
        for url, _kind in self.feed_urls():
            first = self.get(url)  # also records the token's use, so no write follows
            with CaptureQueriesContext(connection) as queries:
                response = self.get(url, if_none_match=first["ETag"])
            self.assertLessEqual(len(queries), 2, url)
            self.assertEqual(response.status_code, 304, url)
            self.assertEqual(response.content, b"")
            self.assertEqual(response["ETag"], first["ETag"])
            with CaptureQueriesContext(connection) as queries:
                response = self.get(url, if_modified_since=first["Last-Modified"])
            self.assertLessEqual(len(queries), 2, url)
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


@time_machine.travel(NOW, tick=False)
class QueryCountTests(TestCase):
    """A full feed costs the same number of queries for 3 meetings as for 40."""

    @classmethod
    def setUpTestData(cls):
        cls.regulators = [
            make_regulator("FDA CBER"),
            make_regulator("EMA", zone="Europe/Amsterdam"),
        ]
        cls.delegate = make_user("Liaison delegates")
        cls.subscriber = Subscriber.objects.create(
            name="S", email="s@example.org", confirmed_at=NOW, all_regulators=False
        )
        cls.subscriber.regulators.set(cls.regulators)

    def count(self, url):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries), response

    def test_query_count_does_not_grow_with_meetings(self):
        urls = [
            "/calendar/public.ics",
            "/calendar/regulators/fda-cber.ics",
            f"/calendar/feed/{feeds.issue_token(user=self.delegate)}.ics",
            f"/calendar/feed/{feeds.issue_token(subscriber=self.subscriber)}.ics",
        ]
        add_meetings(3, self.regulators, self.delegate)
        small = {}
        for url in urls:
            small[url], response = self.count(url)
        add_meetings(37, self.regulators, self.delegate, start=3)
        for url in urls:
            with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
                large, response = self.count(url)
            self.assertEqual(large, small[url], url)
            self.assertGreater(len(read_vobject(response.content).vevent_list), 5)
            self.assertLessEqual(large, 9, url)


class AdminTests(FeedTestCase):
    def ics_url(self, meeting):
        return f"/admin/calendar/meetings/{meeting.pk}.ics"

    def test_delegate_downloads_their_confidential_meeting_in_full(self):
        self.client.force_login(self.delegate)
        response = self.client.get(self.ics_url(self.confidential))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        check_instants(self, response.content, [self.confidential])
        self.assertIn("Secret objective canary", text(response.content))

    def test_secretariat_gets_delegation_others_members(self):
        self.client.force_login(self.secretariat)
        data = self.client.get(self.ics_url(self.public)).content
        self.assertIn("Hidden agenda canary", text(data))
        self.client.force_login(self.other_delegate)
        data = self.client.get(self.ics_url(self.public)).content
        check_instants(self, data, [self.public])
        self.assertNotIn("Hidden agenda canary", text(data))
        self.assertIn("Open agenda item", text(data))

    def test_others_may_not_download_a_confidential_meeting(self):
        self.client.force_login(self.other_delegate)
        response = self.client.get(self.ics_url(self.confidential))
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b"canary", response.content)
        self.assertEqual(self.client.get("/admin/calendar/meetings/999999.ics").status_code, 404)
        # An admin user without meeting permissions.
        editor = make_user("Policy editors")
        editor.groups.clear()
        editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
        self.client.force_login(editor)
        response = self.client.get(self.ics_url(self.confidential))
        # Wagtail answers PermissionDenied in the admin with a redirect to the dashboard.
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertNotIn(b"canary", response.content)
        self.client.logout()
        response = self.client.get(self.ics_url(self.public))
        self.assertEqual(response.status_code, 302)  # to the login page

    def test_download_is_linked_from_listing_and_edit_page(self):
        self.client.force_login(self.delegate)
        listing = self.client.get("/admin/snippets/liaison/meeting/").content.decode()
        self.assertIn(self.ics_url(self.confidential), listing)
        edit = self.client.get(
            f"/admin/snippets/liaison/meeting/edit/{self.confidential.pk}/"
        ).content.decode()
        self.assertIn(self.ics_url(self.confidential), edit)

    def test_personal_feed_page_create_rotate_revoke(self):
        self.client.force_login(self.delegate)
        dashboard = self.client.get("/admin/").content.decode()
        self.assertIn("/admin/calendar-feed/", dashboard)
        page = self.client.get("/admin/calendar-feed/")
        self.assertContains(page, "Make my feed address")
        response = self.client.post("/admin/calendar-feed/", {"action": "create"})
        self.assertIn("no-store", response["Cache-Control"])
        content = response.content.decode()
        token = FeedToken.objects.get(user=self.delegate, revoked_at__isnull=True)
        https = re.search(r'value="(http://testserver/calendar/feed/[^"]+\.ics)"', content)[1]
        webcal = re.search(r'href="(webcal://testserver/calendar/feed/[^"]+\.ics)"', content)[1]
        self.assertEqual(https.split("://")[1], webcal.split("://")[1])
        raw = https.rsplit("/", 1)[1].removesuffix(".ics")
        self.assertEqual(token.token_hash, feeds.hash_token(raw))
        self.assertIn("Outlook", content)
        self.assertIn("Google", content)
        self.assertIn("Apple", content)
        # Shown once: the page does not show it again.
        self.assertNotIn(raw, self.client.get("/admin/calendar-feed/").content.decode())
        self.client.logout()
        self.assertEqual(self.client.get(https).status_code, 200)

        self.client.force_login(self.delegate)
        rotated = self.client.post("/admin/calendar-feed/", {"action": "rotate"}).content.decode()
        new = re.search(r'value="http://testserver/calendar/feed/([^"]+)\.ics"', rotated)[1]
        self.assertNotEqual(new, raw)
        self.assertEqual(self.client.get(https).status_code, 404)
        self.assertEqual(self.client.get(f"/calendar/feed/{new}.ics").status_code, 200)
        self.client.post("/admin/calendar-feed/", {"action": "revoke"})
        self.assertEqual(self.client.get(f"/calendar/feed/{new}.ics").status_code, 404)
        self.assertFalse(FeedToken.objects.filter(revoked_at__isnull=True).exists())

    def test_feed_page_needs_meeting_permission(self):
        nobody = make_user()
        nobody.user_permissions.add(Permission.objects.get(codename="access_admin"))
        self.client.force_login(nobody)
        response = self.client.get("/admin/calendar-feed/")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertNotIn("/admin/calendar-feed/", self.client.get("/admin/").content.decode())


@time_machine.travel(NOW, tick=False)
class FeedLeakTests(TestCase):
    """The leak walk's canaries (tests/liaison/test_public_leaks.py) searched for in the
    public feeds and downloads and in a subscriber's feed with folded lines joined, where a
    plain search of the bytes could miss a canary cut by folding."""

    item = staticmethod(PublicLeakTestCase.item)

    @classmethod
    def setUpTestData(cls):
        PublicLeakTestCase.setUpTestData.__func__(cls)
        cls.subscriber = Subscriber.objects.create(
            name="S", email="leak-subscriber@example.org", confirmed_at=NOW
        )

    def test_no_canary_in_public_calendars(self):
        urls = [
            "/calendar/public.ics",
            "/calendar/regulators/health-canada-brdd.ics",
            f"/calendar/meetings/{self.public.uuid}.ics",
            f"/calendar/meetings/{self.held.uuid}.ics",
            f"/calendar/feed/{feeds.issue_token(subscriber=self.subscriber)}.ics",
        ]
        for url in urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            content = text(response.content)
            self.assertTrue(str(self.public.uuid) in content or str(self.held.uuid) in content)
            for label, value in self.canaries.items():
                self.assertNotIn(value, content, f"{label} in {url}")
            for meeting in (self.members, self.secret):
                self.assertNotIn(str(meeting.uuid), content)
