"""liaison.calendars.ics: every file is read back by independent parsers (vobject, icalendar, ical.js)
and instants are compared in UTC, never as strings."""

import datetime
import re
import zoneinfo

import icalendar
import time_machine
from django.contrib.auth.models import Permission
from django.test import SimpleTestCase, TestCase

from liaison.calendars import ics as ical
from liaison.calendars import vtimezone
from liaison.calendars.ics import Audience, Person
from liaison.models import AgendaItem, Contact, Meeting
from tests.factories import make_user
from tests.js import icaljs
from tests.liaison.calendar_readers import read_vobject
from tests.liaison.factories import make_meeting, make_regulator

UTC = datetime.UTC


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def url_for(meeting):
    return f"https://liaise.example/meetings/{meeting.uuid}/"


def build(meetings, audience=Audience.DELEGATION, **kwargs):
    kwargs.setdefault("url_for", url_for)
    return ical.calendar_bytes(meetings, audience, **kwargs)


def everything():
    return ical.for_calendar(Meeting.objects.all())


def unfolded(data):
    return data.decode("utf-8").replace("\r\n ", "")


def vevents(data):
    return read_vobject(data).vevent_list


# Local wall-clock starts and the instants they are, from the tz database by hand.
CASES = [
    ("America/Toronto", utc(2026, 7, 10, 16)),  # 12:00 EDT
    ("America/Toronto", utc(2026, 1, 15, 17)),  # 12:00 EST
    ("Europe/Amsterdam", utc(2026, 7, 10, 10)),  # 12:00 CEST
    ("Europe/Amsterdam", utc(2026, 1, 15, 11)),  # 12:00 CET
    ("Asia/Tokyo", utc(2026, 7, 10, 3)),  # 12:00 JST
    ("Asia/Tokyo", utc(2026, 1, 15, 3)),
    ("America/Toronto", utc(2041, 7, 10, 16)),  # after 2038: still EDT
    ("Europe/Amsterdam", utc(2041, 1, 15, 11)),
]


class ZonesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        regulators = {}
        cls.meetings = []
        for zone, start in CASES:
            if zone not in regulators:
                regulators[zone] = make_regulator(f"Agency {zone}", zone)
            cls.meetings.append(
                make_meeting(
                    regulators[zone], title=f"Meeting {zone} {start:%Y-%m}", starts_at=start
                )
            )
        cls.data = build(everything())

    def expected(self):
        return {str(m.uuid): m for m in self.meetings}

    def test_vobject_reads_the_stored_instants_in_the_meetings_zones(self):
        expected = self.expected()
        events = vevents(self.data)

        self.assertEqual(len(events), len(CASES))
        for event in events:
            meeting = expected[event.uid.value]
            with self.subTest(meeting=meeting.title):
                # vobject turned the TZID into a tzinfo built from the file's VTIMEZONE.
                zone = event.dtstart.value.tzinfo
                self.assertEqual(repr(zone), f"<tzicalvtz '{meeting.time_zone}'>")
                self.assertEqual(event.dtstart.value.astimezone(UTC), meeting.starts_at)
                self.assertEqual(event.dtend.value.astimezone(UTC), meeting.ends_at)

    def test_icalendar_reads_the_stored_instants(self):
        expected = self.expected()
        calendar = icalendar.Calendar.from_ical(self.data)

        for event in calendar.events:
            meeting = expected[str(event["UID"])]
            with self.subTest(meeting=meeting.title):
                self.assertEqual(event["DTSTART"].params["TZID"], meeting.time_zone)
                self.assertEqual(event.DTSTART.astimezone(UTC), meeting.starts_at)
                self.assertEqual(event.DTEND.astimezone(UTC), meeting.ends_at)

    def test_icaljs_reads_the_stored_instants_from_the_files_own_vtimezones(self):
        expected = self.expected()
        parsed = icaljs.parse(self.data)

        self.assertEqual(parsed["zones"], ["America/Toronto", "Asia/Tokyo", "Europe/Amsterdam"])
        self.assertEqual(len(parsed["events"]), len(CASES))
        for event in parsed["events"]:
            meeting = expected[event["uid"]]
            with self.subTest(meeting=meeting.title):
                self.assertEqual(event["zone"], meeting.time_zone)  # not "floating"
                self.assertEqual(event["start"], f"{meeting.starts_at:%Y-%m-%dT%H:%M:%S}.000Z")
                self.assertEqual(event["end"], f"{meeting.ends_at:%Y-%m-%dT%H:%M:%S}.000Z")
                self.assertEqual(event["sequence"], meeting.sequence)
                self.assertEqual(event["status"], "TENTATIVE")
                self.assertEqual(event["summary"], meeting.title)

    def test_one_vtimezone_per_zone_used(self):
        calendar = icalendar.Calendar.from_ical(self.data)

        tzids = [str(tz["TZID"]) for tz in calendar.timezones]
        self.assertEqual(tzids, ["America/Toronto", "Asia/Tokyo", "Europe/Amsterdam"])
        used = {event["DTSTART"].params["TZID"] for event in calendar.events}
        used |= {event["DTEND"].params["TZID"] for event in calendar.events}
        self.assertEqual(used, set(tzids))
        # Before the events, for clients that read in one pass.
        text = self.data.decode()
        self.assertLess(text.rindex("END:VTIMEZONE"), text.index("BEGIN:VEVENT"))

    def test_vtimezones_give_the_tz_database_offset_on_every_day_of_their_range(self):
        """Read each VTIMEZONE on its own (icalendar with lookup_tzid=False evaluates its
        RRULEs with dateutil) and compare it with zoneinfo at noon UTC every day from 2025
        to 2042, and every hour of the days the clocks change."""
        calendar = icalendar.Calendar.from_ical(self.data)

        for component in calendar.timezones:
            key = str(component["TZID"])
            from_file, real = component.to_tz(lookup_tzid=False), zoneinfo.ZoneInfo(key)
            mismatches = []
            day, last = utc(2025, 1, 1), utc(2043, 1, 1)
            while day < last:
                following = day + datetime.timedelta(days=1)
                changes = (
                    day.astimezone(real).utcoffset() != following.astimezone(real).utcoffset()
                )
                for hour in range(24) if changes else [12]:
                    local = (day + datetime.timedelta(hours=hour)).astimezone(real)
                    if vtimezone.is_ambiguous(local):
                        continue  # such times are written in UTC
                    offset = local.replace(tzinfo=from_file).utcoffset()
                    if offset != local.utcoffset():
                        mismatches.append((local.isoformat(), offset))
                day = following
            self.assertEqual(mismatches, [], key)

    def test_vtimezones_use_yearly_rules_not_lists_of_dates(self):
        text = unfolded(self.data)

        self.assertIn("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", text)  # Toronto
        self.assertIn("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", text)  # Amsterdam
        self.assertNotIn("RDATE", text)
        self.assertNotIn("only works from", text)


class AmbiguousTimeTestCase(TestCase):
    def test_a_local_time_that_happens_twice_is_written_in_utc(self):
        """01:30 on 1 Nov 2026 happens twice in Toronto. Readers disagree on which one a
        local time means (vobject and ical.js take the second), so the instant is exact."""
        regulator = make_regulator()
        first = make_meeting(regulator, title="First", starts_at=utc(2026, 11, 1, 5, 30))
        second = make_meeting(regulator, title="Second", starts_at=utc(2026, 11, 1, 6, 30))
        data = build(everything())

        self.assertIn("DTSTART:20261101T053000Z", unfolded(data))
        starts = {e.summary.value: e.dtstart.value.astimezone(UTC) for e in vevents(data)}
        self.assertEqual(starts, {"First": first.starts_at, "Second": second.starts_at})
        parsed = {e["summary"]: e["start"] for e in icaljs.parse(data)["events"]}
        self.assertEqual(
            parsed, {"First": "2026-11-01T05:30:00.000Z", "Second": "2026-11-01T06:30:00.000Z"}
        )
        self.assertNotIn("BEGIN:VTIMEZONE", data.decode())  # no TZID refers to one


