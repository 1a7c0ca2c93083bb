"""Day-long and multi-day meetings: entered as days, stored from midnight of the first day to
midnight after the last in the meeting's zone, written to calendars as DATE values with an
exclusive end, and shown as days ("Thursday 19 November 2026 (all day)") everywhere."""

import datetime
import zoneinfo

import icalendar
from django.test import SimpleTestCase, TestCase, override_settings
from wagtail.test.utils.form_data import inline_formset

from liaison.calendars import ics
from liaison.meetings.models import Meeting, all_day_bounds, days_text
from liaison.visibility import Audience
from tests.factories import make_user
from tests.js import icaljs
from tests.liaison.calendar_readers import read_vobject
from tests.liaison.factories import ADD_URL, make_meeting, make_regulator, meeting_form

UTC = datetime.UTC
TORONTO = zoneinfo.ZoneInfo("America/Toronto")
D = datetime.date


class DaysTextTestCase(SimpleTestCase):
    def test_one_day(self):
        self.assertEqual(
            days_text(D(2026, 11, 19), D(2026, 11, 19)), "Thursday 19 November 2026 (all day)"
        )

    def test_days_in_one_month(self):
        self.assertEqual(
            days_text(D(2026, 12, 7), D(2026, 12, 9)), "Monday 7 – Wednesday 9 December 2026"
        )

    def test_days_across_months_and_years(self):
        self.assertEqual(
            days_text(D(2026, 11, 30), D(2026, 12, 1)),
            "Monday 30 November – Tuesday 1 December 2026",
        )
        self.assertEqual(
            days_text(D(2026, 12, 30), D(2027, 1, 1)),
            "Wednesday 30 December 2026 – Friday 1 January 2027",
        )


class BoundsTestCase(SimpleTestCase):
    def test_midnight_to_midnight_in_the_zone(self):
        starts, ends = all_day_bounds(D(2026, 11, 19), D(2026, 11, 19), "America/Toronto")

        self.assertEqual(starts, datetime.datetime(2026, 11, 19, 5, tzinfo=UTC))
        self.assertEqual(ends, datetime.datetime(2026, 11, 20, 5, tzinfo=UTC))

    def test_across_a_clock_change_the_days_stay_whole(self):
        # Toronto's clocks go back on 1 November 2026: the three days are 73 hours long.
        starts, ends = all_day_bounds(D(2026, 10, 31), D(2026, 11, 2), "America/Toronto")

        self.assertEqual(starts.astimezone(TORONTO).time(), datetime.time(0))
        self.assertEqual(ends.astimezone(TORONTO).time(), datetime.time(0))
        self.assertEqual(ends - starts, datetime.timedelta(hours=73))

    def test_a_midnight_the_clocks_skip_starts_at_the_first_moment_of_the_day(self):
        # Chile moved its clocks from 00:00 to 01:00 on 8 September 2024.
        santiago = zoneinfo.ZoneInfo("America/Santiago")
        starts, ends = all_day_bounds(D(2024, 9, 8), D(2024, 9, 8), santiago)

        self.assertEqual(
            starts.astimezone(santiago).replace(tzinfo=None), datetime.datetime(2024, 9, 8, 1)
        )
        self.assertEqual(
            ends.astimezone(santiago).replace(tzinfo=None), datetime.datetime(2024, 9, 9)
        )


def all_day_meeting(regulator, first, last, **kw):
    starts, ends = all_day_bounds(first, last, regulator.time_zone)
    meeting = make_meeting(regulator, starts_at=starts, all_day=True, **kw)
    meeting.ends_at = ends
    meeting.save()
    return meeting


class AllDayCalendarTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.ctlm = all_day_meeting(
            cls.regulator,
            D(2026, 11, 19),
            D(2026, 11, 19),
            title="Liaison day",
            visibility="public",
        )
        cls.summit = all_day_meeting(
            cls.regulator,
            D(2026, 10, 31),
            D(2026, 11, 2),
            title="Policy Summit",
            visibility="public",
        )
        cls.timed = make_meeting(cls.regulator, title="Working call", visibility="public")

    def calendar(self):
        meetings = ics.fetch(Meeting.objects.order_by("starts_at"), Audience.PUBLIC)
        return ics.calendar_bytes(meetings, Audience.PUBLIC)

    def test_icalendar_reads_dates_with_an_exclusive_end(self):
        events = {
            str(e["UID"]): e for e in icalendar.Calendar.from_ical(self.calendar()).walk("VEVENT")
        }

        ctlm, summit = events[str(self.ctlm.uuid)], events[str(self.summit.uuid)]
        self.assertEqual(ctlm.decoded("DTSTART"), D(2026, 11, 19))
        self.assertEqual(ctlm.decoded("DTEND"), D(2026, 11, 20))
        self.assertEqual(summit.decoded("DTSTART"), D(2026, 10, 31))
        self.assertEqual(summit.decoded("DTEND"), D(2026, 11, 3))
        self.assertEqual(ctlm["DTSTART"].params.get("VALUE"), "DATE")
        timed = events[str(self.timed.uuid)].decoded("DTSTART")
        self.assertEqual(timed, self.timed.starts_at)

    def test_vobject_and_icaljs_read_the_same_days(self):
        data = self.calendar()

        for event in read_vobject(data).vevent_list:
            if str(event.uid.value) == str(self.summit.uuid):
                self.assertEqual(event.dtstart.value, D(2026, 10, 31))
                self.assertEqual(event.dtend.value, D(2026, 11, 3))
        parsed = {e["uid"]: e for e in icaljs.parse(data)["events"]}
        summit = parsed[str(self.summit.uuid)]
        self.assertTrue(summit["all_day"])
        self.assertEqual((summit["start_date"], summit["end_date"]), ("2026-10-31", "2026-11-03"))
        self.assertFalse(parsed[str(self.timed.uuid)]["all_day"])

    def test_a_calendar_of_all_day_meetings_alone_needs_no_time_zone(self):
        meetings = ics.fetch(Meeting.objects.filter(all_day=True), Audience.PUBLIC)
        data = ics.calendar_bytes(meetings, Audience.PUBLIC)

        self.assertNotIn(b"BEGIN:VTIMEZONE", data)
        self.assertEqual(len(icalendar.Calendar.from_ical(data).walk("VEVENT")), 2)

    def test_the_public_page_and_feed_say_the_days(self):
        page = self.client.get(f"/meetings/{self.summit.uuid}/")
        one_day = self.client.get(f"/meetings/{self.ctlm.uuid}/")

        self.assertContains(page, "Saturday 31 October – Monday 2 November 2026")
        self.assertNotContains(page, "UTC")
        self.assertContains(one_day, "Thursday 19 November 2026 (all day)")
        self.assertEqual(self.summit.when_local(), "Saturday 31 October – Monday 2 November 2026")
        self.assertEqual(self.summit.days(), [D(2026, 10, 31), D(2026, 11, 1), D(2026, 11, 2)])


