"""liaison.briefings: every document is reopened with python-docx and its package XML read
part by part (document, headers, footers, numbering, relationships, core properties)."""

import dataclasses
import datetime
import io
import re
import zipfile

import docx
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext
from docx.shared import Emu

from advocacy.models import PositionPage
from liaison.briefings import data as briefing_data
from liaison.briefings import document as briefing
from liaison.models import ActionItem, AgendaItem, Contact, Meeting, Organisation
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import make_meeting, make_regulator

UTC = datetime.UTC
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
TODAY = datetime.date(2026, 6, 1)

# Strings that must never reach a pre-read.
CANARIES = [
    "CANARY-CONF-TITLE",
    "CANARY-CONF-ASK",
    "CANARY-CONF-TALK",
    "CANARY-CONF-BACKGROUND",
    "CANARY-CONF-NOTES",
    "CANARY-CONF-DECISION",
    "CANARY-CONF-RESPONSE",
    "CANARY-CONF-PRESENTER",
    "CANARY-PUBLIC-TALK",
    "CANARY-PUBLIC-ASK",
    "CANARY-PUBLIC-NOTES",
    "CANARY-OBJECTIVES",
    "CANARY-JOIN",
    "CANARY-DELEGATE-NAME",
    "CANARY-ACTION",
    "CANARY-EARLIER",
    "CANARY-DRAFT-POSITION",
]


def open_docx(data):
    return docx.Document(io.BytesIO(data))


