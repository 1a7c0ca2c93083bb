from io import StringIO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from wagtail.models import Page, Revision, Site

from advocacy.models import ConsultationResponsePage, PositionPage
from liaison.models import Contact, Organisation, Regulator


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("advocacy", "liaison", "auth", "wagtailcore")
    }


@override_settings(DEBUG=True)
class SeedDemoTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_a_second_run_adds_nothing(self):
        before = row_counts()

        call_command("seed_demo", stdout=StringIO())

        self.assertEqual(row_counts(), before)

    def test_it_creates_one_user_per_role(self):
        users = get_user_model().objects.all()

        self.assertEqual(
            {(u.username, tuple(u.groups.values_list("name", flat=True))) for u in users},
            {
                ("admin", ()),
                ("editor", ("Policy editors",)),
                ("approver", ("Policy approvers",)),
                ("delegate", ("Liaison delegates",)),
                ("secretariat", ("Secretariat",)),
            },
        )

    def test_demo_logins_work(self):
        self.assertTrue(self.client.login(username="editor", password="liaise-editor"))

    def test_regulators_have_their_own_time_zones(self):
        zones = dict(Regulator.objects.values_list("acronym", "time_zone"))

        self.assertEqual(
            zones,
            {
                "FDA CBER OTP": "America/New_York",
                "Health Canada BRDD": "America/Toronto",
                "EMA CAT": "Europe/Amsterdam",
                "PMDA": "Asia/Tokyo",
                "MHRA": "Europe/London",
            },
        )

    def test_it_loads_organisations_and_contacts(self):
        self.assertEqual(Organisation.objects.count(), 5)
        self.assertTrue(Contact.objects.filter(regulator__acronym="PMDA").exists())
        self.assertTrue(Contact.objects.filter(organisation__kind="stakeholder").exists())

    def test_positions_are_published_with_a_superseded_chain(self):
        positions = PositionPage.objects.live()

        self.assertGreaterEqual(positions.count(), 10)
        self.assertEqual(
            {p.policy_status for p in positions},
            {"consultation", "adopted", "superseded", "withdrawn"},
        )
        successor = positions.get(slug="car-t-accelerated-approval")
        self.assertEqual(successor.supersedes.slug, "car-t-accelerated-approval-2021")
        self.assertTrue(Revision.page_revisions.filter(object_id=str(successor.pk)).exists())

    def test_consultation_responses_have_docket_ids(self):
        responses = ConsultationResponsePage.objects.live()

        self.assertGreaterEqual(responses.count(), 3)
        self.assertTrue(all(r.reference_id and r.relies_on.exists() for r in responses))
        self.assertIn("FDA-2023-D-5027", {r.reference_id for r in responses})

    def test_the_site_answers_on_base_url(self):
        self.assertEqual(Site.objects.get().hostname, "testserver")

    def test_the_home_page_and_index_are_live(self):
        response = self.client.get("/positions/")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Potency assays for cell and gene therapy products")
        self.assertEqual(Page.objects.get(depth=2).title, "Cell and Gene Therapy Society")

    def test_searching_for_a_regulator_finds_the_positions_where_it_applies(self):
        from bs4 import BeautifulSoup

        for query, expected in (
            ("FDA", "Potency assays for cell and gene therapy products"),
            ("PMDA", "Long-term follow-up after gene therapy"),
            ("Health Canada", "Accelerated approval for CAR-T cell products (2024 update)"),
        ):
            with self.subTest(query=query):
                for url in ("/search/", "/positions/"):
                    page = BeautifulSoup(self.client.get(url, {"q": query}).content, "html.parser")
                    found = {a.get_text(strip=True) for a in page.select(".listing__item a")}
                    self.assertIn(expected, found, url)


class SeedDemoWithoutDebugTestCase(TestCase):
    @override_settings(DEBUG=False)
    def test_it_refuses_to_create_demo_accounts(self):
        with self.assertRaisesMessage(CommandError, "only created with DEBUG on"):
            call_command("seed_demo", stdout=StringIO())

        self.assertFalse(get_user_model().objects.exists())
        self.assertFalse(Regulator.objects.exists())

    @override_settings(DEBUG=False)
    def test_it_loads_content_alone_with_no_users(self):
        call_command("seed_demo", "--no-users", stdout=StringIO())

        self.assertFalse(get_user_model().objects.exists())
        self.assertEqual(Regulator.objects.count(), 5)