@override_settings(PAGE_CACHE_SECONDS=0)
class AllDayFormTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")

    def setUp(self):
        self.client.force_login(self.secretariat)

    def post(self, **overrides):
        data = meeting_form(
            self.regulator, all_day="on", local_start="", local_end="", **overrides
        )
        return self.client.post(ADD_URL, data)

    def test_days_are_stored_from_midnight_to_midnight_in_the_zone(self):
        response = self.post(first_day="2026-12-07", last_day="2026-12-09")

        self.assertEqual(response.status_code, 302)
        meeting = Meeting.objects.get()
        self.assertTrue(meeting.all_day)
        self.assertEqual(meeting.starts_at, datetime.datetime(2026, 12, 7, 5, tzinfo=UTC))
        self.assertEqual(meeting.ends_at, datetime.datetime(2026, 12, 10, 5, tzinfo=UTC))

    def test_one_day_needs_no_last_day(self):
        self.post(first_day="2026-11-19")

        meeting = Meeting.objects.get()
        self.assertEqual((meeting.first_day, meeting.last_day), (D(2026, 11, 19), D(2026, 11, 19)))

    def assert_refused(self, field, message, **overrides):
        response = self.post(**overrides)

        self.assertEqual(response.status_code, 200)
        self.assertIn(message, str(response.context["form"].errors.get(field)))
        self.assertFalse(Meeting.objects.exists())

    def test_bad_days_are_refused_with_a_message(self):
        self.assert_refused("first_day", "Enter the first day", first_day="")
        self.assert_refused(
            "last_day", "cannot be before the first", first_day="2026-12-09", last_day="2026-12-07"
        )
        self.assert_refused(
            "last_day", "14 days at most", first_day="2026-12-01", last_day="2026-12-31"
        )
        self.assert_refused("first_day", "Enter a date between", first_day="9999-01-01")

    def test_a_timed_meeting_still_needs_its_times(self):
        data = meeting_form(self.regulator, local_start="", local_end="")
        response = self.client.post(ADD_URL, data)

        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "Enter the date and time", str(response.context["form"].errors["local_start"])
        )

    def test_the_edit_form_offers_the_stored_days(self):
        self.post(first_day="2026-12-07", last_day="2026-12-09")
        meeting = Meeting.objects.get()

        response = self.client.get(f"/admin/snippets/liaison/meeting/edit/{meeting.pk}/")

        form = response.context["form"]
        self.assertEqual(form.initial["first_day"], D(2026, 12, 7))
        self.assertEqual(form.initial["last_day"], D(2026, 12, 9))
        self.assertContains(response, "liaison/meeting_all_day.js")

    def test_changing_the_days_raises_the_sequence(self):
        self.post(first_day="2026-12-07", last_day="2026-12-09")
        meeting = Meeting.objects.get()
        before = meeting.sequence

        meeting.ends_at += datetime.timedelta(days=1)
        meeting.save()

        self.assertEqual(meeting.sequence, before + 1)


def agenda(*days):
    return inline_formset(
        [
            {
                "title": f"Item {n}",
                "duration_minutes": 30,
                "day": "" if day is None else day,
                "presenter": "",
                "ask": "",
                "background": "",
                "talking_points": "",
                "confidential": False,
                "regulator_response": "",
                "decision": "",
                "outcome_notes": "",
                "ask_links": inline_formset([]),
            }
            for n, day in enumerate(days, 1)
        ]
    )