def package_text(data):
    """Every part of the package as text (XML parts decoded; binary parts skipped)."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                parts[name] = archive.read(name).decode("utf-8")
    return parts


def headings(document):
    return [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]


def body_text(document):
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return "\n".join(texts)


def field_instructions(element):
    return [t.text for t in element.iter(f"{W}instrText")]


class BriefingData(TestCase):
    """A meeting with a public and a confidential item, people, history and actions."""

    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        index = make_position_index()
        cls.adopted = make_position(
            index,
            title="Potency matrix position",
            policy_status=PositionPage.Status.ADOPTED,
            adopted_on=datetime.date(2025, 3, 4),
            summary="Matrices are fine.",
        )
        cls.old = make_position(
            index, title="Old potency position", policy_status=PositionPage.Status.SUPERSEDED
        )
        cls.withdrawn = make_position(
            index, title="Withdrawn stance", policy_status=PositionPage.Status.WITHDRAWN
        )
        cls.overdue = make_position(
            index,
            title="Overdue review stance",
            policy_status=PositionPage.Status.ADOPTED,
            adopted_on=datetime.date(2024, 1, 1),
            review_by=datetime.date(2025, 1, 1),
        )
        cls.draft = make_position(index, title="CANARY-DRAFT-POSITION", live=False)
        cls.delegate = make_user(first_name="Priya", last_name="CANARY-DELEGATE-NAME")
        cls.organisation = Organisation.objects.create(name="Cell Therapy Patients Canada")
        cls.contact = Contact.objects.create(
            name="Dr. Anne Official",
            job_title="Director",
            regulator=cls.regulator,
            email="anne@hc.example",
        )
        cls.stakeholder = Contact.objects.create(
            name="Sam Stakeholder", organisation=cls.organisation, email="sam@ctpc.example"
        )
        earlier = make_meeting(
            cls.regulator,
            title="Spring liaison",
            starts_at=datetime.datetime(2026, 3, 1, 14, tzinfo=UTC),
        )
        AgendaItem.objects.create(
            meeting=earlier, title="CANARY-EARLIER item", regulator_response="Agreed to look."
        )
        AgendaItem.objects.create(
            meeting=earlier,
            title="CANARY-EARLIER-SECRET item",
            regulator_response="CANARY-EARLIER-SECRET said",
            decision="CANARY-EARLIER-SECRET decided",
            confidential=True,
        )
        ActionItem.objects.create(
            meeting=earlier,
            description="Send the CANARY-EARLIER data",
            owner=cls.delegate,
            due_date=datetime.date(2026, 4, 1),
        )
        # An earlier confidential meeting with the same regulator: its delegation is not
        # this meeting's, so nothing of it belongs in this meeting's briefings.
        closed = make_meeting(
            cls.regulator,
            title="CANARY-CLOSED-MEETING",
            visibility="confidential",
            starts_at=datetime.datetime(2026, 4, 1, 14, tzinfo=UTC),
        )
        AgendaItem.objects.create(
            meeting=closed, title="CANARY-CLOSED-ITEM", regulator_response="CANARY-CLOSED-SAID"
        )
        ActionItem.objects.create(
            meeting=closed, description="CANARY-CLOSED-ACTION", owner=cls.delegate
        )
        cls.meeting = make_meeting(
            cls.regulator,
            delegation=[cls.delegate],
            objectives="Get CANARY-OBJECTIVES agreed.",
            location="Ottawa, Holland Cross",
            join_url="https://meet.example/CANARY-JOIN",
            visibility=Meeting.Visibility.CONFIDENTIAL,
        )
        cls.meeting.attendees.set([cls.contact, cls.stakeholder])
        cls.meeting.save()  # modelcluster keeps m2m values in memory until save
        public = AgendaItem.objects.create(
            meeting=cls.meeting,
            sort_order=0,
            title="Potency assays",
            duration_minutes=30,
            presenter="Priya",
            ask="CANARY-PUBLIC-ASK accept matrices",
            background="Public background on assays.",
            talking_points="- CANARY-PUBLIC-TALK one\n- second point\n- third point",
            outcome_notes="CANARY-PUBLIC-NOTES",
            decision="Matrices accepted",
            regulator_response="They will publish guidance.",
        )
        public.cited_positions.set([cls.adopted, cls.old, cls.withdrawn, cls.overdue, cls.draft])
        public.save()
        AgendaItem.objects.create(
            meeting=cls.meeting,
            sort_order=1,
            title="CANARY-CONF-TITLE",
            duration_minutes=20,
            presenter="CANARY-CONF-PRESENTER",
            ask="CANARY-CONF-ASK",
            background="CANARY-CONF-BACKGROUND",
            talking_points="1. CANARY-CONF-TALK\n2. another",
            outcome_notes="CANARY-CONF-NOTES",
            decision="CANARY-CONF-DECISION",
            regulator_response="CANARY-CONF-RESPONSE",
            confidential=True,
        )
        AgendaItem.objects.create(
            meeting=cls.meeting,
            sort_order=2,
            title="Next steps",
            duration_minutes=10,
            presenter="Chair",
            talking_points="a\nb",
        )
        ActionItem.objects.create(
            meeting=cls.meeting,
            description="Circulate CANARY-ACTION minutes",
            owner=cls.delegate,
            due_date=datetime.date(2026, 6, 20),
        )

    def make(self, audience, today=TODAY, **kwargs):
        kwargs.setdefault("organisation", "Cell Therapy Society")
        loaded = briefing_data.load(self.meeting.pk, today=today)
        return briefing.build(loaded, audience, **kwargs)


class DelegateBriefingTests(BriefingData):
    def setUp(self):
        self.data = self.make("delegate", reader_zone="Europe/Berlin")
        self.doc = open_docx(self.data)
        self.text = body_text(self.doc)

    def test_headings_in_order_with_heading_styles(self):
        found = headings(self.doc)
        level1 = [text for style, text in found if style == "Heading 1"]
        self.assertEqual(
            level1,
            [
                "Contents",
                "Delegation and attendees",
                "Objectives",
                "Agenda",
                "Agenda items",
                "Open follow-ups from earlier meetings",
                "Earlier meetings with these regulators",
                "Contacts",
                "Annex A. Cited positions, as published",
            ],
        )
        level2 = [text for style, text in found if style == "Heading 2"]
        self.assertEqual(
            level2[:3], ["1. Potency assays", "2. CANARY-CONF-TITLE", "3. Next steps"]
        )
        self.assertIn("Spring liaison, 1 March 2026", level2)

    def test_cover_times_in_meeting_zone_utc_and_reader_zone(self):
        # Display text in Normal style: Word's Title style does not survive HTML conversion.
        self.assertEqual(self.doc.paragraphs[0].style.name, "Normal")
        self.assertEqual(self.doc.paragraphs[0].text, "Cell Therapy Society")
        self.assertIn("Wed 10 Jun 2026, 09:00–11:00 EDT (America/Toronto)", self.text)
        self.assertIn("10 Jun 2026, 13:00–15:00 UTC", self.text)
        self.assertIn("Wed 10 Jun 2026, 15:00–17:00 CEST (Europe/Berlin)", self.text)
        self.assertIn("Ottawa, Holland Cross", self.text)
        self.assertIn("Classification: CONFIDENTIAL — delegation only", self.text)

    def test_agenda_table_has_repeating_header_and_computed_starts(self):
        agenda = next(t for t in self.doc.tables if t.rows[0].cells[0].text == "Start")
        first = agenda._tbl.tr_lst[0]
        flag = first.find(f"{W}trPr/{W}tblHeader")
        self.assertIsNotNone(flag)
        rows = [[c.text for c in row.cells] for row in agenda.rows]
        self.assertEqual(rows[0], ["Start", "Item", "Presenter", "Minutes"])
        self.assertEqual(
            rows[1:],
            [
                ["09:00", "Potency assays", "Priya", "30"],
                ["09:30", "CANARY-CONF-TITLE [confidential]", "CANARY-CONF-PRESENTER", "20"],
                ["09:50", "Next steps", "Chair", "10"],
            ],
        )
        # Only the header row repeats.
        self.assertEqual(len(agenda._tbl.findall(f".//{W}tblHeader")), 1)

    def test_item_sections(self):
        for expected in (
            "CANARY-PUBLIC-ASK accept matrices",
            "Public background on assays.",
            "CANARY-PUBLIC-TALK one",
            "CANARY-OBJECTIVES",
            "Potency matrix position",
            "Potency matrix position (Adopted on 4 March 2025). Matrices are fine.",
            "Matrices are fine.",
        ):
            self.assertIn(expected, self.text)

    def test_warnings_for_superseded_withdrawn_and_overdue_positions(self):
        warnings = [p.text for p in self.doc.paragraphs if p.text.startswith("⚠ Warning")]
        self.assertEqual(len(warnings), 3, warnings)
        joined = "\n".join(warnings)
        self.assertIn("“Old potency position” is superseded.", joined)
        self.assertIn("“Withdrawn stance” has been withdrawn.", joined)
        self.assertIn("“Overdue review stance” was due for review on 1 January 2025.", joined)

    def test_earlier_confidential_meetings_stay_out(self):
        package = "".join(package_text(self.data).values())
        for canary in ("CANARY-CLOSED-MEETING", "CANARY-CLOSED-ITEM", "CANARY-CLOSED-SAID"):
            self.assertNotIn(canary, package)
        self.assertNotIn("CANARY-CLOSED-ACTION", package)
        # Nor the confidential items of an earlier members meeting: their delegation was
        # not necessarily this one.
        self.assertNotIn("CANARY-EARLIER-SECRET", package)
        self.assertIn("CANARY-EARLIER item", package)

    def test_follow_ups_history_and_contacts(self):
        self.assertIn("Send the CANARY-EARLIER data", self.text)
        self.assertIn("CANARY-EARLIER item: Agreed to look.", self.text)
        contacts = next(
            t
            for t in self.doc.tables
            if t.rows[0].cells[0].text == "Name" and t.rows[0].cells[2].text == "E-mail and phone"
        )
        names = [row.cells[0].text.split("\n")[0] for row in contacts.rows[1:]]
        self.assertEqual(
            names, ["Dr. Anne Official", "Sam Stakeholder", "Priya CANARY-DELEGATE-NAME"]
        )
        # Tables span the text width in fixed proportions (no column squeezed by autofit).
        for table in self.doc.tables:
            layout = table._tbl.tblPr.find(f"{W}tblLayout")
            self.assertEqual(layout.get(f"{W}type"), "fixed")
            widths = sum(int(col.get(f"{W}w")) for col in table._tbl.tblGrid)
            section = self.doc.sections[0]
            text_width = section.page_width - section.left_margin - section.right_margin
            self.assertAlmostEqual(widths, Emu(text_width).twips, delta=len(table.columns))
        people = self.doc.tables[0]
        self.assertEqual(
            [[c.text for c in r.cells] for r in people.rows],
            [
                ["Name", "Role", "Organisation"],
                ["Priya CANARY-DELEGATE-NAME", "Delegation", "Cell Therapy Society"],
                ["Dr. Anne Official", "Director", "Health Canada BRDD"],
                ["Sam Stakeholder", "Attendee", "Cell Therapy Patients Canada"],
            ],
        )

    def test_table_of_contents_is_written_with_links_and_page_fields(self):
        """The contents are there without any field update: one line per heading (levels 1
        and 2, "Contents" aside), each a link to a bookmark on its heading with a PAGEREF
        field for the page; Word is not asked to update fields on opening."""
        body = self.doc.element.body
        bookmarks = {}
        for mark in body.iter(f"{W}bookmarkStart"):
            paragraph = mark.getparent()
            bookmarks[mark.get(f"{W}name")] = "".join(
                t.text or "" for t in paragraph.iter(f"{W}t")
            )
        entries = []
        for link in body.iter(f"{W}hyperlink"):
            anchor = link.get(f"{W}anchor")
            if anchor:
                text = "".join(t.text or "" for t in link.iter(f"{W}t"))
                entries.append((text, bookmarks.get(anchor)))
                instructions = [i.text for i in link.iter(f"{W}instrText")]
                self.assertEqual(instructions, [f" PAGEREF {anchor} \\h "])
        wanted = [t for style, t in headings(self.doc) if t != "Contents"]
        wanted = [t for t in wanted if t]
        level12 = [t for style, t in headings(self.doc) if style in ("Heading 1", "Heading 2")]
        self.assertEqual([text for text, _ in entries], [t for t in level12 if t != "Contents"])
        for text, heading_text in entries:
            self.assertEqual(text, heading_text)
        self.assertTrue(wanted)
        self.assertIsNone(self.doc.settings.element.find(f"{W}updateFields"))
        self.assertEqual(
            [c for c in body.iter(f"{W}fldChar") if c.get(f"{W}dirty")], [], "no dirty fields"
        )
        self.assertNotIn(" TOC ", " ".join(field_instructions(body)))

    def test_marking_and_page_number_in_every_section(self):
        for section in self.doc.sections:
            self.assertIn("CONFIDENTIAL — delegation only", section.header.paragraphs[0].text)
            footer = section.footer.paragraphs[0]
            self.assertIn("CONFIDENTIAL — delegation only", footer.text)
            self.assertIn(" PAGE ", field_instructions(footer._p))
            self.assertIn(" NUMPAGES ", field_instructions(footer._p))

    def test_links_are_hyperlinks_with_external_relationships(self):
        rels = self.doc.part.rels
        links = list(self.doc.element.body.iter(f"{W}hyperlink"))
        targets = {rels[h.get(f"{R}id")].target_ref for h in links if h.get(f"{R}id")}
        self.assertIn("https://meet.example/CANARY-JOIN", targets)
        self.assertTrue(any(t.endswith("/potency-matrix-position/") for t in targets), targets)
        # Links have words, never the address itself, and no address is in the text.
        for link in links:
            text = "".join(t.text or "" for t in link.iter(f"{W}t"))
            self.assertNotRegex(text, r"^https?://")
        self.assertNotRegex(self.text, r"https?://")
        for link in (h for h in links if h.get(f"{R}id")):
            rel = rels[link.get(f"{R}id")]
            self.assertTrue(rel.is_external)
            self.assertRegex(rel.target_ref, r"^https?://")

    def test_numbered_lists_each_restart_at_one(self):
        numbering = self.doc.part.numbering_part.element
        lists = {}
        for p in self.doc.paragraphs:
            num_id = p._p.find(f"{W}pPr/{W}numPr/{W}numId")
            if num_id is not None:
                lists.setdefault(num_id.get(f"{W}val"), []).append(p.text)
        # Talking points of three items and the earlier meeting's outcomes.
        self.assertGreaterEqual(len(lists), 4)
        self.assertIn(["CANARY-PUBLIC-TALK one", "second point", "third point"], lists.values())
        self.assertIn(["CANARY-CONF-TALK", "another"], lists.values())
        for num_id in lists:
            num = numbering.num_having_numId(int(num_id))
            start = num.find(f"{W}lvlOverride/{W}startOverride")
            self.assertEqual(start.get(f"{W}val"), "1")
            self.assertEqual(num.find(f"{W}lvlOverride").get(f"{W}ilvl"), "0")

    def test_core_properties(self):
        props = self.doc.core_properties
        self.assertEqual(props.author, "Cell Therapy Society")
        self.assertEqual(props.last_modified_by, "Cell Therapy Society")
        self.assertEqual(props.title, "Delegate briefing: Annual Cell Therapy Liaison Meeting")
        # The properties name the meeting, the audience and the society.
        self.assertIn("Annual Cell Therapy Liaison Meeting", props.subject)
        self.assertIn("Delegate briefing", props.keywords)
        self.assertIn("Cell Therapy Society", props.keywords)
        self.assertEqual(props.category, "CONFIDENTIAL — delegation only")
        self.assertIn("prepared by Cell Therapy Society", props.comments)
        self.assertEqual(props.revision, 1)
        self.assertGreater(props.created, datetime.datetime(2026, 1, 1, tzinfo=UTC))
        for name, text in package_text(self.data).items():
            if name.startswith("docProps/"):
                self.assertNotIn("python-docx", text.lower(), name)

    def test_agenda_overrun_warning(self):
        self.assertNotIn("past the end of the meeting", self.text)
        AgendaItem.objects.filter(meeting=self.meeting).update(duration_minutes=50)
        text = body_text(open_docx(self.make("delegate")))
        self.assertIn("⚠ Warning: The agenda runs 30 minutes past the end of the meeting.", text)

    def test_load_takes_a_pk_a_meeting_or_a_queryset(self):
        plain = Meeting.objects.get(pk=self.meeting.pk)
        for meeting in (plain.pk, plain, Meeting.objects.filter(pk=plain.pk)):
            loaded = briefing_data.load(meeting, today=TODAY)
            self.assertEqual(loaded.pk, self.meeting.pk)
            text = body_text(open_docx(briefing.build(loaded, "delegate")))
            self.assertIn("CANARY-PUBLIC-TALK one", text)
            self.assertIn("Send the CANARY-EARLIER data", text)
            self.assertIn("CANARY-EARLIER item: Agreed to look.", text)

    def test_build_runs_no_query_and_changes_nothing_it_is_given(self):
        meeting = briefing_data.load(self.meeting.pk, today=TODAY)
        before = dataclasses.asdict(meeting)
        with self.assertNumQueries(0):
            briefing.build(meeting, briefing.Audience.DELEGATE)
        self.assertEqual(dataclasses.asdict(meeting), before)
        with self.assertRaises(dataclasses.FrozenInstanceError):
            meeting.title = "Changed"


class PreReadTests(BriefingData):
    def test_no_confidential_or_internal_text_anywhere_in_the_package(self):
        data = self.make("pre-read")
        for name, text in package_text(data).items():
            for canary in CANARIES:
                self.assertNotIn(canary, text, f"{canary} in {name}")

    def test_structure_and_public_content(self):
        data = self.make(briefing.Audience.PRE_READ, reader_zone="Asia/Tokyo")
        doc = open_docx(data)
        text = body_text(doc)
        self.assertEqual(
            headings(doc),
            [
                ("Heading 1", "Contents"),
                ("Heading 1", "Agenda"),
                ("Heading 1", "Agenda items"),
                ("Heading 2", "1. Potency assays"),
                ("Heading 2", "2. Next steps"),
                ("Heading 1", "Annex A. Cited positions, as published"),
                ("Heading 2", "Potency matrix position"),
                ("Heading 2", "Old potency position"),
                ("Heading 2", "Withdrawn stance"),
                ("Heading 2", "Overdue review stance"),
            ],
        )
        agenda = doc.tables[0]
        self.assertEqual(
            [[c.text for c in r.cells] for r in agenda.rows],
            [
                ["Start", "Item", "Presenter", "Minutes"],
                ["09:00", "Potency assays", "Priya", "30"],
                ["09:50", "Next steps", "Chair", "10"],
            ],
        )
        self.assertIn("Public background on assays.", text)
        self.assertIn("Potency matrix position", text)
        self.assertNotIn("⚠", text)
        self.assertIn("Wed 10 Jun 2026, 22:00–Thu 11 Jun 2026, 00:00 JST (Asia/Tokyo)", text)
        marking = briefing.SHARED
        for section in doc.sections:
            self.assertIn(marking, section.header.paragraphs[0].text)
            self.assertIn(marking, section.footer.paragraphs[0].text)
        self.assertIn(" PAGEREF _Toc000001 \\h ", field_instructions(doc.element.body))

    def test_public_meeting_is_marked_public(self):
        Meeting.objects.filter(pk=self.meeting.pk).update(visibility=Meeting.Visibility.PUBLIC)
        doc = open_docx(self.make("pre-read"))
        self.assertEqual(doc.sections[0].header.paragraphs[0].text, "PUBLIC")


class RecordTests(BriefingData):
    def test_structure_outcomes_decisions_and_actions(self):
        doc = open_docx(self.make("record"))
        text = body_text(doc)
        level1 = [t for s, t in headings(doc) if s == "Heading 1"]
        self.assertEqual(
            level1, ["Contents", "Attendance", "Agenda", "Outcomes", "Decisions", "Actions"]
        )
        self.assertIn("They will publish guidance.", text)
        self.assertIn("CANARY-CONF-RESPONSE", text)
        decisions = [p.text for p in doc.paragraphs if p._p.find(f"{W}pPr/{W}numPr") is not None]
        self.assertEqual(
            decisions,
            ["Potency assays: Matrices accepted", "CANARY-CONF-TITLE: CANARY-CONF-DECISION"],
        )
        actions = doc.tables[-1]
        self.assertEqual(
            [[c.text for c in r.cells] for r in actions.rows],
            [
                ["Action", "Owner", "Due", "Status"],
                [
                    "Circulate CANARY-ACTION minutes",
                    "Priya CANARY-DELEGATE-NAME",
                    "20 Jun 2026",
                    "Open",
                ],
            ],
        )
        for section in doc.sections:
            self.assertIn(briefing.CONFIDENTIAL, section.header.paragraphs[0].text)
        self.assertNotIn("Talking points", text)

    def test_members_meeting_without_confidential_items_is_members_only(self):
        Meeting.objects.filter(pk=self.meeting.pk).update(visibility=Meeting.Visibility.MEMBERS)
        AgendaItem.objects.filter(meeting=self.meeting).update(confidential=False)
        doc = open_docx(self.make("record"))
        self.assertEqual(doc.sections[0].header.paragraphs[0].text, "MEMBERS ONLY")


class BadInputTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator("هيئة الغذاء والدواء", zone="Asia/Riyadh")

    def test_control_characters_surrogates_long_text_rtl_and_cjk(self):
        meeting = make_meeting(
            self.regulator,
            title="Liaison\x0b meeting \ufffe עברית 日本語 😀",
            join_url="javascript:alert(1)",
            objectives="Line\x0c one\x1b\nLine two",
        )
        meeting.attendees.set(
            [
                Contact.objects.create(name="محمد بن سلمان", regulator=self.regulator),
                Contact.objects.create(name="山田 太郎\x01", email="t@example.jp"),
                Contact.objects.create(name="דוד כהן"),
            ]
        )
        meeting.save()
        long_points = ("Point with \x0b tab\there " * 1000)[:20_000]
        AgendaItem.objects.create(
            meeting=meeting,
            title="Item\x07 with bell",
            talking_points=long_points,
            background="Background",
            ask="Ask with NUL",
        )
        for audience in briefing.Audience:
            loaded = briefing_data.load(meeting.pk)
            # NUL (on PostgreSQL) and lone surrogates cannot be stored; they can still come
            # from memory, so the builder must clean them.
            first = loaded.items[0]
            first = dataclasses.replace(
                first, background=first.background + " \udc00 broken", ask=first.ask + " \x00 here"
            )
            loaded = dataclasses.replace(
                loaded, title=loaded.title + "\x00 \ud800 lone", items=(first, *loaded.items[1:])
            )
            data = briefing.build(loaded, audience, organisation="Org\x0b")
            doc = open_docx(data)
            text = body_text(doc)
            self.assertIn("Liaison meeting", text)
            self.assertIn("עברית 日本語 😀", doc.core_properties.title)
            self.assertIn("lone", doc.core_properties.title)
            self.assertEqual(doc.core_properties.author, "Org")
            for name, part in package_text(data).items():
                self.assertIsNone(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", part), name)
            if audience != briefing.Audience.RECORD:
                self.assertIn("Background broken", text)
            self.assertFalse(any(r.is_external for r in doc.part.rels.values()))
            if audience == briefing.Audience.DELEGATE:
                self.assertIn("محمد بن سلمان", text)
                self.assertIn("山田 太郎", text)
                self.assertIn("דוד כהן", text)
                self.assertIn("Point with tab here", text)
                self.assertGreater(len(text), 19_000)
                self.assertIn("Line one", text)
                self.assertIn("Ask with NUL here", text)

    def test_javascript_join_link_is_plain_text(self):
        meeting = make_meeting(self.regulator, title="M", join_url="https://ok.example/")
        loaded = dataclasses.replace(
            briefing_data.load(meeting.pk), join_url="javascript:alert(1)"
        )
        doc = open_docx(briefing.build(loaded, "delegate"))
        self.assertIn("Join online: javascript:alert(1)", body_text(doc))
        # The only links are the contents' own, to bookmarks inside the document.
        links = list(doc.element.body.iter(f"{W}hyperlink"))
        self.assertTrue(links)
        self.assertTrue(all(h.get(f"{W}anchor") and not h.get(f"{R}id") for h in links))
        self.assertFalse(any(r.is_external for r in doc.part.rels.values()))

    def test_safe_url(self):
        self.assertEqual(briefing.safe_url("https://x.example/a b"), "")
        self.assertEqual(briefing.safe_url("https://x.example/é"), "https://x.example/%C3%A9")
        for bad in (
            "javascript:alert(1)",
            "file:///etc/passwd",
            "ftp://x",
            "//x.example",
            "data:,x",
        ):
            self.assertEqual(briefing.safe_url(bad), "", bad)


class QueryCountTests(TestCase):
    def meeting_with(self, items, regulator, index):
        meeting = make_meeting(
            regulator, delegation=[make_user(), make_user()], title=f"Meeting {items}"
        )
        meeting.attendees.set(
            [Contact.objects.create(name=f"C{items}-{i}", regulator=regulator) for i in range(3)]
        )
        meeting.save()
        positions = [make_position(index) for _ in range(2)]
        for i in range(items):
            item = AgendaItem.objects.create(meeting=meeting, sort_order=i, title=f"Item {i}")
            item.cited_positions.set(positions)
            item.save()
            ActionItem.objects.create(
                meeting=meeting, agenda_item=item, description=f"A{i}", owner_regulator=regulator
            )
        return meeting

    def test_queries_do_not_depend_on_the_number_of_items(self):
        index = make_position_index()
        regulator = make_regulator()
        small = self.meeting_with(3, regulator, index)
        big = self.meeting_with(30, regulator, index)
        briefing.build(briefing_data.load(small.pk), "delegate")  # warm caches (site roots)
        counts = []
        for meeting in (small, big):
            for audience in briefing.Audience:
                with CaptureQueriesContext(connection) as queries:
                    briefing.build(briefing_data.load(meeting.pk), audience)
                counts.append((audience, len(queries)))
        self.assertEqual(counts[:3], counts[3:])
        self.assertLessEqual(max(n for _, n in counts), 15)


class DownloadNameTests(SimpleTestCase):
    def meeting(self, title):
        return Meeting(
            title=title,
            time_zone="America/Toronto",
            starts_at=datetime.datetime(2026, 6, 10, 13, tzinfo=UTC),
            ends_at=datetime.datetime(2026, 6, 10, 15, tzinfo=UTC),
        )

    def test_filename(self):
        meeting = self.meeting('FDA "CBER" / OTP: 日本語 review 😀\\..')
        name = briefing.download_filename(meeting, "pre-read")
        self.assertEqual(name, "2026-06-10 FDA CBER OTP 日本語 review 😀 - pre-read.docx")

    def test_header_injection_and_empty_titles(self):
        name = briefing.download_filename(self.meeting('a"\r\nSet-Cookie: x'), "record")
        self.assertEqual(name, "2026-06-10 a Set-Cookie x - record.docx")
        self.assertEqual(
            briefing.download_filename(self.meeting("///"), "record"),
            "2026-06-10 meeting - record.docx",
        )
