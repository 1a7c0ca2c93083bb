"""Liaison ▸ Series in the admin: a rule makes the series' meetings, a bad rule gets a message
on the field at fault, an edit reaches the meetings still to come, and a new rule applies from
a chosen day: the meetings before it keep their dates and records under the old calendar
UID, the rest follow the new rule under a new one."""

import datetime
import zoneinfo

import icalendar
import recurring_ical_events
from django.test import TestCase, override_settings
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from liaison.calendars import ics
from liaison.meetings.models import ActionItem, Meeting, MeetingSeries
from liaison.visibility import Audience
from tests.factories import make_user
from tests.js import icaljs
from tests.liaison.calendar_readers import read_vobject
from tests.liaison.factories import make_regulator

UTC = datetime.UTC
TORONTO = zoneinfo.ZoneInfo("America/Toronto")
ADD_URL = "/admin/snippets/liaison/meetingseries/add/"


def edit_url(series):
    return f"/admin/snippets/liaison/meetingseries/edit/{series.pk}/"


def at(*args):
    return datetime.datetime(*args, tzinfo=TORONTO).astimezone(UTC)


def series_form(regulator, delegates=(), **overrides):
    data = {
        "title": "Monthly call with BRDD",
        "regulators": [regulator.pk],
        "kind": "call",
        "visibility": "members",
        "description": "Where we follow up on the annual meeting's asks.",
        "frequency": "monthly_weekday",
        "interval": 1,
        "time_zone": "America/Toronto",
        "local_first_start": "2030-01-08 10:00",
        "duration_minutes": 45,
        "until": "",
        "count": 6,
        "changes_from": "",
        "location": "",
        "join_url": "https://meet.example.org/brdd",
        "organiser": "",
        "delegation": [d.pk for d in delegates],
        "agenda_template": inline_formset(
            [{"title": "Open actions", "duration_minutes": 15, "presenter": "", "background": ""}]
        ),
    }
    data.update(overrides)
    regulators, delegation = data.pop("regulators"), data.pop("delegation")
    form = nested_form_data(data)
    form["regulators"] = regulators
    form["delegation"] = delegation
    return form


@override_settings(PAGE_CACHE_SECONDS=0)
class SeriesAdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")
        cls.delegate = make_user("Liaison delegates")

    def setUp(self):
        self.client.force_login(self.secretariat)

    def create(self, **overrides):
        response = self.client.post(
            ADD_URL, series_form(self.regulator, delegates=[self.delegate], **overrides)
        )
        if response.status_code != 302:
            self.fail(response.context["form"].errors)
        return MeetingSeries.objects.latest("pk")

    def test_a_rule_makes_the_meetings_with_the_template(self):
        series = self.create()

        meetings = list(series.meetings.order_by("starts_at"))
        self.assertEqual(len(meetings), 6)
        self.assertEqual(
            list(Meeting.regulators.through.objects.values_list("regulator_id", flat=True)),
            [self.regulator.pk] * 6,
        )
        self.assertEqual(meetings[0].starts_at, at(2030, 1, 8, 10))
        self.assertEqual(meetings[2].starts_at, at(2030, 3, 12, 10))  # after the clocks change
        self.assertEqual(
            meetings[2].ends_at - meetings[2].starts_at, datetime.timedelta(minutes=45)
        )
        for meeting in meetings:
            self.assertEqual(meeting.title, "Monthly call with BRDD")
            self.assertEqual(list(meeting.delegation.all()), [self.delegate])
            self.assertEqual([a.title for a in meeting.agenda_items.all()], ["Open actions"])
            self.assertEqual(meeting.recurrence_id, meeting.starts_at)

    def test_a_series_without_rule_makes_no_meeting(self):
        series = self.create(frequency="", local_first_start="", count="")

        self.assertFalse(series.has_rule)
        self.assertFalse(series.meetings.exists())

    def assert_refused(self, field, message, **overrides):
        response = self.client.post(ADD_URL, series_form(self.regulator, **overrides))

        self.assertEqual(response.status_code, 200)
        self.assertIn(message, str(response.context["form"].errors.get(field)))
        self.assertFalse(MeetingSeries.objects.exists())
        self.assertFalse(Meeting.objects.exists())

    def test_bad_rules_are_refused_on_the_field_at_fault(self):
        cases = [
            ("interval", "Repeat every 1 to", {"interval": 0}),
            ("until", "end date or a number", {"count": ""}),
            ("count", "not both", {"until": "2030-06-01"}),
            ("count", "1 to 100 meetings", {"count": 101}),
            ("until", "on or after the day", {"count": "", "until": "2029-12-01"}),
            (
                "until",
                "more than 100 meetings",
                {"frequency": "weekly", "count": "", "until": "2033-01-01"},
            ),
            (
                "local_first_start",
                "Not every month has a 31st",
                {"frequency": "monthly_date", "local_first_start": "2030-01-31 10:00"},
            ),
            (
                "local_first_start",
                "does not exist",
                {"frequency": "weekly", "local_first_start": "2030-03-10 02:30"},
            ),
            ("local_first_start", "needs its first meeting", {"local_first_start": ""}),
            ("duration_minutes", "5 minutes to 24 hours", {"duration_minutes": 2}),
        ]
        for field, message, overrides in cases:
            with self.subTest(field=field, message=message):
                self.assert_refused(field, message, **overrides)

    def test_an_edit_reaches_the_meetings_to_come_and_counts_a_new_version(self):
        series = self.create()
        before = series.sequence

        response = self.client.post(
            edit_url(series),
            series_form(self.regulator, title="Monthly call with Health Canada", count=6),
        )

        self.assertEqual(response.status_code, 302)
        series.refresh_from_db()
        self.assertEqual(series.sequence, before + 1)
        self.assertEqual(
            set(series.meetings.values_list("title", flat=True)),
            {"Monthly call with Health Canada"},
        )
        self.assertEqual(series.meetings.count(), 6)

    def test_a_longer_count_makes_the_meetings_it_adds(self):
        series = self.create()
        old_uuid = series.uuid

        self.client.post(
            edit_url(series), series_form(self.regulator, count=8, changes_from="2030-01-01")
        )

        series.refresh_from_db()
        self.assertEqual(series.meetings.count(), 8)
        self.assertNotEqual(series.uuid, old_uuid)  # a new rule is a new calendar series


