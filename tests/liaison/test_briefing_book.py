"""The briefing as a document that stands on its own: the society's name, logo, paper and
markings from Settings ▸ Society; a version on the cover; each reader's own time added at
download; a pre-read made only of the fields the agenda form marks as shared; the cited
positions' text as published in an annex; the marking of shared fields in the form."""

import dataclasses
import io
import json
import tempfile
from unittest import mock

import docx
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from docx.shared import Inches
from PIL import Image as PILImage
from wagtail.images.models import Image, SourceImageIOError
from wagtail.models import Collection
from wagtail.users.models import UserProfile

from cms.models import SocietySettings
from liaison.briefings import data as briefing_data
from liaison.briefings import document
from liaison.models import ActionItem, AgendaItem, Briefing
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import make_meeting, make_regulator

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_docx(data):
    return docx.Document(io.BytesIO(data))


def all_text(doc):
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def png(colour="navy"):
    out = io.BytesIO()
    PILImage.new("RGB", (300, 120), colour).save(out, "PNG")
    out.seek(0)
    return out


def set_zone(user, zone):
    profile = UserProfile.get_for_user(user)
    profile.current_time_zone = zone
    profile.save()


class BriefingFromAdmin(TestCase):
    """Briefings generated through the admin, as the worker builds them."""

    @classmethod
    def setUpTestData(cls):
        cls.paris = make_user("Liaison delegates", first_name="Paris")
        cls.tokyo = make_user("Liaison delegates", first_name="Tokyo")
        cls.no_zone = make_user("Liaison delegates", first_name="Nozone")
        set_zone(cls.paris, "Europe/Paris")
        set_zone(cls.tokyo, "Asia/Tokyo")
        cls.regulator = make_regulator()  # America/Toronto
        cls.meeting = make_meeting(
            cls.regulator,
            title="Annual liaison",
            visibility="members",
            delegation=[cls.paris, cls.tokyo, cls.no_zone],
        )
        AgendaItem.objects.create(meeting=cls.meeting, title="Potency", sort_order=0)

    def generate(self, user, audience):
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"/admin/liaison/meetings/{self.meeting.pk}/briefings/",
                {"briefing_audience": audience},
            )
        return Briefing.objects.filter(audience=audience).order_by("-pk").first()

    def download(self, user, briefing):
        self.client.force_login(user)
        response = self.client.get(f"/admin/liaison/briefings/{briefing.pk}/download/")
        self.assertEqual(response.status_code, 200)
        return open_docx(b"".join(response.streaming_content))

    def your_time(self, doc):
        return [p.text for p in doc.paragraphs if p.text.startswith("Your time:")]


class ReaderTimeTests(BriefingFromAdmin):
    def test_each_delegate_downloads_the_meeting_in_their_own_zone(self):
        briefing = self.generate(self.paris, "delegate")

        paris = self.download(self.paris, briefing)
        tokyo = self.download(self.tokyo, briefing)
        nozone = self.download(self.no_zone, briefing)

        # 13:00 UTC on 10 June 2026: 15:00 in Paris, 22:00 in Tokyo.
        self.assertEqual(
            self.your_time(paris), ["Your time: Wed 10 Jun 2026, 15:00–17:00 CEST (Europe/Paris)"]
        )
        self.assertEqual(
            self.your_time(tokyo),
            ["Your time: Wed 10 Jun 2026, 22:00–Thu 11 Jun 2026, 00:00 JST (Asia/Tokyo)"],
        )
        self.assertEqual(self.your_time(nozone), [])
        # Right after the UTC line, in the same format as the cover's other lines.
        texts = [p.text for p in paris.paragraphs]
        at = texts.index(self.your_time(paris)[0])
        self.assertTrue(texts[at - 1].startswith("In UTC:"))
        self.assertTrue(paris.paragraphs[at].runs[0].bold)

    def test_the_stored_copy_shows_the_zones_of_the_delegation(self):
        briefing = self.generate(self.paris, "delegate")
        with briefing.file.open("rb") as handle:
            stored = all_text(open_docx(handle.read()))

        self.assertNotIn("Your time", stored)
        self.assertIn("The delegation's time zones:", stored)
        self.assertIn("Wed 10 Jun 2026, 15:00–17:00 CEST (Europe/Paris)", stored)
        self.assertIn("22:00–Thu 11 Jun 2026, 00:00 JST (Asia/Tokyo)", stored)

    def test_a_pre_read_stays_the_shared_copy_whoever_downloads_it(self):
        briefing = self.generate(self.paris, "pre-read")

        doc = self.download(self.tokyo, briefing)

        self.assertEqual(self.your_time(doc), [])
        self.assertIn("(Europe/Paris)", all_text(doc))
        self.assertIn("(Asia/Tokyo)", all_text(doc))

    def test_a_reader_in_the_meeting_zone_gets_no_extra_line(self):
        set_zone(self.paris, "America/Toronto")
        briefing = self.generate(self.paris, "delegate")

        self.assertEqual(self.your_time(self.download(self.paris, briefing)), [])