@override_settings(DEBUG=True)
class DemoMeetingsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_meetings_span_past_and_future_zones_and_visibilities(self):
        from django.utils import timezone

        from liaison.models import Meeting

        meetings = Meeting.objects.all()
        now = timezone.now()

        self.assertGreaterEqual(meetings.count(), 8)
        self.assertTrue(meetings.filter(starts_at__lt=now).exists())
        self.assertTrue(meetings.filter(starts_at__gt=now).exists())
        self.assertGreaterEqual(len(set(meetings.values_list("time_zone", flat=True))), 4)
        self.assertEqual(
            set(meetings.values_list("visibility", flat=True)),
            {"public", "members", "confidential"},
        )
        self.assertTrue(meetings.filter(title__startswith="Annual Cell Therapy Liaison").exists())
        annual = meetings.filter(
            title__startswith="Annual Cell Therapy Liaison", starts_at__gt=now
        )
        self.assertEqual(annual.get().delegation.count(), 2)

    def test_agendas_have_confidential_items_outcomes_and_cited_positions(self):
        from liaison.models import AgendaItem

        items = AgendaItem.objects.all()

        self.assertTrue(items.filter(confidential=True, meeting__visibility="public").exists())
        self.assertTrue(items.exclude(regulator_response="").exists())
        self.assertTrue(items.filter(cited_positions__isnull=False).exists())

    def test_some_actions_are_overdue_and_owners_vary(self):
        from liaison.models import ActionItem

        actions = ActionItem.objects.all()

        self.assertTrue(actions.overdue().exists())
        self.assertTrue(actions.filter(owner__username="delegate").exists())
        self.assertTrue(actions.filter(owner_regulator__isnull=False).exists())
        self.assertTrue(actions.filter(owner_organisation__isnull=False).exists())
        self.assertTrue(actions.filter(status="done", completed_on__isnull=False).exists())

    def test_without_accounts_the_meetings_still_load(self):
        from liaison.models import ActionItem, Meeting

        reset_meetings()

        call_command("seed_demo", "--no-users", stdout=StringIO())

        self.assertGreaterEqual(Meeting.objects.count(), 8)
        self.assertTrue(ActionItem.objects.filter(owner__isnull=True).exists())


def reset_meetings():
    """A demo reset: the asks ledger first (its history keeps the meetings it names), then
    the meetings."""
    from liaison.models import AgendaAsk, Ask, AskEvent, Meeting

    AskEvent.objects.all().delete()
    AgendaAsk.objects.all().delete()
    Ask.objects.update(merged_into=None, superseded_by=None)
    Ask.objects.all().delete()
    Meeting.objects.all().delete()


def assert_demo_meetings_are_believable(test):
    """Every demo meeting is on a weekday in its own zone, and invites only officials of its
    own regulators (and people who are not officials of any)."""
    from liaison.models import Meeting

    meetings = Meeting.objects.prefetch_related("regulators", "attendees__regulator")
    test.assertGreaterEqual(len(meetings), 8)
    for meeting in meetings:
        with test.subTest(meeting=meeting.title):
            local = meeting.starts_at.astimezone(meeting.zone)
            test.assertLess(local.weekday(), 5, f"{local:%A %d %B %Y} in {meeting.time_zone}")
            own = set(meeting.regulators.all())
            officials = {c.regulator for c in meeting.attendees.all() if c.regulator}
            test.assertLessEqual(officials, own)
            test.assertTrue(officials, "each demo meeting invites officials of its regulators")


@override_settings(DEBUG=True)
class DemoMeetingDatesTestCase(TestCase):
    def test_meetings_fall_on_weekdays_and_invite_their_own_regulators_only(self):
        """Seeded on each day of one week: the demo's offsets from today cover every day of
        the week, so without the rule some meeting falls on a weekend whatever the day. The
        evening in UTC is already the next day in Tokyo."""
        import datetime

        import time_machine

        call_command("seed_demo", stdout=StringIO())
        for day in range(7, 14):
            now = datetime.datetime(2026, 12, day, 20, tzinfo=datetime.UTC)
            with self.subTest(today=f"{now:%A}"), time_machine.travel(now, tick=False):
                reset_meetings()
                call_command("seed_demo", stdout=StringIO())
                assert_demo_meetings_are_believable(self)
