"""Who sees what in which calendar: the public and regulator feeds, personal feeds of
delegates, the Secretariat, outsiders and subscribers, and single-meeting downloads."""

from liaison.calendars import feeds
from tests.liaison.calendar_readers import check_instants
from tests.liaison.factories import make_meeting, make_regulator
from tests.liaison.feeds import FeedTestCase, at, text


class WhoSeesWhatInFeedsTestCase(FeedTestCase):
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
        twin = make_regulator("FDA  CBER", zone="America/Chicago", listed=True)
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