class RuleChangeTestCase(TestCase):
    """The rule changes from 2030-04-01: January to March stay, with their records."""

    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")

    def setUp(self):
        self.client.force_login(self.secretariat)
        self.client.post(ADD_URL, series_form(self.regulator, visibility="public"))
        self.series = MeetingSeries.objects.get()
        self.old_uuid = self.series.uuid
        january = self.series.meetings.order_by("starts_at").first()
        self.action = ActionItem.objects.create(
            meeting=january, description="Send the comparability data", owner=self.secretariat
        )

    def change(self, **overrides):
        # From April: every other Thursday at 14:00, 5 times.
        data = series_form(
            self.regulator,
            visibility="public",
            frequency="weekly",
            interval=2,
            local_first_start="2030-04-04 14:00",
            count=5,
            **overrides,
        )
        return self.client.post(edit_url(self.series), data)

    def test_a_new_rule_needs_the_day_it_applies_from(self):
        response = self.change()

        self.assertEqual(response.status_code, 200)
        self.assertIn("say from which day", str(response.context["form"].errors["changes_from"]))
        self.assertEqual(self.series.meetings.count(), 6)

    def test_the_past_keeps_its_meetings_and_uid_and_the_future_follows_the_new_rule(self):
        response = self.change(changes_from="2030-04-01")

        self.assertEqual(response.status_code, 302)
        self.series.refresh_from_db()
        kept = self.series.previous
        self.assertEqual(kept.uuid, self.old_uuid)
        self.assertNotEqual(self.series.uuid, self.old_uuid)
        self.assertEqual(
            [m.starts_at for m in kept.meetings.order_by("starts_at")],
            [at(2030, 1, 8, 10), at(2030, 2, 12, 10), at(2030, 3, 12, 10)],
        )
        self.assertEqual(kept.until, datetime.date(2030, 3, 31))
        self.assertTrue(
            ActionItem.objects.filter(pk=self.action.pk, meeting__series=kept).exists()
        )
        self.assertEqual(
            [m.starts_at for m in self.series.meetings.order_by("starts_at")],
            [at(2030, 4, 4, 14) + datetime.timedelta(weeks=2 * n) for n in range(5)],
        )

        # A feed expands both series to exactly the meetings stored.
        data = ics.feed_bytes(Meeting.objects.all(), Audience.PUBLIC)
        calendar = icalendar.Calendar.from_ical(data)
        masters = [e for e in calendar.walk("VEVENT") if "RRULE" in e]
        self.assertEqual(
            {str(e["UID"]) for e in masters}, {str(self.old_uuid), str(self.series.uuid)}
        )
        found = recurring_ical_events.of(calendar).between((2029, 1, 1), (2031, 1, 1))
        stored = sorted(Meeting.objects.values_list("starts_at", flat=True))
        self.assertEqual(sorted(e.decoded("DTSTART").astimezone(UTC) for e in found), stored)
        # ical.js (Thunderbird's parser) and vobject expand both series the same way.
        iso = "%Y-%m-%dT%H:%M:%S.000Z"
        parsed = icaljs.parse(data)
        self.assertEqual(
            sorted(o["start"] for o in parsed["occurrences"]), [s.strftime(iso) for s in stored]
        )
        events = read_vobject(data).vevent_list
        expanded = sorted(
            d.astimezone(UTC) for e in events if hasattr(e, "rrule") for d in e.getrruleset()
        )
        self.assertEqual(expanded, stored)

    def test_a_meeting_with_a_record_in_the_way_stops_the_change(self):
        april = self.series.meetings.get(recurrence_id=at(2030, 4, 9, 10))
        ActionItem.objects.create(meeting=april, description="Chase", owner=self.secretariat)

        response = self.change(changes_from="2030-04-01")

        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "already have a record", str(response.context["form"].errors["changes_from"])
        )
        self.assertEqual(self.series.meetings.count(), 6)

    def test_the_new_first_meeting_cannot_come_before_the_day(self):
        response = self.change(changes_from="2030-05-01")

        self.assertIn(
            "cannot be earlier", str(response.context["form"].errors["local_first_start"])
        )


