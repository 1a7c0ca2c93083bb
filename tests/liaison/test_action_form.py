"""The action form where the meeting is: one Owner field for a person, an organisation or a
regulator; agenda items of the action's meeting only (grouped by meeting until it is known);
a new action opened from a meeting page filled in from the address, and back there after
saving, never to another site."""

import datetime

from django.test import TestCase

from liaison.meetings import actions
from liaison.models import ActionItem, AgendaItem, Organisation
from tests.factories import make_user
from tests.liaison.factories import make_meeting, make_regulator

UTC = datetime.UTC
NEW = "/admin/actions/new/"
LIST = "/admin/actions/"
DELEGATES = "Liaison delegates"


def edit(action):
    return f"{LIST}edit/{action.pk}/"


def meeting_page(meeting):
    return f"/admin/snippets/liaison/meeting/inspect/{meeting.pk}/"


class ActionFormTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.organisation = Organisation.objects.create(name="Alliance for Regenerative Medicine")
        cls.secretariat = make_user("Secretariat", first_name="Sam", last_name="Secretary")
        cls.delegate = make_user(DELEGATES, first_name="Dana", last_name="Delegate")
        cls.other_delegate = make_user(DELEGATES, first_name="Omar", last_name="Other")
        cls.editor = make_user("Policy editors", first_name="Eve", last_name="Editor")
        cls.outsider = make_user(first_name="Nora", last_name="Nobody")  # may not see meetings
        cls.gone = make_user(DELEGATES, first_name="Gil", last_name="Gone", is_active=False)
        cls.spring = make_meeting(cls.regulator, delegation=[cls.delegate])
        cls.last_year = make_meeting(
            cls.regulator,
            delegation=[cls.delegate],
            starts_at=datetime.datetime(2025, 6, 11, 13, tzinfo=UTC),
        )
        cls.spring_item = AgendaItem.objects.create(
            meeting=cls.spring, title="Potency assays", sort_order=0
        )
        cls.last_year_item = AgendaItem.objects.create(
            meeting=cls.last_year, title="Potency assays", sort_order=0
        )

    def form_data(self, **overrides):
        data = {
            "meeting": self.spring.pk,
            "agenda_item": "",
            "description": "Send the assay data",
            "owner": f"user:{self.delegate.pk}",
            "due_date": "2026-07-01",
            "status": "open",
            "completed_on": "",
            "completion_note": "",
        }
        data.update(overrides)
        return data


class OneOwnerFieldTestCase(ActionFormTestCase):
    def test_the_owner_is_chosen_among_people_organisations_and_regulators(self):
        self.client.force_login(self.secretariat)

        response = self.client.get(NEW)

        choices = response.context["form"].fields["owner"].choices
        groups = {label: dict(options) for label, options in choices[1:]}
        self.assertEqual(list(groups), ["People", "Organisations", "Regulators"])
        self.assertEqual(
            set(groups["People"].values()),
            {"Dana Delegate", "Eve Editor", "Omar Other", "Sam Secretary"},
        )
        self.assertEqual(groups["People"][f"user:{self.delegate.pk}"], "Dana Delegate")
        self.assertEqual(
            groups["Organisations"][f"organisation:{self.organisation.pk}"],
            "Alliance for Regenerative Medicine",
        )
        self.assertEqual(
            groups["Regulators"][f"regulator:{self.regulator.pk}"], "Health Canada BRDD"
        )
        self.assertContains(response, '<optgroup label="Organisations">')

    def test_each_choice_sets_its_column_and_clears_the_others(self):
        action = ActionItem.objects.create(
            meeting=self.spring, description="Chase the guidance", owner=self.delegate
        )
        self.client.force_login(self.secretariat)
        for value, expected in (
            (f"organisation:{self.organisation.pk}", (None, self.organisation.pk, None)),
            (f"regulator:{self.regulator.pk}", (None, None, self.regulator.pk)),
            (f"user:{self.other_delegate.pk}", (self.other_delegate.pk, None, None)),
        ):
            with self.subTest(owner=value):
                response = self.client.post(
                    edit(action), self.form_data(description="Chase the guidance", owner=value)
                )

                self.assertEqual(response.status_code, 302)
                action.refresh_from_db()
                self.assertEqual(
                    (action.owner_id, action.owner_organisation_id, action.owner_regulator_id),
                    expected,
                )

    def test_the_edit_form_shows_the_owner_it_has(self):
        action = ActionItem.objects.create(
            meeting=self.spring, description="Chase the guidance", owner_regulator=self.regulator
        )
        self.client.force_login(self.secretariat)

        response = self.client.get(edit(action))

        self.assertEqual(
            response.context["form"]["owner"].value(), f"regulator:{self.regulator.pk}"
        )

    def test_a_missing_owner_is_said_once_at_the_field(self):
        self.client.force_login(self.secretariat)

        response = self.client.post(NEW, self.form_data(owner=""))

        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form.errors["owner"], [actions.ONE_OWNER])
        self.assertEqual(form.non_field_errors(), [])
        self.assertFalse(ActionItem.objects.exists())

    def test_an_unknown_owner_is_a_form_error(self):
        self.client.force_login(self.secretariat)
        for value in (
            f"organisation:{self.organisation.pk + 1000}",
            "user:abc",
            "nobody:1",
            str(self.delegate.pk),  # the old field's value
            f"user:{self.outsider.pk}",
            f"user:{self.gone.pk}",
        ):
            with self.subTest(owner=value):
                response = self.client.post(NEW, self.form_data(owner=value))

                self.assertEqual(response.status_code, 200)
                form = response.context["form"]
                self.assertEqual(
                    form.errors["owner"],
                    ["Choose the owner from the list: that one is not on it."],
                )
                self.assertEqual(form.non_field_errors(), [])
        self.assertFalse(ActionItem.objects.exists())

    def test_an_owner_who_left_keeps_the_action_when_it_is_saved_for_another_reason(self):
        action = ActionItem.objects.create(
            meeting=self.spring, description="Chase the guidance", owner=self.gone
        )
        self.client.force_login(self.secretariat)

        response = self.client.post(
            edit(action),
            self.form_data(description="Chase the new guidance", owner=f"user:{self.gone.pk}"),
        )

        self.assertEqual(response.status_code, 302)
        action.refresh_from_db()
        self.assertEqual((action.owner, action.description), (self.gone, "Chase the new guidance"))


