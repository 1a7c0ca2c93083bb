"""liaison.visibility is the one rule for who sees what; these are the places a review found
outside it: the Site history report, action owners outside a confidential meeting, hidden
meetings that answered differently from unknown ones, and reminders that used another rule."""

import csv
import datetime
import io

from django.core import mail
from django.test import TestCase
from wagtail.log_actions import log

from liaison import visibility
from liaison.models import ActionItem, AgendaItem, Meeting
from liaison.tasks import send_action_reminders, send_meeting_reminders
from tests.factories import make_user
from tests.liaison.factories import make_meeting, make_regulator
from tests.liaison.reminders import run

UTC = datetime.UTC
SECRET_TITLE = "Closed enforcement session"
SECRET_ITEM = "Clinic inspection case"
SECRET_ACTION = "Send the clinic dossier"
MEETINGS = "/admin/snippets/liaison/meeting/"
ACTIONS = "/admin/actions/"


class Personas(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.delegate = make_user("Liaison delegates", email="dana@example.org")
        cls.other_delegate = make_user("Liaison delegates", email="omar@example.org")
        cls.editor = make_user("Policy editors")
        cls.approver = make_user("Policy approvers")
        cls.secretariat = make_user("Secretariat", email="sam@example.org")
        cls.public = make_meeting(cls.regulator, title="Public liaison", visibility="public")
        cls.secret = make_meeting(
            cls.regulator,
            title=SECRET_TITLE,
            visibility="confidential",
            delegation=[cls.delegate],
            starts_at=datetime.datetime(2026, 3, 2, 15, tzinfo=UTC),
        )
        cls.secret_item = AgendaItem.objects.create(
            meeting=cls.secret, title=SECRET_ITEM, sort_order=0
        )
        cls.secret_action = ActionItem.objects.create(
            meeting=cls.secret, description=SECRET_ACTION, owner=cls.delegate
        )


class HiddenMeetingsAnswerLikeUnknownOnesTestCase(Personas):
    """A 403 or a redirect for a hidden id and a 404 for an unknown one would confirm which
    confidential meetings exist."""

    def assert_same_answer(self, url_for, method="get", data=None):
        hidden = getattr(self.client, method)(url_for(self.secret_id), data or {})
        unknown = getattr(self.client, method)(url_for(self.unknown_id), data or {})
        self.assertEqual(hidden.status_code, unknown.status_code)
        return hidden.status_code

    def test_every_meeting_view_answers_a_hidden_meeting_with_404(self):
        self.client.force_login(self.other_delegate)
        self.secret_id, self.unknown_id = self.secret.pk, self.secret.pk + 1000
        for view in ("edit", "inspect", "history", "usage"):
            with self.subTest(view=view):
                status = self.assert_same_answer(lambda pk, v=view: f"{MEETINGS}{v}/{pk}/")
                self.assertEqual(status, 404)
        with self.subTest(view="delete"):
            self.assert_same_answer(lambda pk: f"{MEETINGS}delete/{pk}/")
        with self.subTest(view="calendar download"):
            status = self.assert_same_answer(lambda pk: f"/admin/calendar/meetings/{pk}.ics")
            self.assertEqual(status, 404)
        with self.subTest(view="briefing generation"):
            status = self.assert_same_answer(
                lambda pk: f"/admin/liaison/meetings/{pk}/briefings/",
                method="post",
                data={"briefing_audience": "pre-read"},
            )
            self.assertEqual(status, 404)

    def test_every_action_view_answers_a_hidden_action_with_404(self):
        self.client.force_login(self.other_delegate)
        self.secret_id, self.unknown_id = self.secret_action.pk, self.secret_action.pk + 1000
        for view in ("edit", "inspect", "history"):
            with self.subTest(view=view):
                status = self.assert_same_answer(lambda pk, v=view: f"{ACTIONS}{v}/{pk}/")
                self.assertEqual(status, 404)

    def test_a_visible_meeting_they_may_not_change_is_still_refused(self):
        self.client.force_login(self.other_delegate)

        response = self.client.get(f"{MEETINGS}edit/{self.public.pk}/")

        self.assertNotEqual(response.status_code, 200)
        self.assertNotEqual(response.status_code, 404)


class SiteHistoryTestCase(Personas):
    REPORT = "/admin/reports/site-history/"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for meeting in (cls.public, cls.secret):
            log(meeting, "wagtail.edit", user=cls.secretariat)
        log(cls.secret_action, "wagtail.edit", user=cls.secretariat)

    def report(self, user, export=None):
        self.client.force_login(user)
        response = self.client.get(self.REPORT, {"export": export} if export else {})
        self.assertEqual(response.status_code, 200)
        if export:
            return b"".join(response.streaming_content).decode("utf-8")
        return response.content.decode()

    def test_confidential_titles_stay_out_of_the_report_and_its_export(self):
        for user in (self.editor, self.approver, self.other_delegate):
            for export in (None, "csv"):
                with self.subTest(user=user.groups.get().name, export=export):
                    text = self.report(user, export)
                    self.assertIn("Public liaison", text)
                    self.assertNotIn(SECRET_TITLE, text)
                    self.assertNotIn(SECRET_ACTION, text)

    def test_the_delegation_and_the_secretariat_see_the_whole_history(self):
        for user in (self.delegate, self.secretariat):
            with self.subTest(user=user.groups.get().name):
                rows = list(csv.reader(io.StringIO(self.report(user, "csv"))))
                text = "\n".join(",".join(row) for row in rows)
                self.assertIn(SECRET_TITLE, text)
                self.assertIn(SECRET_ACTION, text)

    def test_a_meeting_history_page_still_lists_its_own_entries(self):
        self.client.force_login(self.delegate)

        response = self.client.get(f"{MEETINGS}history/{self.secret.pk}/")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Edited")


class ActionOwnersOutsideAConfidentialMeetingTestCase(Personas):
    """An owner outside a confidential meeting's delegation (made before the rule, or dropped
    from the delegation since) is told nothing about it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.outsiders_action = ActionItem.objects.create(
            meeting=cls.secret,
            agenda_item=cls.secret_item,
            description="Draft the reply to the inspectors",
            owner=cls.other_delegate,
            due_date=datetime.date(2026, 3, 10),
        )

    def test_the_dashboard_shows_nothing_of_it(self):
        self.client.force_login(self.other_delegate)

        response = self.client.get("/admin/")

        self.assertEqual(response.status_code, 200)
        for secret in (SECRET_TITLE, SECRET_ITEM, "Draft the reply to the inspectors"):
            self.assertNotContains(response, secret)

    def test_its_form_is_not_open_to_them(self):
        self.client.force_login(self.other_delegate)

        response = self.client.get(f"{ACTIONS}edit/{self.outsiders_action.pk}/")

        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, SECRET_TITLE, status_code=404)

    def test_no_reminder_names_it(self):
        run(send_action_reminders, today=datetime.date(2026, 3, 12))

        to_them = [m for m in mail.outbox if m.to == ["omar@example.org"]]
        self.assertEqual(to_them, [])
        self.assertEqual(
            [m.to for m in mail.outbox if "Draft the reply" in m.body], []
        )  # nor anyone else: it has no owner who may see it

    def test_the_action_form_refuses_an_owner_who_may_not_see_the_meeting(self):
        self.client.force_login(self.delegate)

        response = self.client.post(
            ACTIONS + "new/",
            {
                "meeting": self.secret.pk,
                "description": "Ask Omar to check",
                "owner": f"user:{self.other_delegate.pk}",
                "status": "open",
            },
        )

        self.assertEqual(response.status_code, 200)
        self.assertIn("owner", response.context["form"].errors)
        self.assertFalse(ActionItem.objects.filter(description="Ask Omar to check").exists())

    def test_someone_on_the_delegation_may_own_it(self):
        self.client.force_login(self.delegate)

        self.client.post(
            ACTIONS + "new/",
            {
                "meeting": self.secret.pk,
                "description": "Dana checks",
                "owner": f"user:{self.delegate.pk}",
                "status": "open",
            },
        )

        self.assertTrue(ActionItem.objects.filter(description="Dana checks").exists())


class CarriedForwardActionsFollowOneRuleTestCase(Personas):
    """The meeting form's panel, the meeting reminder and the briefing all show the open
    actions of earlier meetings; the first two for one reader, by the same rule."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.coming = make_meeting(
            cls.regulator,
            title="Autumn liaison",
            delegation=[cls.secretariat, cls.other_delegate],
            status=Meeting.Status.CONFIRMED,
            starts_at=datetime.datetime(2026, 11, 25, 15, tzinfo=UTC),
        )

    def test_a_secretariat_member_is_reminded_of_what_their_panel_shows(self):
        panel = set(self.coming.carried_forward_actions(self.secretariat))
        self.assertIn(self.secret_action, panel)

        run(send_meeting_reminders, now=datetime.datetime(2026, 11, 22, 9, tzinfo=UTC))

        to_secretariat = next(m for m in mail.outbox if m.to == ["sam@example.org"])
        self.assertIn(SECRET_ACTION, to_secretariat.body)
        to_outsider = next(m for m in mail.outbox if m.to == ["omar@example.org"])
        self.assertNotIn(SECRET_ACTION, to_outsider.body)
        self.assertNotIn(
            self.secret_action, set(self.coming.carried_forward_actions(self.other_delegate))
        )

    def test_a_document_for_the_whole_delegation_leaves_earlier_confidential_meetings_out(self):
        shared = set(self.coming.carried_forward_actions(visibility.SHARED))

        self.assertNotIn(self.secret_action, shared)
