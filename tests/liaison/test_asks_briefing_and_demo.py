"""The ledger where it meets the rest: the delegate briefing shows each item's asks with
their history (and the stakeholder pre-read none), the daily job brings the asks of meetings
nobody saved into the ledger, and the demo data has asks in every status."""

import datetime
import io
from io import StringIO

import docx
import time_machine
from django.core.management import call_command
from django.test import TestCase, override_settings
from django_q.models import Schedule

from advocacy.models import Topic
from liaison import tasks
from liaison.asks import events, ledger
from liaison.asks.models import AgendaAsk, Ask, AskEvent
from liaison.briefings import data as briefing_data
from liaison.briefings import document as briefing
from liaison.models import AgendaItem, Meeting
from tests.liaison.factories import make_meeting, make_regulator

UTC = datetime.UTC
NOW = datetime.datetime(2026, 6, 20, 12, tzinfo=UTC)


def text_of(data):
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return "\n".join(texts)


class BriefingAsksTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        regulator = make_regulator("FDA CBER OTP", "America/New_York")
        cls.earlier = make_meeting(
            regulator, title="Spring call", starts_at=datetime.datetime(2026, 3, 3, 15, tzinfo=UTC),
            status="held",
        )  # fmt: skip
        cls.secret = make_meeting(
            regulator, title="Closed call", starts_at=datetime.datetime(2026, 4, 7, 15, tzinfo=UTC),
            status="held", visibility="confidential",
        )  # fmt: skip
        cls.meeting = make_meeting(
            regulator, title="Summer liaison", starts_at=datetime.datetime(2026, 7, 9, 15, tzinfo=UTC),
            visibility="public",
        )  # fmt: skip
        cls.ask = events.create(
            title="Accept an assay matrix", regulators=[regulator], visibility="public",
            desired_outcome="A matrix of assays as the potency test.",
        )  # fmt: skip
        first = AgendaItem.objects.create(meeting=cls.earlier, title="Potency")
        AgendaAsk.objects.create(agenda_item=first, ask=cls.ask, answer="Send us examples.")
        closed = AgendaItem.objects.create(meeting=cls.secret, title="Potency, privately")
        AgendaAsk.objects.create(agenda_item=closed, ask=cls.ask, answer="SECRET-ANSWER")
        with time_machine.travel(NOW, tick=False):
            events.sync_meeting(cls.earlier)
            events.sync_meeting(cls.secret)
        events.record(cls.ask, ledger.K_NOTE, on=datetime.date(2026, 5, 1), text="SECRET-NOTE",
                      visibility="confidential")  # fmt: skip
        events.record(cls.ask, ledger.K_FOLLOW_UP, on=datetime.date(2026, 5, 2),
                      text="Examples sent by letter.")  # fmt: skip
        item = AgendaItem.objects.create(meeting=cls.meeting, title="Potency again")
        AgendaAsk.objects.create(agenda_item=item, ask=cls.ask)

    def test_the_delegate_briefing_shows_the_history_of_each_items_asks(self):
        loaded = briefing_data.load(self.meeting)
        text = text_of(briefing.build(loaded, "delegate", organisation="Society"))

        self.assertIn(f"Ask {self.ask.reference}: Accept an assay matrix (follow-up)", text)
        self.assertIn("A matrix of assays as the potency test.", text)
        self.assertIn("Send us examples.", text)
        self.assertIn("Examples sent by letter.", text)
        self.assertIn("at Spring call", text)
        # The whole delegation reads it: nothing of a confidential meeting or event.
        for secret in ("SECRET-ANSWER", "SECRET-NOTE", "Closed call"):
            self.assertNotIn(secret, text)

    def test_the_pre_read_shows_no_ask(self):
        loaded = briefing_data.load(self.meeting)
        text = text_of(briefing.build(loaded, "pre-read", organisation="Society"))

        self.assertIn("Potency again", text)
        for word in (self.ask.reference, "Accept an assay matrix", "Send us examples."):
            self.assertNotIn(word, text)

    def test_loading_the_asks_takes_the_same_queries_for_one_or_many(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        briefing_data.load(self.meeting)  # the site's root paths, cached once
        with CaptureQueriesContext(connection) as one:
            briefing_data.load(self.meeting)
        item = self.meeting.agenda_items.get()
        for n in range(5):
            more = events.create(title=f"Ask {n}", regulators=list(self.ask.regulators.all()))
            AgendaAsk.objects.create(agenda_item=item, ask=more)
            events.record(more, ledger.K_ACKNOWLEDGED, on=datetime.date(2026, 5, 3))
        with CaptureQueriesContext(connection) as many:
            loaded = briefing_data.load(self.meeting)

        self.assertEqual(len(many), len(one))
        self.assertEqual(len(loaded.items[0].asks), 6)


class DailyJobTestCase(TestCase):
    def test_a_meeting_nobody_saved_after_it_brings_its_asks_in(self):
        regulator = make_regulator()
        meeting = make_meeting(regulator, starts_at=NOW - datetime.timedelta(days=2))
        ask = events.create(title="Follow-up durations", regulators=[regulator])
        item = AgendaItem.objects.create(meeting=meeting, title="Follow-up")
        AgendaAsk.objects.create(agenda_item=item, ask=ask, answer="We will consider it.")

        with time_machine.travel(NOW, tick=False):
            recorded = tasks.record_asks_of_past_meetings()
            again = tasks.record_asks_of_past_meetings()

        ask.refresh_from_db()
        self.assertEqual(recorded, 2)
        self.assertEqual(again, 0)
        self.assertEqual(ask.status, ledger.ANSWERED)
        self.assertEqual(ask.raised_on, meeting.local_start.date())

    def test_it_runs_every_day(self):
        schedule = Schedule.objects.get(name="Asks of past meetings")
        self.assertEqual(schedule.func, "liaison.tasks.record_asks_of_past_meetings")
        self.assertEqual(schedule.schedule_type, Schedule.DAILY)


@override_settings(DEBUG=True)  # the demo accounts
class DemoLedgerTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_a_dozen_asks_in_every_status(self):
        current = Ask.objects.current()
        self.assertGreaterEqual(current.count(), 12)
        self.assertEqual(
            set(current.values_list("status", flat=True)) - {""}, set(dict(ledger.STATUSES))
        )
        self.assertTrue(Ask.objects.filter(merged_into__isnull=False).exists())
        self.assertTrue(Ask.objects.filter(visibility="confidential").exists())
        for ask in Ask.objects.filter(status=ledger.MET):
            self.assertTrue(ask.events.filter(kind=ledger.K_EVIDENCE).exclude(url="").exists())

    def test_every_stored_state_is_the_replay_of_its_events(self):
        for ask in Ask.objects.all():
            with self.subTest(ask=ask.reference):
                replayed = ledger.replay(
                    e.as_ledger_event() for e in ask.events.order_by("occurred_on", "pk")
                )
                self.assertEqual(ask.state, replayed)

    def test_three_years_of_meetings_with_fda_and_health_canada(self):
        for acronym in ("FDA CBER OTP", "Health Canada BRDD"):
            with self.subTest(regulator=acronym):
                held = Meeting.objects.filter(regulators__acronym=acronym, status="held")
                years = {m.local_start.year for m in held}
                self.assertGreaterEqual(len(years), 3, years)
                raised_at = AskEvent.objects.filter(
                    kind=ledger.K_RAISED, meeting__regulators__acronym=acronym
                )
                self.assertGreaterEqual(len({e.meeting.local_start.year for e in raised_at}), 2)

    def test_asks_are_filed_under_topics(self):
        self.assertTrue(Topic.objects.filter(asks__isnull=False).exists())


class StaleSaveTestCase(TestCase):
    def test_saving_an_ask_loaded_before_an_event_keeps_the_ledgers_state(self):
        regulator = make_regulator()
        ask = events.create(title="Durations", regulators=[regulator])
        stale = Ask.objects.get(pk=ask.pk)  # an edit form opened now
        events.record(ask, ledger.K_ACKNOWLEDGED, on=datetime.date(2026, 5, 3))

        stale.title = "Risk-based durations"
        stale.save()

        ask.refresh_from_db()
        self.assertEqual((ask.title, ask.status), ("Risk-based durations", ledger.ACKNOWLEDGED))
        self.assertEqual(list(ask.regulators.all()), [regulator])