class AgendaItemsOfTheMeetingTestCase(ActionFormTestCase):
    def test_the_meeting_given_limits_the_agenda_items_to_its_own(self):
        self.client.force_login(self.delegate)

        response = self.client.get(NEW, {"meeting": self.spring.pk})

        form = response.context["form"]
        self.assertEqual(list(form.fields["agenda_item"].queryset), [self.spring_item])
        self.assertEqual(list(form.fields["meeting"].queryset), [self.spring])
        self.assertTrue(form.fields["meeting"].disabled)

    def test_without_a_meeting_items_are_grouped_by_meeting_and_its_date(self):
        self.client.force_login(self.delegate)

        response = self.client.get(NEW)

        choices = response.context["form"].fields["agenda_item"].choices
        self.assertEqual(
            choices[1:],
            [
                (
                    "Annual Cell Therapy Liaison Meeting, 10 Jun 2026",
                    [(self.spring_item.pk, "Potency assays")],
                ),
                (
                    "Annual Cell Therapy Liaison Meeting, 11 Jun 2025",
                    [(self.last_year_item.pk, "Potency assays")],
                ),
            ],
        )
        self.assertContains(
            response, '<optgroup label="Annual Cell Therapy Liaison Meeting, 11 Jun 2025">'
        )
        # The meetings themselves are told apart the same way.
        meetings = response.context["form"].fields["meeting"]
        self.assertEqual(
            [label for _, label in meetings.choices][1:],
            [
                "Annual Cell Therapy Liaison Meeting, 10 Jun 2026",
                "Annual Cell Therapy Liaison Meeting, 11 Jun 2025",
            ],
        )

    def test_the_posted_meeting_decides_which_items_are_valid(self):
        self.client.force_login(self.delegate)

        response = self.client.post(
            NEW, self.form_data(meeting=self.spring.pk, agenda_item=self.last_year_item.pk)
        )

        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertIn("agenda_item", form.errors)
        self.assertEqual(list(form.fields["agenda_item"].queryset), [self.spring_item])
        self.assertFalse(ActionItem.objects.exists())

    def test_an_outsider_is_offered_nothing_of_a_confidential_meeting(self):
        secret = make_meeting(
            self.regulator,
            title="Closed enforcement session",
            visibility="confidential",
            delegation=[self.delegate],
        )
        AgendaItem.objects.create(meeting=secret, title="Clinic inspection case", sort_order=0)
        self.client.force_login(self.other_delegate)

        response = self.client.get(NEW, {"meeting": secret.pk})

        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertFalse(form.fields["meeting"].disabled)
        self.assertEqual(list(form.fields["agenda_item"].queryset), [])
        self.assertNotContains(response, "Closed enforcement session")
        self.assertNotContains(response, "Clinic inspection case")

    def test_an_owner_not_on_the_delegation_is_not_offered_confidential_items(self):
        members = make_meeting(self.regulator, title="Members liaison", delegation=[self.delegate])
        AgendaItem.objects.create(meeting=members, title="Open item", sort_order=0)
        AgendaItem.objects.create(
            meeting=members, title="Pricing item", confidential=True, sort_order=1
        )
        action = ActionItem.objects.create(
            meeting=members, description="Owned elsewhere", owner=self.other_delegate
        )
        self.client.force_login(self.other_delegate)

        response = self.client.get(edit(action))

        form = response.context["form"]
        self.assertEqual([i.title for i in form.fields["agenda_item"].queryset], ["Open item"])
        self.assertNotContains(response, "Pricing item")