class SocietyOnTheDocumentTests(BriefingFromAdmin):
    def setUp(self):
        collection = Collection.get_first_root_node()
        logo = Image.objects.create(
            title="Logo", file=ImageFile(png(), name="logo.png"), collection=collection
        )
        SocietySettings.objects.update_or_create(
            pk=SocietySettings.load().pk,
            defaults={
                "name": "Society for Cell and Gene Therapy Policy",
                "short_name": "SCGTP",
                "postal_address": "12 Harbour Street\nOttawa ON K1P 5G4",
                "website": "https://scgtp.example.org/",
                "paper_size": "letter",
                "marking_confidential": "SCGTP RESTRICTED",
                "logo": logo,
            },
        )

    def test_cover_header_paper_and_properties_name_the_society(self):
        briefing = self.generate(self.paris, "delegate")
        doc = self.download(self.paris, briefing)

        text = all_text(doc)
        section = doc.sections[0]
        self.assertEqual((section.page_width, section.page_height), (Inches(8.5), Inches(11)))
        self.assertIn("SCGTP RESTRICTED", section.header.paragraphs[0].text)
        self.assertIn(
            "Society for Cell and Gene Therapy Policy", section.footer.paragraphs[0].text
        )
        self.assertIn("Classification: SCGTP RESTRICTED", text)
        self.assertIn("12 Harbour Street, Ottawa ON K1P 5G4", text)
        self.assertIn("Prepared by: Society for Cell and Gene Therapy Policy", text)
        self.assertNotIn("Liaise", text)
        # The logo is a picture on the cover, before the society's name.
        self.assertEqual(len(doc.inline_shapes), 1)
        first = doc.paragraphs[0]._p
        self.assertIsNotNone(first.find(f".//{W}drawing"))
        self.assertEqual(doc.paragraphs[1].text, "Society for Cell and Gene Therapy Policy")
        props = doc.core_properties
        self.assertEqual(props.author, "Society for Cell and Gene Therapy Policy")
        self.assertIn("Annual liaison", props.subject)
        self.assertIn("Delegate briefing", props.title)
        # The website is a link with words, not an address.
        self.assertNotIn("https://", text)

    def test_a4_by_default_and_each_briefing_has_a_version(self):
        SocietySettings.objects.update(paper_size="a4")
        first = self.generate(self.paris, "delegate")
        second = self.generate(self.paris, "delegate")
        pre_read = self.generate(self.paris, "pre-read")

        doc = self.download(self.paris, second)
        section = doc.sections[0]
        self.assertEqual((round(section.page_width.mm), round(section.page_height.mm)), (210, 297))
        self.assertRegex(all_text(self.download(self.paris, first)), r"Version: 1, prepared")
        self.assertRegex(all_text(doc), r"Version: 2, prepared")
        self.assertRegex(all_text(self.download(self.paris, pre_read)), r"Version: 1, prepared")

    def test_an_unreadable_logo_leaves_it_out_and_the_briefing_is_still_made(self):
        gone = SourceImageIOError("the logo's file is missing")
        with (
            mock.patch.object(Image, "get_rendition", side_effect=gone),
            self.assertLogs("cms.society", "ERROR"),
        ):
            briefing = self.generate(self.paris, "delegate")

        self.assertEqual(briefing.status, "ready", briefing.error)
        self.assertEqual(len(self.download(self.paris, briefing).inline_shapes), 0)


