"""The meeting snippet in the admin: the form, the sequence number, who may list, open and
change meetings, the meeting chooser, and the action register."""

import datetime

from django.test import TestCase

from liaison.models import Meeting
from tests.factories import make_user
from tests.liaison.factories import ADD_URL, LIST_URL, make_meeting, make_regulator, meeting_form

UTC = datetime.UTC


class MeetingFormTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat")

    def setUp(self):
        self.client.force_login(self.secretariat)

    def test_local_times_are_stored_as_instants_in_their_zone(self):
        response = self.client.post(ADD_URL, meeting_form(self.regulator))

        self.assertEqual(response.status_code, 302)
        meeting = Meeting.objects.get()
        self.assertEqual(meeting.starts_at, datetime.datetime(2026, 6, 10, 13, tzinfo=UTC))
        self.assertEqual(meeting.ends_at, datetime.datetime(2026, 6, 10, 15, 30, tzinfo=UTC))
        self.assertEqual(meeting.time_zone, "America/Toronto")
        self.assertEqual([a.title for a in meeting.agenda_items.all()], ["Potency assays"])

    def assert_refused(self, field, message, **overrides):
        response = self.client.post(ADD_URL, meeting_form(self.regulator, **overrides))

        self.assertEqual(response.status_code, 200)
        self.assertIn(message, str(response.context["form"].errors.get(field)))
        self.assertFalse(Meeting.objects.exists())

    def test_a_time_in_the_spring_gap_is_refused(self):
        self.assert_refused(
            "local_start",
            "does not exist in America/Toronto",
            local_start="2026-03-08 02:30",
            local_end="2026-03-08 04:00",
        )

    def test_an_ambiguous_time_must_be_resolved(self):
        self.assert_refused(
            "local_start",
            "happens twice",
            local_start="2026-11-01 01:30",
            local_end="2026-11-01 03:00",
        )

    def test_an_ambiguous_time_with_a_choice_is_saved(self):
        self.client.post(
            ADD_URL,
            meeting_form(
                self.regulator,
                local_start="2026-11-01 01:30",
                local_end="2026-11-01 03:00",
                occurrence="later",
            ),
        )

        meeting = Meeting.objects.get()
        self.assertEqual(meeting.starts_at, datetime.datetime(2026, 11, 1, 6, 30, tzinfo=UTC))

    def test_the_end_must_follow_the_start(self):
        self.assert_refused(
            "local_end",
            "must end after it starts",
            local_start="2026-06-10 11:00",
            local_end="2026-06-10 09:00",
        )

    def test_a_very_long_title_is_refused(self):
        self.assert_refused("title", "at most 255 characters", title="x" * 10_000)

    def test_control_characters_are_refused(self):
        self.assert_refused("title", "control characters", title="Potency\x00\x0b meeting")

    def test_a_hostile_search_gives_a_normal_page(self):
        make_meeting(self.regulator)
        for query in ['"', "<script>", "a* OR (b", "%00", "x" * 5000]:
            with self.subTest(query=query[:10]):
                response = self.client.get(LIST_URL, {"q": query})
                self.assertEqual(response.status_code, 200)


class SequenceTestCase(TestCase):
    def test_sequence_rises_when_time_place_or_status_change_only(self):
        meeting = make_meeting(make_regulator())
        start = meeting.sequence

        meeting.objectives = "New objectives"
        meeting.save()
        self.assertEqual(meeting.sequence, start)

        meeting.location = "Gatineau"
        meeting.save()
        meeting.status = Meeting.Status.CANCELLED
        meeting.save()
        self.assertEqual(meeting.sequence, start + 2)


class MeetingAccessTestCase(TestCase):
    """A public and a confidential meeting, and people on and off its delegation.

    It has no tests of its own: the test cases below share its data, not its tests."""

    @classmethod
    def setUpTestData(cls):
        regulator = make_regulator()
        cls.delegate = make_user("Liaison delegates")
        cls.other_delegate = make_user("Liaison delegates")
        cls.editor = make_user("Policy editors")
        cls.secretariat = make_user("Secretariat")
        cls.public = make_meeting(regulator, title="Public liaison", visibility="public")
        cls.secret = make_meeting(
            regulator,
            title="Confidential enforcement call",
            visibility="confidential",
            delegation=[cls.delegate],
        )