def add_agenda(meeting):
    AgendaItem.objects.create(meeting=meeting, title="Potency assays", sort_order=0, ask="Say yes")
    AgendaItem.objects.create(
        meeting=meeting,
        title="CANARY-CONFIDENTIAL-ITEM",
        sort_order=1,
        confidential=True,
        ask="CANARY-CONFIDENTIAL-ASK",
    )
    AgendaItem.objects.create(
        meeting=meeting, title="Comparability", sort_order=2, ask="CANARY-PUBLIC-ITEM-ASK"
    )


class AudienceTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.organiser = make_user(
            first_name="Olivia", last_name="Organiser", email="canary-organiser@example.org"
        )
        cls.delegate = make_user(
            first_name="Dana", last_name="Delegate", email="canary-delegate@example.org"
        )
        cls.contact = Contact.objects.create(
            name='Dr. O\'Neil, "Jr"; Ünïcødé 日本', email="canary-attendee@example.org"
        )
        cls.meeting = make_meeting(
            make_regulator(),
            title="Annual liaison",
            delegation=[cls.delegate],
            organiser=cls.organiser,
            visibility=Meeting.Visibility.PUBLIC,
            location="Ottawa, Holland Cross",
            join_url="https://canary-join.example/j/123?pwd=secret",
            objectives="CANARY-OBJECTIVES",
            public_summary="We discussed potency.",
            status=Meeting.Status.HELD,
        )
        cls.meeting.attendees.set([cls.contact])
        cls.meeting.save()
        add_agenda(cls.meeting)

    def render(self, audience, **kwargs):
        return unfolded(build(everything(), audience, **kwargs))

    SECRETS = ["CANARY-CONFIDENTIAL-ITEM", "CANARY-CONFIDENTIAL-ASK", "CANARY-OBJECTIVES"]
    ASKS = ["CANARY-PUBLIC-ITEM-ASK"]
    JOIN = ["canary-join.example"]
    PEOPLE = ["canary-attendee@example.org", "canary-delegate@example.org", "O'Neil"]
    ORGANISER = ["canary-organiser@example.org"]

    def assert_shows(self, text, present, absent):
        for canary in present:
            self.assertIn(canary, text)
        for canary in absent:
            self.assertNotIn(canary, text)

    def test_the_summary_of_a_meeting_not_yet_held_stays_out(self):
        for status in ("planned", "confirmed", "postponed", "cancelled"):
            Meeting.objects.filter(pk=self.meeting.pk).update(status=status)
            for audience in Audience:
                with self.subTest(status=status, audience=audience):
                    self.assertNotIn("We discussed potency.", self.render(audience))

    def test_public_sees_public_agenda_titles_and_summary_only(self):
        text = self.render(Audience.PUBLIC)

        self.assert_shows(
            text,
            ["Potency assays", "Comparability", "We discussed potency.", "Ottawa\\, Holland"],
            self.SECRETS + self.ASKS + self.JOIN + self.PEOPLE + self.ORGANISER,
        )
        self.assertNotIn("ORGANIZER", text)
        self.assertNotIn("ATTENDEE", text)
        self.assertIn("CLASS:PUBLIC", text)

    def test_members_also_see_the_organiser(self):
        text = self.render(Audience.MEMBERS)

        self.assert_shows(
            text,
            ["Potency assays"] + self.ORGANISER,
            self.SECRETS + self.ASKS + self.JOIN + self.PEOPLE,
        )

    def test_invitees_see_the_join_link_and_attendees_but_no_confidential_items(self):
        text = self.render(Audience.INVITEE)

        self.assert_shows(
            text,
            ["Potency assays"] + self.JOIN + self.PEOPLE + self.ORGANISER,
            self.SECRETS + self.ASKS,
        )
        self.assertIn(
            "CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Join online:https://canary-join", text
        )

    def test_the_delegation_sees_everything(self):
        text = self.render(Audience.DELEGATION)

        self.assert_shows(
            text,
            self.SECRETS + self.ASKS + self.JOIN + self.PEOPLE + self.ORGANISER,
            [],
        )
        self.assertIn("[Confidential] CANARY-CONFIDENTIAL-ITEM", text)

    def test_agenda_keeps_its_order(self):
        (event,) = vevents(build(everything(), Audience.PUBLIC))

        self.assertIn("Agenda:\n- Potency assays\n- Comparability", event.description.value)

    def test_an_audience_may_not_be_shown_meetings_beyond_its_visibility(self):
        members_only = make_meeting(make_regulator("FDA CBER"), title="Members only")
        confidential = make_meeting(
            make_regulator("EMA"), title="Secret", visibility=Meeting.Visibility.CONFIDENTIAL
        )

        with self.assertRaisesMessage(ValueError, "not for the public audience"):
            build([members_only], Audience.PUBLIC)
        with self.assertRaisesMessage(ValueError, "not for the members audience"):
            build([confidential], Audience.MEMBERS)
        for audience in (Audience.INVITEE, Audience.DELEGATION):
            self.assertIn(b"SUMMARY:Secret", build([confidential], audience))

    def test_audience_per_meeting(self):
        other = make_meeting(make_regulator("FDA CBER"), title="Another")
        add_agenda(other)

        def audience(meeting):
            return Audience.DELEGATION if meeting.pk == self.meeting.pk else Audience.MEMBERS

        events = {
            e.summary.value: e.description.value for e in vevents(build(everything(), audience))
        }
        self.assertIn("CANARY-CONFIDENTIAL-ITEM", events["Annual liaison"])
        self.assertNotIn("CANARY-CONFIDENTIAL-ITEM", events["Another"])

    def test_display_names_are_quoted_and_read_back(self):
        data = build(everything(), Audience.INVITEE)
        text = unfolded(data)

        name = "Dr. O'Neil, Jr; Ünïcødé 日本"  # the double quotes cannot be carried
        self.assertIn(f'ATTENDEE;CN="{name}";ROLE=REQ-PARTICIPANT:mailto:canary-attendee', text)
        self.assertIn("ORGANIZER;CN=Olivia Organiser:mailto:canary-organiser@example.org", text)
        (event,) = vevents(data)
        by_email = {a.value: a.params["CN"] for a in event.attendee_list}
        self.assertEqual(
            by_email,
            {
                "mailto:canary-attendee@example.org": [name],
                "mailto:canary-delegate@example.org": ["Dana Delegate"],
            },
        )
        (event,) = icalendar.Calendar.from_ical(data).events
        self.assertEqual(
            {str(a): a.params["CN"] for a in event["ATTENDEE"]},
            {
                "mailto:canary-attendee@example.org": name,
                "mailto:canary-delegate@example.org": "Dana Delegate",
            },
        )

    def test_the_organiser_is_not_also_an_attendee(self):
        self.meeting.delegation.add(self.organiser)
        self.meeting.save()

        text = self.render(Audience.DELEGATION)
        self.assertEqual(text.count("canary-organiser@example.org"), 1)

    def test_an_invite_asks_each_attendee_to_reply(self):
        data = build(everything(), Audience.INVITEE, method="REQUEST")
        text = unfolded(data)

        self.assertIn("METHOD:REQUEST", text)
        self.assertIn("ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:", text)
        self.assertNotIn("REFRESH-INTERVAL", text)
        self.assertEqual(icaljs.parse(data)["method"], "REQUEST")
        vevents(data)

    def test_an_invite_can_list_only_its_recipient(self):
        recipient = Person("Ann Outsider", "ann@agency.example")
        text = self.render(Audience.INVITEE, method="REQUEST", attendees=[recipient])

        self.assertIn("ATTENDEE;CN=Ann Outsider;ROLE=REQ-PARTICIPANT", text)
        self.assertNotIn("canary-attendee", text)
        with self.assertRaisesMessage(ValueError, "shown no attendees"):
            build(everything(), Audience.PUBLIC, attendees=[recipient])

    def test_a_cancel_says_cancelled(self):
        text = self.render(Audience.INVITEE, method="CANCEL")

        self.assertIn("METHOD:CANCEL", text)
        self.assertIn("STATUS:CANCELLED", text)

    def test_an_invite_needs_an_organiser(self):
        self.meeting.organiser = None
        self.meeting.save()

        with self.assertRaisesMessage(ValueError, "METHOD:REQUEST needs an organiser"):
            build(everything(), Audience.INVITEE, method="REQUEST")

    def test_bad_arguments_are_refused(self):
        with self.assertRaisesMessage(ValueError, "method must be one of"):
            build(everything(), method="request")
        with self.assertRaisesMessage(ValueError, "belongs to feeds"):
            build(everything(), method="REQUEST", refresh=datetime.timedelta(hours=1))
        with self.assertRaises(TypeError):
            build(everything(), "public")

    def test_meeting_event_is_the_same_event_as_an_icalendar_object(self):
        meeting = everything().get()
        event = ical.meeting_event(meeting, Audience.PUBLIC, url_for(meeting))

        self.assertIsInstance(event, icalendar.Event)
        self.assertEqual(str(event["UID"]), str(meeting.uuid))
        self.assertEqual(event.DTSTART.astimezone(UTC), meeting.starts_at)
        self.assertEqual(str(event["URL"]), url_for(meeting))
        self.assertNotIn("ATTENDEE", event)
        (from_file,) = icalendar.Calendar.from_ical(build([meeting], Audience.PUBLIC)).events
        self.assertEqual(event.to_ical(), from_file.to_ical())


class IdentityAndUpdatesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.delegate = make_user(first_name="Dana", email="dana@example.org")
        with time_machine.travel(utc(2026, 3, 1, 9, 30, 15, 123456), tick=False):
            cls.meeting = make_meeting(
                make_regulator(), delegation=[cls.delegate], location="Ottawa"
            )
        add_agenda(cls.meeting)

    def event(self, data=None):
        (event,) = vevents(data or build(everything()))
        return event

    def test_uid_is_the_meetings_uuid_and_nothing_else(self):
        uid = self.event().uid.value

        self.assertEqual(uid, str(self.meeting.uuid))
        self.assertEqual(self.event().uid.value, uid)
        self.assertNotIn("@", uid)

    def test_unchanged_data_gives_byte_identical_files(self):
        first = build(everything(), name="Feed", refresh=datetime.timedelta(hours=1))
        second = build(everything(), name="Feed", refresh=datetime.timedelta(hours=1))

        self.assertEqual(first, second)

    def test_dtstamp_and_last_modified_are_the_last_change(self):
        event = self.event()

        self.assertEqual(event.dtstamp.value, utc(2026, 3, 1, 9, 30, 15))
        self.assertEqual(event.last_modified.value, utc(2026, 3, 1, 9, 30, 15))
        self.assertEqual(event.created.value, utc(2026, 3, 1, 9, 30, 15))

    def test_sequence_rises_when_the_time_changes_and_stamp_follows(self):
        before = self.event()
        meeting = Meeting.objects.get()
        with time_machine.travel(utc(2026, 3, 2, 8), tick=False):
            meeting.starts_at += datetime.timedelta(days=1)
            meeting.ends_at += datetime.timedelta(days=1)
            meeting.save()

        after = self.event()
        self.assertEqual(int(after.sequence.value), int(before.sequence.value) + 1)
        self.assertEqual(int(after.sequence.value), Meeting.objects.get().sequence)
        self.assertEqual(after.dtstamp.value, utc(2026, 3, 2, 8))
        self.assertEqual(after.uid.value, before.uid.value)

    def test_a_new_title_keeps_the_sequence_but_not_the_stamp(self):
        before = self.event()
        meeting = Meeting.objects.get()
        with time_machine.travel(utc(2026, 3, 2, 8), tick=False):
            meeting.title = "Renamed"
            meeting.save()

        after = self.event()
        self.assertEqual(after.sequence.value, before.sequence.value)
        self.assertGreater(after.dtstamp.value, before.dtstamp.value)

    def test_status_mapping(self):
        expected = {
            Meeting.Status.PLANNED: ("TENTATIVE", "", "OPAQUE"),
            Meeting.Status.CONFIRMED: ("CONFIRMED", "", "OPAQUE"),
            Meeting.Status.HELD: ("CONFIRMED", "", "OPAQUE"),
            Meeting.Status.POSTPONED: ("TENTATIVE", "Postponed: ", "TRANSPARENT"),
            Meeting.Status.CANCELLED: ("CANCELLED", "Cancelled: ", "TRANSPARENT"),
        }
        meeting = Meeting.objects.get()
        sequence = meeting.sequence
        for status, (value, prefix, transp) in expected.items():
            with self.subTest(status=status):
                meeting.status = status
                meeting.save()
                if status != Meeting.Status.PLANNED:
                    sequence += 1
                event = self.event()
                self.assertEqual(event.status.value, value)
                self.assertEqual(event.summary.value, prefix + meeting.title)
                self.assertEqual(event.transp.value, transp)
                self.assertEqual(int(event.sequence.value), sequence)
        Meeting.objects.update(status=Meeting.Status.POSTPONED)
        self.assertIn("Postponed: a new date will follow.", self.event().description.value)

    def test_a_feed_is_read_as_a_named_subscription_without_method(self):
        data = build(
            everything(), name="SCGTP: public meetings", refresh=datetime.timedelta(hours=1)
        )
        text = unfolded(data)

        self.assertIn("\r\nNAME:SCGTP: public meetings\r\n", text)
        self.assertIn("\r\nX-WR-CALNAME:SCGTP: public meetings\r\n", text)
        self.assertIn("\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n", text)
        self.assertIn("\r\nX-PUBLISHED-TTL:PT1H\r\n", text)
        self.assertNotIn("METHOD", text)
        self.assertIsNone(icaljs.parse(data)["method"])
        calendar = icalendar.Calendar.from_ical(data)
        self.assertEqual(calendar.refresh_interval, datetime.timedelta(hours=1))

    def add_meetings(self, n):
        for i in range(n):
            meeting = make_meeting(
                make_regulator(f"Agency {i}"),
                title=f"More {i}",
                delegation=[self.delegate],
                organiser=self.delegate,
                visibility=Meeting.Visibility.PUBLIC,
            )
            meeting.attendees.set([Contact.objects.create(name=f"C {i}", email=f"c{i}@x.example")])
            meeting.save()
            add_agenda(meeting)

    def test_the_builder_runs_no_query_per_meeting(self):
        def feeds():
            with self.assertNumQueries(5):  # meetings with organisers, and 4 prefetches
                build(everything())
            with self.assertNumQueries(5):  # meetings with organisers, and 4 row queries
                build(ical.fetch(Meeting.objects.all()))
            with self.assertNumQueries(3):  # the public see no people
                build(ical.fetch(Meeting.objects.public(), Audience.PUBLIC), Audience.PUBLIC)

        Meeting.objects.update(visibility=Meeting.Visibility.PUBLIC)
        feeds()
        self.add_meetings(4)
        feeds()

    def test_fetched_rows_give_the_same_file_as_prefetched_models(self):
        self.add_meetings(2)
        Meeting.objects.update(visibility=Meeting.Visibility.PUBLIC)

        for audience in Audience:
            with self.subTest(audience=audience):
                self.assertEqual(
                    build(ical.fetch(Meeting.objects.all(), audience), audience),
                    build(everything(), audience),
                )
        self.assertEqual(
            build(ical.fetch(Meeting.objects.all())), build(everything(), Audience.DELEGATION)
        )
        self.assertEqual(ical.fetch(Meeting.objects.none()), [])
        # What feeds pass: visible_to (a subquery), distinct and sliced querysets.
        user = make_user(superuser=False)
        user.user_permissions.add(Permission.objects.get(codename="view_meeting"))
        visible = Meeting.objects.visible_to(user)
        self.assertEqual(build(ical.fetch(visible)), build(ical.for_calendar(visible)))
        joined = Meeting.objects.filter(regulators__isnull=False).distinct()
        self.assertIn("DISTINCT", str(joined.query))
        self.assertEqual(build(ical.fetch(joined)), build(ical.for_calendar(joined)))
        first_two = Meeting.objects.order_by("starts_at", "pk")[:2]
        (one, two) = ical.fetch(first_two)
        self.assertEqual(build([one, two]), build(ical.for_calendar(first_two)))

    def test_the_public_fetch_does_not_load_confidential_items(self):
        (meeting,) = ical.fetch(Meeting.objects.all(), Audience.PUBLIC)

        titles = [row.title for row in meeting._calendar_rows["agenda_items"]]
        self.assertEqual(titles, ["Potency assays", "Comparability"])
        self.assertNotIn("delegation", meeting._calendar_rows)