CANARIES = {
    "ask": "CANARY-ASK",
    "talking_points": "CANARY-TALKING-POINT",
    "regulator_response": "CANARY-RESPONSE",
    "decision": "CANARY-DECISION",
    "outcome_notes": "CANARY-NOTES",
}


@override_settings(BASE_URL="https://society.example.org")
class PreReadAndAnnexTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        regulator = make_regulator()
        index = make_position_index()
        cls.earlier = make_position(index, title="Earlier view", summary="Before.")
        body = json.dumps(
            [
                {
                    "type": "paragraph",
                    "value": (
                        "<p>We <b>support</b> a matrix; see "
                        f'<a linktype="page" id="{cls.earlier.pk}">our earlier view</a> and '
                        '<a href="https://www.fda.gov/guidance">FDA guidance</a>.</p>'
                        "<ol><li>First point</li><li>Second point</li></ol>"
                    ),
                },
                {"type": "heading", "value": {"text": "Why it matters", "level": "h2"}},
                {
                    "type": "recommendations",
                    "value": {"title": "Key recommendations", "items": ["Accept matrices"]},
                },
            ]
        )
        cls.public = make_position(
            index, title="Potency matrices", summary="Matrices are fine.", body=body
        )
        cls.draft = make_position(index, title="CANARY-DRAFT-POSITION", live=False)
        cls.meeting = make_meeting(
            regulator,
            visibility="public",
            objectives="CANARY-OBJECTIVES",
        )
        shared = AgendaItem.objects.create(
            meeting=cls.meeting,
            title="Potency",
            presenter="Priya",
            background="Shared background",
            sort_order=0,
            **CANARIES,
        )
        shared.cited_positions.set([cls.public, cls.draft])
        shared.save()
        AgendaItem.objects.create(
            meeting=cls.meeting,
            title="CANARY-CONFIDENTIAL-ITEM",
            confidential=True,
            background="CANARY-CONFIDENTIAL-BACKGROUND",
            sort_order=1,
        )
        ActionItem.objects.create(meeting=cls.meeting, description="CANARY-ACTION")

    def build(self, audience):
        loaded = briefing_data.load(self.meeting.pk, base_url="https://society.example.org")
        return open_docx(document.build(loaded, audience, organisation="SCGTP"))

    def test_the_pre_read_holds_only_the_shared_fields(self):
        text = all_text(self.build("pre-read"))

        self.assertIn("Potency", text)
        self.assertIn("Presented by Priya", text)
        self.assertIn("Shared background", text)
        for canary in [*CANARIES.values(), "CANARY-OBJECTIVES", "CANARY-ACTION"]:
            self.assertNotIn(canary, text)
        self.assertNotIn("CANARY-CONFIDENTIAL", text)
        self.assertNotIn("CANARY-DRAFT-POSITION", text)

    def test_what_the_pre_read_may_show_is_what_the_form_marks_as_shared(self):
        shared = {f.name for f in dataclasses.fields(briefing_data.SharedItem)}
        marked = set(AgendaItem.SHARED_WITH_OUTSIDERS) - {"cited_positions"} | {"positions"}
        self.assertEqual(shared, marked)

    def test_the_annex_has_each_position_as_published(self):
        doc = self.build("delegate")
        text = all_text(doc)
        annex = text[text.index("Annex A. Cited positions, as published") :]

        self.assertIn("We support a matrix; see our earlier view and FDA guidance.", annex)
        self.assertIn("Why it matters", annex)
        self.assertIn("Accept matrices", annex)
        self.assertIn("CANARY-DRAFT-POSITION", annex)
        self.assertIn("Not published: its text is not included.", annex)
        bold = [r.text for p in doc.paragraphs for r in p.runs if r.bold]
        self.assertIn("support", bold)
        # Links have words; page links point at BASE_URL.
        rels = doc.part.rels
        targets = {
            rels[
                h.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            ].target_ref
            for h in doc.element.body.iter(f"{W}hyperlink")
            if h.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        }
        self.assertIn("https://www.fda.gov/guidance", targets)
        self.assertIn(
            f"https://society.example.org{self.earlier.url_path[len('/home') :]}", targets
        )
        self.assertTrue(all(t.startswith("https://") for t in targets), targets)
        # Numbered lists in the annex start at 1 each.
        numbered = [p for p in doc.paragraphs if p.style.name == "List Number"]
        self.assertIn("First point", [p.text for p in numbered])

    def test_the_pre_read_annex_has_only_public_positions(self):
        text = all_text(self.build("pre-read"))
        annex = text[text.index("Annex A. Cited positions, as published") :]
        self.assertIn("Potency matrices", annex)
        self.assertNotIn("CANARY-DRAFT-POSITION", annex)

    def test_only_built_in_styles_that_convert_cleanly(self):
        allowed = {"Normal", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "List Number"}
        for audience in ("delegate", "pre-read", "record"):
            doc = self.build(audience)
            self.assertLessEqual({p.style.name for p in doc.paragraphs}, allowed, audience)
            self.assertEqual({t.style.name for t in doc.tables} - {"Table Grid"}, set())


