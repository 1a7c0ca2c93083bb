"""The e-mail that tells a person an action is theirs: when it is given to them, or its due
date moves, through the outbox, once per form submission; never to an organisation or a
regulator, nor to the person who made the change."""

import datetime

from django.core import mail
from django.test import TestCase

from cms.models import OutgoingMail
from liaison.meetings import actions
from liaison.models import ActionItem, AgendaItem, Organisation
from tests.factories import make_society, make_user
from tests.liaison.factories import make_meeting, make_regulator
from tests.outbox import CommittingClient, committed

UTC = datetime.UTC
NEW = "/admin/actions/new/"
DELEGATES = "Liaison delegates"


def edit(action):
    return f"/admin/actions/edit/{action.pk}/"


def owner_mail():
    return OutgoingMail.objects.filter(kind="action owner")


class ActionOwnerMailTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_society()
        cls.regulator = make_regulator("FDA CBER", "America/New_York")
        cls.organisation = Organisation.objects.create(name="Alliance for Regenerative Medicine")
        cls.secretariat = make_user(
            "Secretariat", first_name="Sam", last_name="Secretary", email="sam@example.org"
        )
        cls.owner = make_user(
            DELEGATES, first_name="Olive", last_name="Owner", email="olive@example.org"
        )
        cls.meeting = make_meeting(
            cls.regulator,
            title="Potency workshop",
            delegation=[cls.owner],
            starts_at=datetime.datetime(2026, 10, 1, 3, tzinfo=UTC),  # 30 Sep in New York
        )
        cls.item = AgendaItem.objects.create(
            meeting=cls.meeting, title="Assay matrices", sort_order=0
        )

    def setUp(self):
        self.client = CommittingClient()
        self.client.force_login(self.secretariat)

    def form_data(self, **overrides):
        data = {
            "meeting": self.meeting.pk,
            "agenda_item": self.item.pk,
            "description": "Send the assay data",
            "owner": f"user:{self.owner.pk}",
            "due_date": "2026-11-02",
            "status": "open",
            "completed_on": "",
            "completion_note": "",
        }
        data.update(overrides)
        return data

    def make_action(self, **kwargs):
        kwargs.setdefault("owner", self.owner)
        kwargs.setdefault("due_date", datetime.date(2026, 11, 2))
        return ActionItem.objects.create(
            meeting=self.meeting,
            agenda_item=self.item,
            description="Send the assay data",
            **kwargs,
        )

    def test_a_new_action_is_announced_to_its_owner(self):
        response = self.client.post(NEW, self.form_data())

        self.assertEqual(response.status_code, 302)
        action = ActionItem.objects.get()
        self.assertEqual(owner_mail().count(), 1)
        [message] = mail.outbox
        self.assertEqual(message.to, ["olive@example.org"])
        self.assertEqual(message.subject, "[SCGTP] Action for you: Send the assay data")
        body = message.body
        self.assertIn("Sam Secretary has given you an action from a regulator meeting.", body)
        self.assertIn("Send the assay data", body)
        self.assertIn("Due:      Monday 2 November 2026", body)
        self.assertIn("Meeting:  Potency workshop, 30 September 2026", body)
        self.assertIn("Agenda item: Assay matrices", body)
        self.assertIn(f"http://testserver/admin/actions/edit/{action.pk}/", body)
        self.assertIn(
            f"http://testserver/admin/snippets/liaison/meeting/inspect/{self.meeting.pk}/", body
        )

    def test_a_new_due_date_is_announced_to_the_owner(self):
        action = self.make_action()

        self.client.post(edit(action), self.form_data(due_date="2026-11-16"))

        [message] = mail.outbox
        self.assertEqual(message.to, ["olive@example.org"])
        self.assertEqual(message.subject, "[SCGTP] New due date: Send the assay data")
        self.assertIn(
            "Sam Secretary has changed the due date of your action from Monday 2 November 2026.",
            message.body,
        )
        self.assertIn("Due:      Monday 16 November 2026", message.body)

    def test_an_action_given_to_someone_else_is_announced_to_them(self):
        action = self.make_action(owner_organisation=self.organisation, owner=None)

        self.client.post(edit(action), self.form_data())

        [message] = mail.outbox
        self.assertEqual(message.to, ["olive@example.org"])
        self.assertIn("has given you an action", message.body)

    def test_saving_without_a_new_owner_or_date_sends_nothing(self):
        action = self.make_action()

        response = self.client.post(edit(action), self.form_data(description="Send all data"))

        self.assertEqual(response.status_code, 302)
        self.assertEqual(ActionItem.objects.get().description, "Send all data")
        self.assertFalse(owner_mail().exists())
        self.assertEqual(mail.outbox, [])

    def test_organisations_and_regulators_are_never_e_mailed(self):
        for owner in (f"organisation:{self.organisation.pk}", f"regulator:{self.regulator.pk}"):
            with self.subTest(owner=owner):
                response = self.client.post(NEW, self.form_data(owner=owner))

                self.assertEqual(response.status_code, 302)
        owed = self.make_action(owner=None, owner_organisation=self.organisation)
        self.client.post(
            edit(owed),
            self.form_data(owner=f"organisation:{self.organisation.pk}", due_date="2026-12-01"),
        )

        self.assertEqual(ActionItem.objects.filter(owner=None).count(), 3)
        self.assertFalse(owner_mail().exists())
        self.assertEqual(mail.outbox, [])

    def test_whoever_takes_an_action_themselves_is_not_told(self):
        self.client.force_login(self.owner)

        response = self.client.post(NEW, self.form_data())

        self.assertEqual(response.status_code, 302)
        self.assertFalse(owner_mail().exists())

    def test_a_form_sent_twice_announces_the_action_once(self):
        page = self.client.get(NEW)
        submission = page.context["form"]["submission"].value()

        for _ in range(2):
            self.client.post(NEW, self.form_data(submission=submission))

        self.assertEqual(owner_mail().count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_two_requests_that_read_the_same_old_date_announce_it_once(self):
        # A double click: both requests read the stored row before either saved.
        action = self.make_action(due_date=datetime.date(2026, 11, 16))
        before = (self.owner.pk, datetime.date(2026, 11, 2))

        with committed():
            for _ in range(2):
                actions.tell_owner(
                    action, before=before, editor=self.secretariat, submission="a" * 32
                )

        self.assertEqual(owner_mail().count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_a_confidential_item_stays_out_of_the_mail_to_an_owner_off_the_delegation(self):
        outsider = make_user(DELEGATES, first_name="Omar", email="omar@example.org")
        secret_item = AgendaItem.objects.create(
            meeting=self.meeting, title="Pricing strategy", confidential=True, sort_order=1
        )

        self.client.post(
            NEW, self.form_data(owner=f"user:{outsider.pk}", agenda_item=secret_item.pk)
        )

        [message] = mail.outbox
        self.assertEqual(message.to, ["omar@example.org"])
        self.assertIn("Potency workshop", message.body)
        self.assertNotIn("Pricing strategy", message.body)
        self.assertNotIn("Agenda item:", message.body)
