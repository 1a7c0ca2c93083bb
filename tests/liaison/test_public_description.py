"""A meeting's public description ("what this meeting is for"): on the public page and
listing, in the admin form and workspace, in invitations, reminders, the public feed and both
briefings before the meeting; never confused with the delegation's objectives."""

import datetime
import io
from io import StringIO

import docx
import icalendar
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase, override_settings

from liaison.briefings import data as briefing_data
from liaison.briefings import document as briefing
from liaison.demo import DESCRIPTIONS, MEETINGS
from liaison.models import AgendaItem, Meeting
from liaison.tasks import send_meeting_reminders
from tests.factories import make_society, make_user
from tests.liaison.factories import LIST_URL, make_meeting, make_regulator, meeting_form
from tests.liaison.invitations import InvitationTestCase, by_recipient
from tests.liaison.public_pages import LIST_URL as PUBLIC_LIST_URL
from tests.liaison.public_pages import NOW, at, entry, html, text, url
from tests.liaison.reminders import DELEGATES, run
from tests.liaison.reminders import by_recipient as reminders_by_recipient

UTC = datetime.UTC
DESCRIPTION = (
    "The annual liaison meeting on potency assurance and long-term follow-up.\n"
    "Open to observers from patient groups."
)
OBJECTIVES = "CANARY-OBJECTIVES: get matrices accepted before the guidance revision."


def docx_text(data):
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return document, "\n".join(texts)


def level1_headings(document):
    return [p.text for p in document.paragraphs if p.style.name == "Heading 1"]


def paragraph_after(document, heading):
    """The text of the paragraphs between the Heading 1 ``heading`` and the next heading."""
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == heading)
    found = []
    for p in paragraphs[start + 1 :]:
        if p.style.name.startswith("Heading"):
            break
        found.append(p.text)
    return "\n".join(found)


@time_machine.travel(NOW, tick=False)
class PublicPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hc = make_regulator("Health Canada BRDD", "America/Toronto")
        cls.public = make_meeting(
            cls.hc,
            title="Summer liaison",
            visibility="public",
            starts_at=at(2026, 6, 9, 13),
            description=DESCRIPTION + "\n<script>alert(1)</script>",
            objectives=OBJECTIVES,
        )
        cls.members = make_meeting(
            cls.hc,
            title="Members briefing",
            visibility="members",
            starts_at=at(2026, 6, 2, 14),
            description="CANARY-MEMBERS-DESCRIPTION",
        )

    def setUp(self):
        cache.clear()

    def test_the_page_shows_the_description_and_not_the_objectives(self):
        response = self.client.get(url(self.public))

        self.assertEqual(response.status_code, 200)
        page = html(response)
        section = page.select_one("section[aria-labelledby=description-heading]")
        self.assertEqual(text(section.h2), "What this meeting is for")
        paragraphs = [text(p) for p in section.select("p")]
        self.assertEqual(paragraphs[0].split(" Open to")[0], DESCRIPTION.split("\n")[0])
        self.assertIn("Open to observers from patient groups.", text(section))
        # Escaped, not markup.
        self.assertIsNone(section.find("script"))
        self.assertIn("<script>alert(1)</script>", section.get_text())
        # Before the agenda.
        sections = [s.get("aria-labelledby") for s in page.select("article section")]
        self.assertLess(sections.index("description-heading"), sections.index("agenda-heading"))
        self.assertNotContains(response, "CANARY-OBJECTIVES")

    def test_the_listing_shows_the_first_line_under_an_upcoming_meeting(self):
        response = self.client.get(PUBLIC_LIST_URL)

        item = entry(response, "Summer liaison")
        self.assertEqual(
            text(item.select_one(".meeting__description")), DESCRIPTION.split("\n")[0]
        )
        self.assertNotContains(response, "Open to observers")
        self.assertNotContains(response, "CANARY-OBJECTIVES")
        self.assertNotContains(response, "CANARY-MEMBERS-DESCRIPTION")

    def test_a_long_first_line_is_cut_in_the_listing(self):
        self.public.description = "word " * 100
        self.public.save()

        item = entry(self.client.get(PUBLIC_LIST_URL), "Summer liaison")
        shown = text(item.select_one(".meeting__description"))
        self.assertLessEqual(len(shown), 200)
        self.assertTrue(shown.endswith("…"))

    def test_a_members_only_meeting_page_is_404_whatever_its_description(self):
        response = self.client.get(url(self.members))

        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "CANARY-MEMBERS-DESCRIPTION", status_code=404)