class AgendaFormMarkingTests(TestCase):
    def test_the_form_says_which_fields_reach_outsiders(self):
        secretariat = make_user("Secretariat")
        meeting = make_meeting(make_regulator())
        AgendaItem.objects.create(meeting=meeting, title="Potency", sort_order=0)
        self.client.force_login(secretariat)

        page = self.client.get(f"/admin/snippets/liaison/meeting/edit/{meeting.pk}/")

        html = page.content.decode()
        self.assertEqual(page.status_code, 200)
        shared = "Shared with invitees and stakeholders"
        # Title, minutes, presenter, background and cited positions are marked shared; the
        # ask and talking points delegation-only; for the item on the form and the template.
        self.assertGreaterEqual(html.count(shared), 5)
        self.assertGreaterEqual(html.count("Delegation only: never in an invitation"), 2)
        background = html.index('name="agenda_items-0-background"')
        ask = html.index('name="agenda_items-0-ask"')
        self.assertIn(shared, html[background - 1500 : background + 1500])
        self.assertIn("Delegation only", html[ask - 1500 : ask + 1500])


class ReaderTimeBuilderTests(TestCase):
    """``document.for_reader`` alone, on a stored copy."""

    @classmethod
    def setUpTestData(cls):
        cls.meeting = make_meeting(make_regulator())

    def test_unknown_zone_or_none_leaves_the_file_as_it_is(self):
        data = document.build(briefing_data.load(self.meeting.pk), "delegate")
        self.assertEqual(document.for_reader(data, self.meeting, None), data)
        self.assertEqual(document.for_reader(data, self.meeting, "Mars/Olympus"), data)
        changed = document.for_reader(data, self.meeting, "Asia/Kolkata")
        self.assertIn(
            "Your time: Wed 10 Jun 2026, 18:30–20:30 IST (Asia/Kolkata)",
            all_text(open_docx(changed)),
        )
        self.assertEqual(
            open_docx(changed).core_properties.title, open_docx(data).core_properties.title
        )

    def test_the_cli_zone_option(self):
        with tempfile.NamedTemporaryFile(suffix=".docx") as out:
            call_command(
                "briefing",
                str(self.meeting.pk),
                "-o",
                out.name,
                "--zone",
                "Europe/London",
                stdout=io.StringIO(),
            )
            text = all_text(docx.Document(out.name))
            self.assertIn("Your time: Wed 10 Jun 2026, 14:00–16:00 BST (Europe/London)", text)
            with self.assertRaisesMessage(CommandError, "is not a time zone name"):
                call_command("briefing", str(self.meeting.pk), "-o", out.name, "--zone", "Nowhere")