class TextTestCase(SimpleTestCase):
    def meeting(self, **kwargs):
        start = kwargs.pop("starts_at", utc(2026, 7, 10, 16))
        meeting = Meeting(
            title=kwargs.pop("title", "Liaison"),
            time_zone=kwargs.pop("time_zone", "America/Toronto"),
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            visibility=Meeting.Visibility.PUBLIC,
            updated_at=utc(2026, 1, 1),
            **kwargs,
        )
        return meeting

    NASTY = 'Null\x00 vt\x0b esc\x1b del\x7f, semi; colon: "quotes" back\\slash\ttab\r\nnext 😀 日本語 👩‍👩‍👧'

    def test_control_characters_are_dropped_and_the_rest_survives(self):
        meeting = self.meeting(
            title=self.NASTY, location=self.NASTY, public_summary=self.NASTY, status="held"
        )
        meeting.agenda_items = [AgendaItem(title=self.NASTY)]
        data = build([meeting], Audience.PUBLIC)

        self.assertIsNone(re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data))
        line = 'Null vt esc del, semi; colon: "quotes" back\\slash tab next 😀 日本語 👩‍👩‍👧'
        (event,) = vevents(data)
        self.assertEqual(event.summary.value, line)
        self.assertEqual(event.location.value, line)
        self.assertIn(
            'Null vt esc del, semi; colon: "quotes" back\\slash\ttab\nnext 😀',
            event.description.value,
        )
        self.assertIn(f"- {line}", event.description.value)
        (event,) = icalendar.Calendar.from_ical(data).events
        self.assertEqual(str(event["SUMMARY"]), line)
        (parsed,) = icaljs.parse(data)["events"]
        self.assertEqual(parsed["summary"], line)
        self.assertEqual(parsed["location"], line)

    def test_lines_end_in_crlf_and_fold_at_75_octets_between_characters(self):
        long = "日本語のテキスト😀 " * 40 + "x" * 200
        meeting = self.meeting(title=long, location=long, public_summary=long, status="held")
        meeting.attendees = [Contact(name=long, email="a@example.org")]
        data = build([meeting], Audience.DELEGATION)

        self.assertTrue(data.endswith(b"\r\n"))
        self.assertNotIn(b"\r", data.replace(b"\r\n", b""))
        self.assertNotIn(b"\n", data.replace(b"\r\n", b""))
        for line in data.split(b"\r\n"):
            self.assertLessEqual(len(line), 75)
            line.decode("utf-8")  # no sequence split across lines
        (event,) = vevents(data)
        self.assertEqual(event.summary.value, long.strip())

    def test_an_empty_calendar_is_still_valid(self):
        data = ical.calendar_bytes(
            [], Audience.PUBLIC, name="Nothing yet", empty_zone="Europe/Amsterdam"
        )

        calendar = read_vobject(data)
        self.assertEqual(calendar.vtimezone.tzid.value, "Europe/Amsterdam")
        self.assertEqual(list(icalendar.Calendar.from_ical(data).events), [])
        self.assertEqual(icaljs.parse(data)["events"], [])

    def test_vtimezone_is_available_as_an_icalendar_component(self):
        component = vtimezone.vtimezone("America/Toronto", 2041, 2041)

        zone = component.to_tz(lookup_tzid=False)
        self.assertEqual(str(component["TZID"]), "America/Toronto")
        summer = datetime.datetime(2041, 7, 10, 12, tzinfo=zone)
        self.assertEqual(summer.utcoffset(), datetime.timedelta(hours=-4))
        winter = datetime.datetime(2041, 1, 10, 12, tzinfo=zone)
        self.assertEqual(winter.utcoffset(), datetime.timedelta(hours=-5))

    def test_meetings_in_utc_need_no_vtimezone(self):
        data = build([self.meeting(time_zone="UTC")], Audience.PUBLIC)

        self.assertIn(b"DTSTART:20260710T160000Z", data)
        self.assertNotIn(b"VTIMEZONE", data)
        (event,) = vevents(data)
        self.assertEqual(event.dtstart.value, utc(2026, 7, 10, 16))

    def test_a_zone_without_daylight_saving_covers_the_whole_range(self):
        data = build(
            [
                self.meeting(time_zone="Asia/Tokyo", starts_at=utc(2026, 1, 1, 3)),
                self.meeting(time_zone="Asia/Tokyo", starts_at=utc(2044, 12, 31, 3)),
            ],
            Audience.PUBLIC,
        )

        parsed = icaljs.parse(data)["events"]
        self.assertEqual(
            [e["start"] for e in parsed], ["2026-01-01T03:00:00.000Z", "2044-12-31T03:00:00.000Z"]
        )
        self.assertEqual({e["zone"] for e in parsed}, {"Asia/Tokyo"})

    def test_a_zone_whose_rules_changed_gets_one_block_per_rule(self):
        """America/Toronto moved its changes in 2007: meetings either side of it need the
        old rule (first Sunday of April) closed with UNTIL and the new one open."""
        data = build(
            [
                self.meeting(starts_at=utc(2006, 4, 10, 16)),  # 12:00 EDT, old rule
                self.meeting(starts_at=utc(2006, 3, 20, 17)),  # 12:00 EST, would be EDT now
                self.meeting(starts_at=utc(2026, 3, 20, 16)),  # 12:00 EDT
            ],
            Audience.PUBLIC,
        )

        text = unfolded(data)
        self.assertIn("RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060403T070000Z", text)
        self.assertIn("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n", text)
        expected = [
            "2006-03-20T17:00:00.000Z",
            "2006-04-10T16:00:00.000Z",
            "2026-03-20T16:00:00.000Z",
        ]
        self.assertEqual([e["start"] for e in icaljs.parse(data)["events"]], expected)
        self.assertEqual(
            [f"{e.dtstart.value.astimezone(UTC):%Y-%m-%dT%H:%M:%S}.000Z" for e in vevents(data)],
            expected,
        )