@time_machine.travel(NOW, tick=False)
class PublicFeedTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        fda = make_regulator("FDA CBER", zone="America/New_York")
        start = NOW + datetime.timedelta(days=10)
        cls.public = make_meeting(
            fda,
            title="Public potency meeting",
            visibility="public",
            starts_at=start,
            description=DESCRIPTION,
            objectives=OBJECTIVES,
        )
        cls.members = make_meeting(
            fda,
            title="Members meeting",
            visibility="members",
            starts_at=start + datetime.timedelta(days=1),
            description="CANARY-MEMBERS-DESCRIPTION",
        )

    def setUp(self):
        cache.clear()

    def test_the_public_feed_has_the_description_of_public_meetings_only(self):
        response = self.client.get("/calendar/public.ics")

        self.assertEqual(response.status_code, 200)
        calendar = icalendar.Calendar.from_ical(response.content)
        events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
        self.assertEqual(set(events), {str(self.public.uuid)})
        description = str(events[str(self.public.uuid)]["DESCRIPTION"])
        self.assertIn(DESCRIPTION, description)
        self.assertNotIn("CANARY-OBJECTIVES", description)
        unfolded = response.content.decode("utf-8").replace("\r\n ", "")
        self.assertNotIn("CANARY-MEMBERS-DESCRIPTION", unfolded)
        self.assertNotIn(str(self.members.uuid), unfolded)