@override_settings(PAGE_CACHE_SECONDS=0)
class AgendaByDayTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")

    def setUp(self):
        self.client.force_login(self.secretariat)

    def post(self, *days, **overrides):
        fields = {
            "all_day": "on",
            "local_start": "",
            "local_end": "",
            "first_day": "2026-12-07",
            "last_day": "2026-12-09",
            "agenda_items": agenda(*days),
            **overrides,
        }
        data = meeting_form(self.regulator, **fields)
        return self.client.post(ADD_URL, data)

    def test_items_are_grouped_by_their_day(self):
        self.assertEqual(self.post(2, None, 3, 2).status_code, 302)
        meeting = Meeting.objects.get()

        groups = meeting.agenda_by_day(list(meeting.agenda_items.order_by("sort_order")))

        self.assertEqual(
            [(day, [i.title for i in items]) for day, items in groups],
            [
                (D(2026, 12, 7), ["Item 2"]),
                (D(2026, 12, 8), ["Item 1", "Item 4"]),
                (D(2026, 12, 9), ["Item 3"]),
            ],
        )

    def test_a_day_the_meeting_does_not_run_on_is_refused(self):
        response = self.post(1, 4)

        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].formsets["agenda_items"].forms[1].errors
        self.assertIn("choose a day from 1 to 3", str(errors["day"]))
        self.assertFalse(Meeting.objects.exists())

    def test_a_one_day_meeting_has_no_day_two(self):
        response = self.post(2, last_day="")

        errors = response.context["form"].formsets["agenda_items"].forms[0].errors
        self.assertIn("runs on one day only", str(errors["day"]))
        self.assertFalse(Meeting.objects.exists())

    def test_a_one_day_meeting_is_one_group(self):
        self.post(None, None, last_day="")
        meeting = Meeting.objects.get()

        groups = meeting.agenda_by_day(list(meeting.agenda_items.all()))

        self.assertEqual([(day, len(items)) for day, items in groups], [(None, 2)])

    def test_the_meeting_page_lists_the_items_under_their_days_without_clock_times(self):
        self.post(2, None, 3)
        meeting = Meeting.objects.get()

        response = self.client.get(f"/admin/snippets/liaison/meeting/inspect/{meeting.pk}/")

        html = response.content.decode()
        days = [
            f'<h3 class="w-h4">{day}</h3>'
            for day in (
                "Monday 7 December 2026",
                "Tuesday 8 December 2026",
                "Wednesday 9 December 2026",
            )
        ]
        positions = [html.index(day) for day in days]
        self.assertEqual(positions, sorted(positions))
        self.assertLess(html.index("Item 2"), positions[1])
        self.assertLess(positions[1], html.index("Item 1"))
        self.assertLess(positions[2], html.index("Item 3"))
        self.assertNotIn("00:00", html)
        self.assertContains(response, "Monday 7 – Wednesday 9 December 2026")

    def test_briefings_say_the_days_and_list_the_items_under_them(self):
        import io

        import docx

        from liaison.briefings import data as briefing_data
        from liaison.briefings import document as briefing

        self.post(2, None, 3)
        meeting = Meeting.objects.get()
        loaded = briefing_data.load(meeting.pk)

        for audience in ("delegate", "pre-read"):
            with self.subTest(audience=audience):
                built = docx.Document(
                    io.BytesIO(briefing.build(loaded, audience, organisation="SCGTP"))
                )
                text = "\n".join(p.text for p in built.paragraphs)
                self.assertIn("Monday 7 – Wednesday 9 December 2026", text)
                self.assertNotIn("In UTC", text)
                self.assertNotIn("00:00", text)
                table = next(t for t in built.tables if t.rows[0].cells[1].text == "Item")
                self.assertEqual(table.rows[0].cells[0].text, "Day")
                self.assertEqual(
                    [(r.cells[0].text, r.cells[1].text) for r in table.rows[1:]],
                    [("Mon 7 Dec", "Item 2"), ("Tue 8 Dec", "Item 1"), ("Wed 9 Dec", "Item 3")],
                )

    def test_invitations_say_the_days_and_carry_dates(self):
        from liaison.calendars import invitations
        from liaison.calendars.ics import Person
        from liaison.visibility import Audience

        self.post(None, last_day="")
        meeting = Meeting.objects.get()
        meeting.organiser = make_user("Secretariat", email="sam@example.org")
        meeting.save()
        recipient = invitations.Recipient("Dana Ng", "dana@example.org", Audience.DELEGATION)
        organiser = Person("Sam Lee", "sam@example.org")

        message = invitations.build_message(
            meeting, recipient, [Person("Dana Ng", "dana@example.org")], "REQUEST", organiser
        )

        self.assertIn("Monday 7 December 2026 (all day)", message.subject)
        self.assertIn("When:   Monday 7 December 2026 (all day)\n", message.body)
        self.assertNotIn("UTC", message.body)
        calendar = icalendar.Calendar.from_ical(message.attachments[0][1])
        (event,) = calendar.walk("VEVENT")
        self.assertEqual(event.decoded("DTSTART"), D(2026, 12, 7))
        self.assertEqual(event.decoded("DTEND"), D(2026, 12, 8))

    def test_the_public_page_lists_the_items_under_their_days_and_links_the_series(self):
        from liaison.meetings.models import MeetingSeries

        self.post(2, None, 3, visibility="public")
        meeting = Meeting.objects.get()
        meeting.series = MeetingSeries.objects.create(
            title="Policy Summits", time_zone="America/Toronto", visibility="public"
        )
        meeting.save()

        self.client.logout()
        html = self.client.get(f"/meetings/{meeting.uuid}/").content.decode()

        days = [
            f'<h3 class="agenda__day">{day}</h3>'
            for day in (
                "Monday 7 December 2026",
                "Tuesday 8 December 2026",
                "Wednesday 9 December 2026",
            )
        ]
        positions = [html.index(day) for day in days]
        self.assertEqual(positions, sorted(positions))
        self.assertLess(positions[0], html.index("Item 2"))
        self.assertLess(html.index("Item 2"), positions[1])
        self.assertLess(positions[2], html.index("Item 3"))
        self.assertIn(f'href="/series/{meeting.series.uuid}/">Policy Summits</a>', html)
