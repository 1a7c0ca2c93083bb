"""What the admin tells and refuses: warnings, carried-forward actions, deletion guards,
dashboard panels and the interaction history of regulators and organisations."""

import datetime

from django.db import transaction
from django.db.models import ProtectedError
from django.test import TestCase
from django.utils import timezone

from advocacy.models import PositionPage
from liaison.models import ActionItem, AgendaItem, Contact, Meeting, Organisation, Regulator
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.test_meeting_admin import make_meeting, make_regulator

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)
SNIPPETS = "/admin/snippets/liaison/"


def meeting_page(client, meeting):
    """The text of the meeting form's two read-only panels (checks, carried forward)."""
    from html.parser import HTMLParser

    response = client.get(f"{SNIPPETS}meeting/edit/{meeting.pk}/")
    assert response.status_code == 200, response.status_code

    class Panels(HTMLParser):
        depth, text = 0, []

        def handle_starttag(self, tag, attrs):
            names = {name for name, _ in attrs}
            if self.depth or names & {"data-meeting-checks", "data-carried-forward"}:
                self.depth += 1

        def handle_endtag(self, tag):
            if self.depth:
                self.depth -= 1

        def handle_data(self, data):
            if self.depth:
                self.text.append(data)

    parser = Panels()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.text).split())


class WarningsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.secretariat = make_user("Secretariat")
        cls.regulator = make_regulator()
        index = make_position_index()
        today = timezone.localdate()
        cls.current = make_position(
            index, title="Current potency position", review_by=today + 90 * DAY
        )
        cls.withdrawn = make_position(
            index, title="Withdrawn comparability position", policy_status="withdrawn"
        )
        cls.old = make_position(index, title="Old platform position")
        make_position(index, title="New platform position", supersedes=cls.old)
        cls.stale = make_position(index, title="Stale donor position", review_by=today - 3 * DAY)
        cls.meeting = make_meeting(cls.regulator)  # two hours

    def setUp(self):
        self.client.force_login(self.secretariat)

    def add_item(self, title, minutes=30, positions=()):
        item = AgendaItem.objects.create(
            meeting=self.meeting, title=title, duration_minutes=minutes, sort_order=0
        )
        item.cited_positions.set(positions)
        item.save()  # parental many-to-many relations are written on save
        return item

    def test_a_fitting_agenda_of_current_positions_gives_no_warning(self):
        self.add_item("Potency", 60, [self.current])

        page = meeting_page(self.client, self.meeting)

        self.assertIn("No warnings", page)

    def test_an_overrunning_agenda_is_flagged(self):
        self.add_item("Potency", 90)
        self.add_item("Comparability", 45)

        page = meeting_page(self.client, self.meeting)

        self.assertIn(
            "The agenda runs 15 minutes over: 135 minutes of items in a 120-minute", page
        )

    def test_superseded_withdrawn_and_past_review_positions_are_flagged(self):
        self.add_item("Platforms", positions=[self.old, self.withdrawn, self.stale, self.current])

        page = meeting_page(self.client, self.meeting)

        self.assertIn("“Old platform position” is superseded by “New platform position”", page)
        self.assertIn("“Withdrawn comparability position” has been withdrawn", page)
        self.assertIn("“Stale donor position” was due for review on", page)
        self.assertNotIn("Current potency position” ", page)

    def test_saving_shows_the_warnings_without_blocking(self):
        from wagtail.test.utils.form_data import inline_formset

        from tests.liaison.test_meeting_admin import meeting_form

        item = {
            "title": "Comparability",
            "duration_minutes": 200,
            "presenter": "",
            "ask": "",
            "background": "",
            "talking_points": "",
            "confidential": False,
            "regulator_response": "",
            "decision": "",
            "outcome_notes": "",
        }
        data = meeting_form(
            self.regulator, title="Moved liaison", agenda_items=inline_formset([item])
        )
        data["agenda_items-0-cited_positions"] = [self.withdrawn.pk]

        response = self.client.post(
            f"{SNIPPETS}meeting/edit/{self.meeting.pk}/", data, follow=True
        )

        self.assertEqual(response.status_code, 200)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.title, "Moved liaison")
        self.assertEqual(self.meeting.agenda_items.get().cited_positions.get(), self.withdrawn)
        shown = [str(m) for m in response.context["messages"]]
        self.assertIn(
            "Moved liaison: The agenda runs 50 minutes over: 200 minutes of items in a "
            "150-minute meeting.",
            shown,
        )
        self.assertIn(
            "Moved liaison: Agenda item “Comparability”: “Withdrawn comparability position” "
            "has been withdrawn.",
            shown,
        )


class CarriedForwardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.fda = make_regulator("FDA CBER OTP", "America/New_York")
        cls.ema = make_regulator("EMA CAT", "Europe/Amsterdam")
        cls.delegate = make_user("Liaison delegates")
        cls.outsider = make_user("Liaison delegates")
        start = datetime.datetime(2026, 3, 1, 14, tzinfo=UTC)
        earlier = make_meeting(cls.fda, title="Spring FDA call", starts_at=start)
        secret = make_meeting(
            cls.fda,
            title="Confidential FDA call",
            starts_at=start + DAY,
            visibility="confidential",
            delegation=[cls.delegate],
        )
        other = make_meeting(cls.ema, title="EMA call", starts_at=start)
        cls.meeting = make_meeting(
            cls.fda,
            title="Autumn FDA liaison",
            starts_at=start + 200 * DAY,
            delegation=[cls.delegate, cls.outsider],
        )
        ActionItem.objects.create(
            meeting=earlier, description="FDA to share the draft guidance", owner_regulator=cls.fda
        )
        ActionItem.objects.create(
            meeting=earlier,
            description="Already done thing",
            owner_regulator=cls.fda,
            status="done",
        )
        ActionItem.objects.create(
            meeting=secret, description="Send the secret dossier", owner=cls.delegate
        )
        ActionItem.objects.create(
            meeting=other, description="EMA to reply on potency", owner_regulator=cls.ema
        )
        ActionItem.objects.create(
            meeting=cls.meeting, description="Action of this very meeting", owner=cls.delegate
        )

    def test_open_actions_of_earlier_meetings_with_the_regulator_are_carried_forward(self):
        self.client.force_login(self.delegate)

        page = meeting_page(self.client, self.meeting)

        self.assertIn("FDA to share the draft guidance", page)
        self.assertIn("Send the secret dossier", page)
        for absent in (
            "Already done thing",
            "EMA to reply on potency",
            "Action of this very meeting",
        ):
            self.assertNotIn(absent, page)

    def test_actions_of_meetings_the_user_may_not_see_stay_hidden(self):
        self.client.force_login(self.outsider)

        page = meeting_page(self.client, self.meeting)

        self.assertIn("FDA to share the draft guidance", page)
        self.assertNotIn("Send the secret dossier", page)


class DeletionGuardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.secretariat = make_user("Secretariat")
        cls.admin = make_user(superuser=True)
        cls.regulator = make_regulator()
        cls.unused = make_regulator("MHRA", "Europe/London")
        cls.org = Organisation.objects.create(name="Helix Vector Manufacturing")
        cls.contact = Contact.objects.create(name="Dr. Amara Chen", organisation=cls.org)
        cls.meeting = make_meeting(cls.regulator)
        cls.meeting.attendees.set([cls.contact])
        cls.meeting.save()
        cls.index = make_position_index()
        cls.position = make_position(cls.index, title="Potency assay matrix position")
        item = AgendaItem.objects.create(meeting=cls.meeting, title="Potency", sort_order=0)
        item.cited_positions.set([cls.position])
        item.save()
        cls.delegate = make_user("Liaison delegates")
        ActionItem.objects.create(meeting=cls.meeting, description="Draft", owner=cls.delegate)

    def setUp(self):
        self.client.force_login(self.admin)

    def assert_refused(self, url, message):
        for method in (self.client.get, self.client.post):
            response = method(url, follow=True)
            self.assertEqual(response.status_code, 200)
            shown = " ".join(str(m) for m in response.context["messages"])
            self.assertIn(message, shown)

    def test_a_regulator_with_meetings_is_not_deleted(self):
        self.assert_refused(
            f"{SNIPPETS}regulator/delete/{self.regulator.pk}/",
            "cannot be deleted: 1 meeting",
        )
        self.assertTrue(Regulator.objects.filter(pk=self.regulator.pk).exists())
        self.assertEqual(list(self.meeting.regulators.all()), [self.regulator])

    def test_an_unused_regulator_can_be_deleted(self):
        response = self.client.post(f"{SNIPPETS}regulator/delete/{self.unused.pk}/")

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Regulator.objects.filter(pk=self.unused.pk).exists())

    def test_a_contact_who_attended_is_not_deleted(self):
        self.assert_refused(f"{SNIPPETS}contact/delete/{self.contact.pk}/", "1 meeting")
        self.assertEqual(list(self.meeting.attendees.all()), [self.contact])

    def test_an_organisation_with_contacts_gets_a_message_not_an_error(self):
        self.assert_refused(f"{SNIPPETS}organisation/delete/{self.org.pk}/", "1 contact")
        self.assertTrue(Organisation.objects.filter(pk=self.org.pk).exists())

    def test_bulk_deleting_regulators_is_refused_too(self):
        url = (
            f"/admin/bulk/liaison/regulator/delete/?next={SNIPPETS}regulator/"
            f"&id={self.regulator.pk}&id={self.unused.pk}"
        )
        response = self.client.post(url, follow=True)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(Regulator.objects.count(), 2)

    def test_a_cited_position_page_is_not_deleted_nor_its_index(self):
        for page in (self.position, self.index):
            with self.subTest(page=page.title):
                self.assert_refused(f"/admin/pages/{page.pk}/delete/", "cannot be deleted")
        self.assertTrue(PositionPage.objects.filter(pk=self.position.pk).exists())

    def test_code_cannot_orphan_meetings_either(self):
        # The refusal rolls back the whole transaction it happens in: nothing half-deleted.
        for obj in (self.regulator, self.contact, self.position):
            with (
                self.subTest(obj=str(obj)),
                self.assertRaises(ProtectedError),
                transaction.atomic(),
            ):
                obj.delete()
        with self.assertRaises(ProtectedError), transaction.atomic():
            Regulator.objects.filter(pk=self.regulator.pk).delete()
        with self.assertRaises(ProtectedError), transaction.atomic():
            self.index.delete()
        self.assertTrue(PositionPage.objects.filter(pk=self.position.pk).exists())
        self.assertEqual(self.meeting.agenda_items.get().cited_positions.count(), 1)

    def test_a_user_with_actions_is_deactivated_not_deleted(self):
        self.assert_refused(f"/admin/users/delete/{self.delegate.pk}/", "Deactivate it instead")
        self.delegate.refresh_from_db()

    def test_an_uncited_position_can_still_be_deleted(self):
        spare = make_position(self.index, title="Spare position")

        response = self.client.post(f"/admin/pages/{spare.pk}/delete/")

        self.assertEqual(response.status_code, 302)
        self.assertFalse(PositionPage.objects.filter(pk=spare.pk).exists())


class DashboardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.delegate = make_user("Liaison delegates")
        cls.other = make_user("Liaison delegates")
        cls.secretariat = make_user("Secretariat")
        soon = timezone.now() + 3 * DAY
        cls.mine = make_meeting(
            cls.regulator, title="Upcoming potency call", starts_at=soon, delegation=[cls.delegate]
        )
        cls.secret = make_meeting(
            cls.regulator,
            title="Confidential clinic call",
            starts_at=soon,
            visibility="confidential",
            delegation=[cls.delegate],
        )
        make_meeting(
            cls.regulator, title="Someone else's call", starts_at=soon, delegation=[cls.other]
        )
        make_meeting(
            cls.regulator,
            title="Last year's call",
            starts_at=soon - 365 * DAY,
            delegation=[cls.delegate],
        )
        today = timezone.localdate()
        ActionItem.objects.create(
            meeting=cls.mine,
            description="My open action",
            owner=cls.delegate,
            due_date=today + 5 * DAY,
        )
        ActionItem.objects.create(
            meeting=cls.secret,
            description="Secret overdue action",
            owner=cls.delegate,
            due_date=today - 5 * DAY,
        )
        ActionItem.objects.create(
            meeting=cls.mine,
            description="Regulator overdue action",
            owner_regulator=cls.regulator,
            due_date=today - DAY,
        )

    def dashboard(self, user):
        self.client.force_login(user)
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_delegate_sees_their_meetings_and_actions(self):
        page = self.dashboard(self.delegate)

        self.assertIn("My upcoming meetings", page)
        self.assertIn("Upcoming potency call", page)
        self.assertIn("Confidential clinic call", page)
        self.assertNotIn("Someone else", page)
        self.assertNotIn("Last year", page)
        self.assertIn("My open action", page)
        self.assertIn("Secret overdue action", page)
        self.assertIn("Regulator overdue action", page)

    def test_an_organiser_outside_a_confidential_meeting_does_not_see_it_listed(self):
        make_meeting(
            self.regulator,
            title="Organised but closed",
            starts_at=timezone.now() + 2 * DAY,
            visibility="confidential",
            organiser=self.other,
        )
        make_meeting(
            self.regulator,
            title="Organised and open",
            starts_at=timezone.now() + 2 * DAY,
            organiser=self.other,
        )

        page = self.dashboard(self.other)

        self.assertIn("Organised and open", page)
        self.assertIn("Someone else", page)
        self.assertNotIn("Organised but closed", page)

    def test_overdue_actions_of_hidden_meetings_stay_hidden(self):
        page = self.dashboard(self.other)

        self.assertIn("Regulator overdue action", page)
        self.assertNotIn("Secret overdue action", page)
        self.assertIn("You have no open actions", page)

    def test_the_secretariat_sees_every_overdue_action(self):
        page = self.dashboard(self.secretariat)

        self.assertIn("Secret overdue action", page)
        self.assertIn("All 2 overdue actions", page)

    def test_policy_editors_read_overdue_actions_of_non_confidential_meetings(self):
        page = self.dashboard(make_user("Policy editors"))

        self.assertIn("Regulator overdue action", page)
        self.assertNotIn("Secret overdue action", page)
        self.assertNotIn("Confidential clinic call", page)

    def test_users_without_liaison_access_get_no_liaison_panels(self):
        from django.contrib.auth.models import Permission

        user = make_user()
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))

        page = self.dashboard(user)

        self.assertNotIn("My open actions", page)
        self.assertNotIn("Overdue actions", page)


class InteractionHistoryTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.org = Organisation.objects.create(name="Alliance for Regenerative Patients")
        contact = Contact.objects.create(name="Sam Patel", organisation=cls.org)
        cls.delegate = make_user("Liaison delegates")
        cls.other = make_user("Liaison delegates")
        public = make_meeting(cls.regulator, title="Open liaison day", visibility="public")
        public.attendees.set([contact])
        public.save()
        secret = make_meeting(
            cls.regulator,
            title="Closed enforcement call",
            visibility="confidential",
            delegation=[cls.delegate],
        )
        secret.attendees.set([contact])
        secret.save()
        ActionItem.objects.create(
            meeting=public, description="Regulator to publish Q&A", owner_regulator=cls.regulator
        )
        ActionItem.objects.create(
            meeting=secret, description="Patients group to send survey", owner_organisation=cls.org
        )

    def inspect(self, user, model, pk):
        self.client.force_login(user)
        response = self.client.get(f"{SNIPPETS}{model}/inspect/{pk}/")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_regulator_shows_its_meetings_and_actions(self):
        page = self.inspect(self.delegate, "regulator", self.regulator.pk)

        self.assertIn("Open liaison day", page)
        self.assertIn("Closed enforcement call", page)
        self.assertIn("Regulator to publish Q&amp;A", page)

    def test_history_respects_confidentiality(self):
        page = self.inspect(self.other, "regulator", self.regulator.pk)
        self.assertIn("Open liaison day", page)
        self.assertNotIn("Closed enforcement call", page)

        page = self.inspect(self.other, "organisation", self.org.pk)
        self.assertIn("Open liaison day", page)
        self.assertNotIn("Patients group to send survey", page)

    def test_an_organisation_shows_meetings_its_people_attended(self):
        page = self.inspect(self.delegate, "organisation", self.org.pk)

        self.assertIn("Closed enforcement call", page)
        self.assertIn("Patients group to send survey", page)


class MeetingListingTestCase(TestCase):
    def test_the_listing_shows_local_time_with_its_zone(self):
        regulator = make_regulator("PMDA", "Asia/Tokyo")
        make_meeting(
            regulator,
            title="PMDA consultation",
            starts_at=datetime.datetime(2026, 1, 15, 1, tzinfo=UTC),
        )
        self.client.force_login(make_user("Secretariat"))

        response = self.client.get(f"{SNIPPETS}meeting/")

        self.assertContains(response, "Thu 15 Jan 2026, 10:00–12:00 JST")
        self.assertContains(response, "PMDA")


class AgendaBadInputTestCase(TestCase):
    """Bad agenda input gives form errors and saves nothing, meeting included."""

    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")

    def test_a_huge_or_nul_agenda_item_is_refused_and_nothing_is_saved(self):
        from tests.liaison.test_meeting_admin import ADD_URL, meeting_form

        self.client.force_login(self.secretariat)
        for bad in ("x" * 10_000, "Potency\x00assays"):
            with self.subTest(title=bad[:10]):
                data = meeting_form(self.regulator)
                data["agenda_items-0-title"] = bad
                data["agenda_items-0-talking_points"] = "y" * 20_000

                response = self.client.post(ADD_URL, data)

                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].formsets["agenda_items"].errors)
                self.assertFalse(Meeting.objects.exists())
                self.assertFalse(AgendaItem.objects.exists())