class InvitationDescriptionTestCase(InvitationTestCase):
    def test_every_invitation_has_the_description_and_no_objectives(self):
        self.save(description=DESCRIPTION)
        self.confirm()

        messages = by_recipient()
        self.assertEqual(set(messages), self.recipients)
        for recipient, message in messages.items():
            with self.subTest(recipient=recipient):
                body = message.body
                self.assertIn("WHAT THIS MEETING IS FOR\n" + DESCRIPTION + "\n", body)
                self.assertLess(body.index("WHAT THIS MEETING IS FOR"), body.index("AGENDA"))
                self.assertNotIn("Objectives", body)
                self.assertNotIn("OBJECTIVES", body)
        # The external invitee (a regulator's official) too, and its calendar.
        external = messages["rita.osei@fda.example"]
        self.assertNotIn("CANARY", external.body)
        ics = next(a for a in external.attachments if a[0] == "invite.ics")[1]
        (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
        self.assertIn(DESCRIPTION, str(event["DESCRIPTION"]))
        self.assertNotIn("CANARY", str(event["DESCRIPTION"]))

    def test_no_heading_without_a_description(self):
        self.confirm()

        for message in by_recipient().values():
            self.assertNotIn("WHAT THIS MEETING IS FOR", message.body)


class ReminderDescriptionTestCase(TestCase):
    def test_the_reminder_has_the_description_then_the_objectives(self):
        make_society()
        priya = make_user(DELEGATES, email="priya@example.org", first_name="Priya")
        make_meeting(
            make_regulator(),
            delegation=[priya],
            starts_at=datetime.datetime(2026, 6, 10, 13, tzinfo=UTC),
            status=Meeting.Status.CONFIRMED,
            description=DESCRIPTION,
            objectives=OBJECTIVES,
        )

        run(send_meeting_reminders, now=datetime.datetime(2026, 6, 4, 7, tzinfo=UTC))

        body = reminders_by_recipient()["priya@example.org"].body
        self.assertIn("WHAT THIS MEETING IS FOR\n" + DESCRIPTION + "\n", body)
        self.assertIn("OBJECTIVES\n" + OBJECTIVES + "\n", body)
        self.assertLess(body.index("WHAT THIS MEETING IS FOR"), body.index("OBJECTIVES"))


class BriefingDescriptionTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.meeting = make_meeting(
            make_regulator(),
            visibility="public",
            description=DESCRIPTION,
            objectives=OBJECTIVES,
        )
        AgendaItem.objects.create(
            meeting=cls.meeting,
            title="Potency assays",
            background="Sponsors struggle with one functional assay.",
            ask="CANARY-ASK",
            talking_points="CANARY-TALKING-POINT",
            sort_order=0,
        )
        AgendaItem.objects.create(
            meeting=cls.meeting, title="CANARY-CONFIDENTIAL-ITEM", confidential=True, sort_order=1
        )

    def build(self, audience):
        loaded = briefing_data.load(self.meeting.pk)
        return docx_text(briefing.build(loaded, audience, organisation="Cell Therapy Society"))

    def test_the_pre_read_has_the_description_and_nothing_of_the_delegation(self):
        document, content = self.build("pre-read")

        headings = level1_headings(document)
        self.assertEqual(headings[:3], ["Contents", "What this meeting is for", "Agenda"])
        self.assertEqual(paragraph_after(document, "What this meeting is for"), DESCRIPTION)
        for canary in ("CANARY-OBJECTIVES", "CANARY-ASK", "CANARY-TALKING-POINT"):
            self.assertNotIn(canary, content)
        self.assertNotIn("CANARY-CONFIDENTIAL-ITEM", content)
        self.assertNotIn("Objectives", headings)

    def test_the_delegate_briefing_has_both_under_their_own_headings(self):
        document, content = self.build("delegate")

        headings = level1_headings(document)
        self.assertEqual(
            headings[:4],
            ["Contents", "What this meeting is for", "Delegation and attendees", "Objectives"],
        )
        self.assertLess(headings.index("Objectives"), headings.index("Agenda"))
        self.assertEqual(paragraph_after(document, "What this meeting is for"), DESCRIPTION)
        self.assertEqual(paragraph_after(document, "Objectives"), OBJECTIVES)

    def test_no_section_without_a_description(self):
        Meeting.objects.filter(pk=self.meeting.pk).update(description="  \n")

        for audience in ("pre-read", "delegate"):
            with self.subTest(audience=audience):
                document, _content = self.build(audience)
                self.assertNotIn("What this meeting is for", level1_headings(document))


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")
        cls.meeting = make_meeting(cls.regulator, description="Before.")

    def setUp(self):
        self.client.force_login(self.secretariat)

    def test_the_edit_form_has_the_field(self):
        response = self.client.get(f"{LIST_URL}edit/{self.meeting.pk}/")

        self.assertEqual(response.status_code, 200)
        field = html(response).select_one("textarea[name=description]")
        self.assertIsNotNone(field)
        self.assertEqual(field.get_text().strip(), "Before.")
        self.assertContains(response, "What this meeting is for")

    def test_the_edit_form_saves_it(self):
        response = self.client.post(
            f"{LIST_URL}edit/{self.meeting.pk}/",
            meeting_form(self.regulator, description=DESCRIPTION),
        )

        self.assertEqual(response.status_code, 302)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.description.replace("\r\n", "\n"), DESCRIPTION)

    def test_control_characters_are_refused(self):
        response = self.client.post(
            f"{LIST_URL}edit/{self.meeting.pk}/",
            meeting_form(self.regulator, description="What it is\x00\x1b for"),
        )

        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "control characters", str(response.context["form"].errors.get("description"))
        )
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.description, "Before.")

    def test_the_meeting_page_shows_it_to_staff(self):
        response = self.client.get(f"{LIST_URL}inspect/{self.meeting.pk}/")

        self.assertEqual(response.status_code, 200)
        section = html(response).select_one("[data-description]")
        self.assertEqual(text(section.h2), "What this meeting is for")
        self.assertIn("Before.", text(section))


class DemoDescriptionTestCase(TestCase):
    def test_every_demo_meeting_has_a_description(self):
        self.assertEqual(set(DESCRIPTIONS), {m[0] for m in MEETINGS})
        for title, description in DESCRIPTIONS.items():
            with self.subTest(title=title):
                self.assertGreater(len(description), 40)

    @override_settings(DEBUG=True)
    def test_seeding_fills_descriptions_in_an_older_database_and_keeps_edits(self):
        call_command("seed_demo", stdout=StringIO())
        self.assertFalse(Meeting.objects.filter(description="").exists())
        first, second = list(DESCRIPTIONS)[:2]
        Meeting.objects.filter(title=first).update(description="")
        Meeting.objects.filter(title=second).update(description="Edited by the Secretariat.")

        call_command("seed_demo", stdout=StringIO())

        self.assertEqual(Meeting.objects.get(title=first).description, DESCRIPTIONS[first])
        self.assertEqual(
            Meeting.objects.get(title=second).description, "Edited by the Secretariat."
        )