class SeriesPermissionTestCase(TestCase):
    def test_only_the_secretariat_adds_series(self):
        regulator = make_regulator()
        self.client.force_login(make_user("Liaison delegates"))

        response = self.client.post(ADD_URL, series_form(regulator))

        self.assertIn(response.status_code, (302, 403))
        self.assertFalse(MeetingSeries.objects.exists())


class SeriesVisibilityTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.on_it = make_user("Liaison delegates")
        cls.other = make_user("Liaison delegates")
        cls.secret = MeetingSeries.objects.create(
            title="Confidential talks on shortages",
            time_zone="America/Toronto",
            visibility=Meeting.Visibility.CONFIDENTIAL,
        )
        cls.secret.delegation.set([cls.on_it])
        cls.secret.save()  # parental many-to-many values are stored on save
        cls.open = MeetingSeries.objects.create(
            title="Members' update calls", time_zone="America/Toronto"
        )

    def test_a_confidential_series_is_seen_only_by_its_delegation(self):
        listing = "/admin/snippets/liaison/meetingseries/"
        self.client.force_login(self.other)
        response = self.client.get(listing)

        self.assertContains(response, "Members&#x27; update calls")
        self.assertNotContains(response, "Confidential talks")
        self.assertEqual(self.client.get(edit_url(self.secret)).status_code, 404)
        # Seen but not theirs to change: Wagtail's "no permission" redirect.
        self.assertEqual(self.client.get(edit_url(self.open)).status_code, 302)

        self.client.force_login(self.on_it)
        self.assertContains(self.client.get(listing), "Confidential talks")


class MeetingJoinsSeriesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")
        cls.ctlm = MeetingSeries.objects.create(
            title="Cell Therapy Liaison Meeting", time_zone="America/Toronto", visibility="public"
        )
        cls.calls = MeetingSeries.objects.create(
            title="Monthly calls",
            time_zone="America/Toronto",
            frequency="weekly",
            first_start=at(2030, 1, 8, 10),
            count=2,
        )

    def setUp(self):
        self.client.force_login(self.secretariat)

    def test_a_meeting_joins_a_series_whose_dates_are_chosen(self):
        from tests.liaison.factories import ADD_URL as MEETING_ADD
        from tests.liaison.factories import meeting_form

        response = self.client.post(
            MEETING_ADD, meeting_form(self.regulator, series=self.ctlm.pk, visibility="public")
        )

        self.assertEqual(response.status_code, 302)
        meeting = Meeting.objects.get()
        self.assertEqual(meeting.series, self.ctlm)
        page = self.client.get(f"/admin/snippets/liaison/meeting/inspect/{meeting.pk}/")
        self.assertContains(page, f'href="{edit_url(self.ctlm)}">Cell Therapy Liaison Meeting</a>')

    def test_its_visibility_must_be_the_series(self):
        from tests.liaison.factories import ADD_URL as MEETING_ADD
        from tests.liaison.factories import meeting_form

        response = self.client.post(
            MEETING_ADD, meeting_form(self.regulator, series=self.ctlm.pk, visibility="members")
        )

        self.assertIn("a series shares one visibility", str(response.context["form"].errors))
        self.assertFalse(Meeting.objects.exists())

    def test_a_rule_series_is_not_offered_and_its_meetings_stay_in_it(self):
        from liaison.meetings.series import schedule
        from tests.liaison.factories import ADD_URL as MEETING_ADD
        from tests.liaison.factories import meeting_form

        response = self.client.post(
            MEETING_ADD, meeting_form(self.regulator, series=self.calls.pk)
        )
        self.assertIn("series", response.context["form"].errors)

        meeting = schedule(self.calls)[0]
        edit = f"/admin/snippets/liaison/meeting/edit/{meeting.pk}/"
        self.assertTrue(self.client.get(edit).context["form"].fields["series"].disabled)


class CarryForwardAlongTheSeriesTestCase(TestCase):
    def test_open_actions_follow_the_series_even_with_other_regulators(self):
        from liaison.meetings.series import schedule
        from liaison.visibility import SHARED, carried_forward_actions

        owner = make_user("Secretariat")
        series = MeetingSeries.objects.create(
            title="Monthly calls",
            time_zone="America/Toronto",
            frequency="weekly",
            first_start=at(2030, 1, 8, 10),
            count=3,
        )
        first, second, third = schedule(series)
        # The third meets another office: it shares no regulator with the first.
        third.regulators.set([make_regulator("FDA OTP", "America/New_York")])
        third.save()
        open_action = ActionItem.objects.create(
            meeting=first, description="Send the assay data", owner=owner
        )
        ActionItem.objects.create(
            meeting=first, description="Done already", owner=owner, status="done"
        )

        self.assertEqual(list(carried_forward_actions(third, SHARED)), [open_action])
        self.assertEqual(list(carried_forward_actions(first, SHARED)), [])
