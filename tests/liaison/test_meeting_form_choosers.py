"""The meeting form's many-to-many fields are checkbox lists (cms.widgets.Checklist), people
by their names: the delegation among those who may see meetings, the attendees with their job
and where they work; what is ticked is saved."""

from django.contrib.auth.models import Permission
from django.test import TestCase

from advocacy.models import PositionPage
from liaison.meetings.forms import may_see_meetings
from liaison.models import Contact, Organisation
from tests.checkboxes import checkboxes, has_select_multiple
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import LIST_URL, make_meeting, make_regulator, meeting_form


class MeetingFormChoosersTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat", first_name="Sam", last_name="Secretary")
        cls.dana = make_user("Liaison delegates", first_name="Dana", last_name="Ng")
        cls.nameless = make_user("Liaison delegates", username="jdoe")
        cls.editor = make_user("Policy editors", first_name="Eve", last_name="Editor")
        cls.viewer = make_user(first_name="Vic", last_name="Viewer")
        cls.viewer.user_permissions.add(Permission.objects.get(codename="view_meeting"))
        cls.root = make_user(superuser=True, first_name="Root", last_name="Admin")
        cls.outsider = make_user(first_name="Olga", last_name="Outside")
        cls.gone = make_user("Liaison delegates", first_name="Ina", last_name="Gone")
        cls.gone.is_active = False
        cls.gone.save()
        cls.former = make_user(first_name="Fay", last_name="Former")  # no longer may see
        society = Organisation.objects.create(name="Cell Therapy Society")
        cls.rita = Contact.objects.create(
            name="Dr Rita Osei", job_title="Director", regulator=cls.regulator
        )
        cls.sam = Contact.objects.create(name="Sam Pharma", organisation=society)
        cls.pat = Contact.objects.create(name="Pat Plain")
        cls.meeting = make_meeting(cls.regulator, delegation=[cls.former])
        index = make_position_index()
        cls.position = make_position(
            index, title="Potency matrices", policy_status=PositionPage.Status.CONSULTATION
        )

    def setUp(self):
        self.client.force_login(self.secretariat)
        self.url = f"{LIST_URL}edit/{self.meeting.pk}/"

    def page(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_form_has_no_ctrl_click_lists(self):
        page = self.page()

        self.assertFalse(has_select_multiple(page))
        offered = checkboxes(page)
        for name in ("regulators", "delegation", "attendees"):
            with self.subTest(name):
                self.assertTrue(offered.get(name))

    def test_the_delegation_offers_those_who_may_see_meetings_by_name(self):
        offered = checkboxes(self.page())["delegation"]

        self.assertEqual(
            offered,
            {
                str(self.secretariat.pk): "Sam Secretary",
                str(self.dana.pk): "Dana Ng",
                str(self.nameless.pk): "jdoe",
                str(self.editor.pk): "Eve Editor",
                str(self.viewer.pk): "Vic Viewer",
                str(self.root.pk): "Root Admin",
                # Already on the delegation: kept, or saving the form would drop her.
                str(self.former.pk): "Fay Former",
            },
        )

    def test_the_delegation_is_found_in_one_query_however_many_people(self):
        for _ in range(10):
            make_user("Liaison delegates")
            make_user("Secretariat")

        with self.assertNumQueries(1):
            people = list(may_see_meetings(also=[self.former.pk]))

        self.assertEqual(len(people), 27)

    def test_attendees_are_listed_with_their_job_and_where_they_work(self):
        offered = checkboxes(self.page())["attendees"]

        self.assertEqual(
            offered,
            {
                str(self.rita.pk): "Dr Rita Osei — Director, Health Canada BRDD",
                str(self.sam.pk): "Sam Pharma — Cell Therapy Society",
                str(self.pat.pk): "Pat Plain",
            },
        )

    def test_the_organiser_is_chosen_by_name(self):
        page = self.page()

        self.assertIn(f'<option value="{self.dana.pk}">Dana Ng</option>', page)
        self.assertIn(f'<option value="{self.nameless.pk}">jdoe</option>', page)

    def test_cited_positions_are_ticked_by_title_and_status(self):
        offered = checkboxes(self.page())

        # The empty form an "Add agenda item" click copies.
        self.assertEqual(
            offered["agenda_items-__prefix__-cited_positions"],
            {str(self.position.pk): "Potency matrices (in consultation)"},
        )

    def test_what_is_ticked_is_saved(self):
        form = meeting_form(self.regulator)
        form["delegation"] = [self.dana.pk, self.nameless.pk]
        form["attendees"] = [self.rita.pk, self.sam.pk]
        form["agenda_items-0-cited_positions"] = [self.position.pk]

        response = self.client.post(self.url, form)

        self.assertEqual(response.status_code, 302)
        self.meeting.refresh_from_db()
        self.assertEqual(set(self.meeting.delegation.all()), {self.dana, self.nameless})
        self.assertEqual(set(self.meeting.attendees.all()), {self.rita, self.sam})
        [item] = self.meeting.agenda_items.all()
        self.assertEqual(list(item.cited_positions.all()), [self.position])