class MeetingPermissionsTestCase(MeetingAccessTestCase):
    def listing_titles(self, user):
        self.client.force_login(user)
        response = self.client.get(LIST_URL)
        self.assertEqual(response.status_code, 200)
        return {m.title for m in response.context["object_list"]}

    def test_confidential_meetings_are_listed_only_for_their_delegation_and_secretariat(self):
        self.assertEqual(
            self.listing_titles(self.delegate), {"Public liaison", "Confidential enforcement call"}
        )
        self.assertEqual(self.listing_titles(self.other_delegate), {"Public liaison"})
        self.assertEqual(self.listing_titles(self.editor), {"Public liaison"})
        self.assertEqual(
            self.listing_titles(self.secretariat),
            {"Public liaison", "Confidential enforcement call"},
        )

    def test_outsiders_cannot_open_or_export_a_confidential_meeting(self):
        self.client.force_login(self.other_delegate)

        for url in (
            f"{LIST_URL}edit/{self.secret.pk}/",
            f"{LIST_URL}inspect/{self.secret.pk}/",
            f"{LIST_URL}history/{self.secret.pk}/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        export = self.client.get(LIST_URL + "?export=csv")
        content = b"".join(export.streaming_content) if export.streaming else export.content
        self.assertNotIn(b"Confidential enforcement call", content)
        self.assertIn(b"Public liaison", content)

    def test_a_delegate_cannot_change_a_meeting_they_are_not_on(self):
        self.client.force_login(self.other_delegate)

        response = self.client.post(f"{LIST_URL}edit/{self.public.pk}/", {"title": "Hijacked"})

        self.assertIn(response.status_code, (302, 403))
        self.public.refresh_from_db()
        self.assertEqual(self.public.title, "Public liaison")

    def test_anonymous_users_are_sent_to_login(self):
        response = self.client.get(LIST_URL)

        self.assertRedirects(response, f"/admin/login/?next={LIST_URL}")


class MeetingChooserTestCase(MeetingAccessTestCase):
    CHOOSE = "/admin/snippets/choose/liaison/meeting/"

    def test_the_chooser_lists_only_visible_meetings(self):
        self.client.force_login(self.other_delegate)

        response = self.client.get(self.CHOOSE + "results/")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Public liaison")
        self.assertNotContains(response, "Confidential enforcement call")

    def test_choosing_a_hidden_meeting_by_id_is_404(self):
        self.client.force_login(self.other_delegate)

        response = self.client.get(f"{self.CHOOSE}chosen/{self.secret.pk}/")

        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Confidential", status_code=404)

    def test_hostile_chooser_searches_give_a_normal_answer(self):
        self.client.force_login(self.secretariat)
        for query in ['"', "<script>", "a* OR (b"]:
            with self.subTest(query=query):
                response = self.client.get(self.CHOOSE + "results/", {"q": query})
                self.assertEqual(response.status_code, 200)


class ActionRegisterTestCase(MeetingAccessTestCase):
    LIST = "/admin/actions/"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from liaison.models import ActionItem, AgendaItem

        cls.secret_item = AgendaItem.objects.create(
            meeting=cls.secret, title="Clinic enforcement case", sort_order=0
        )
        cls.secret_action = ActionItem.objects.create(
            meeting=cls.secret, description="Send the clinic dossier", owner=cls.delegate
        )
        cls.public_action = ActionItem.objects.create(
            meeting=cls.public, description="Share potency examples", owner=cls.secretariat
        )

    def test_the_register_lists_only_actions_of_visible_meetings(self):
        self.client.force_login(self.other_delegate)

        response = self.client.get(self.LIST)

        self.assertContains(response, "Share potency examples")
        self.assertNotContains(response, "Send the clinic dossier")

    def test_outsiders_cannot_open_an_action_of_a_confidential_meeting(self):
        self.client.force_login(self.other_delegate)

        for url in (
            f"{self.LIST}edit/{self.secret_action.pk}/",
            f"{self.LIST}inspect/{self.secret_action.pk}/",
            f"{self.LIST}history/{self.secret_action.pk}/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_add_form_offers_only_meetings_the_user_is_on_and_their_agenda_items(self):
        from liaison.models import AgendaItem, Meeting

        mine = make_meeting(
            self.public.regulators.get(),
            title="Members liaison with me",
            visibility="members",
            delegation=[self.other_delegate],
        )
        AgendaItem.objects.create(meeting=mine, title="My secret item", confidential=True)
        members = make_meeting(
            self.public.regulators.get(), title="Members liaison without me", visibility="members"
        )
        AgendaItem.objects.create(meeting=members, title="Their secret item", confidential=True)
        self.client.force_login(self.other_delegate)

        response = self.client.get(self.LIST + "new/")

        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(list(form.fields["meeting"].queryset), [mine])
        self.assertEqual(
            [i.title for i in form.fields["agenda_item"].queryset], ["My secret item"]
        )
        for hidden in (
            "Confidential enforcement call",
            "Clinic enforcement case",
            "Members liaison without me",
            "Their secret item",
            "Public liaison",
        ):
            self.assertNotContains(response, hidden)
        # Posting another meeting anyway is a form error, and nothing is saved.
        response = self.client.post(
            self.LIST + "new/",
            {"meeting": members.pk, "description": "Sneak in", "status": "open"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("meeting", response.context["form"].errors)
        self.assertFalse(Meeting.objects.filter(actions__description="Sneak in").exists())

    def test_an_owner_not_on_the_meeting_keeps_it_but_not_its_confidential_items(self):
        from liaison.models import ActionItem, AgendaItem

        AgendaItem.objects.create(meeting=self.public, title="Open item", sort_order=0)
        AgendaItem.objects.create(
            meeting=self.public, title="Pricing item", confidential=True, sort_order=1
        )
        action = ActionItem.objects.create(
            meeting=self.public, description="Owned elsewhere", owner=self.other_delegate
        )
        self.client.force_login(self.other_delegate)

        response = self.client.get(f"{self.LIST}edit/{action.pk}/")

        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(list(form.fields["meeting"].queryset), [self.public])
        self.assertEqual([i.title for i in form.fields["agenda_item"].queryset], ["Open item"])
        self.assertNotContains(response, "Pricing item")

    def test_the_delegation_sees_its_own_confidential_actions(self):
        self.client.force_login(self.delegate)

        response = self.client.get(self.LIST)

        self.assertContains(response, "Send the clinic dossier")