class OpenedFromTheMeetingPageTestCase(ActionFormTestCase):
    def test_the_address_fills_in_the_meeting_and_the_agenda_item(self):
        self.client.force_login(self.delegate)
        url = actions.add_url(self.spring, self.spring_item, next_url=meeting_page(self.spring))

        response = self.client.get(url)

        form = response.context["form"]
        self.assertEqual(form["meeting"].value(), self.spring.pk)
        self.assertEqual(form["agenda_item"].value(), self.spring_item.pk)
        self.assertContains(
            response, f'<option value="{self.spring_item.pk}" selected>Potency assays</option>'
        )
        # The form posts back to the same address, and Cancel goes back to the meeting.
        self.assertEqual(response.context["action_url"], url)
        self.assertContains(response, f'href="{meeting_page(self.spring)}">Cancel</a>')

    def test_saving_goes_back_to_the_meeting_page_with_the_action_on_that_meeting(self):
        self.client.force_login(self.delegate)
        url = actions.add_url(self.spring, self.spring_item, next_url=meeting_page(self.spring))
        # A meeting posted anyway is ignored: the action stays with the meeting it was opened from.
        data = self.form_data(meeting=self.last_year.pk, agenda_item=self.spring_item.pk)

        response = self.client.post(url, data)

        self.assertRedirects(response, meeting_page(self.spring), fetch_redirect_response=False)
        action = ActionItem.objects.get()
        self.assertEqual((action.meeting, action.agenda_item), (self.spring, self.spring_item))

    def test_the_edit_form_goes_back_to_next_too(self):
        action = ActionItem.objects.create(
            meeting=self.spring, description="Chase the guidance", owner=self.delegate
        )
        self.client.force_login(self.delegate)

        response = self.client.post(
            actions.edit_url(action, next_url=meeting_page(self.spring)),
            self.form_data(description="Chase the new guidance"),
        )

        self.assertRedirects(response, meeting_page(self.spring), fetch_redirect_response=False)

    def test_another_site_is_never_where_saving_leads(self):
        self.client.force_login(self.delegate)
        for next_url in (
            "https://evil.example/phish",
            "//evil.example/phish",
            "/\\evil.example/phish",
            "javascript:alert(1)",
        ):
            with self.subTest(next=next_url):
                url = actions.add_url(self.spring, next_url=next_url)

                page = self.client.get(url)
                response = self.client.post(url, self.form_data())

                self.assertNotContains(page, "evil.example")
                self.assertRedirects(response, LIST, fetch_redirect_response=False)

    def test_the_links_for_the_meeting_page(self):
        action = ActionItem.objects.create(
            meeting=self.spring, description="Chase the guidance", owner=self.delegate
        )
        back = meeting_page(self.spring)

        self.assertEqual(
            actions.add_url(self.spring, self.spring_item, next_url=back),
            f"{NEW}?meeting={self.spring.pk}&agenda_item={self.spring_item.pk}"
            f"&next=%2Fadmin%2Fsnippets%2Fliaison%2Fmeeting%2Finspect%2F{self.spring.pk}%2F",
        )
        self.assertEqual(actions.add_url(self.spring), f"{NEW}?meeting={self.spring.pk}")
        self.assertEqual(actions.edit_url(action), edit(action))

    def test_actions_are_added_by_those_who_may_change_the_meeting(self):
        self.assertTrue(actions.may_add_action(self.secretariat, self.spring))
        self.assertTrue(actions.may_add_action(self.delegate, self.spring))
        self.assertFalse(actions.may_add_action(self.other_delegate, self.spring))
        self.assertFalse(actions.may_add_action(self.editor, self.spring))
