"""cms.emails: every message Liaise sends is rendered and sent through one module, Wagtail's
workflow notices included."""

import datetime
from unittest import mock

import time_machine
from django.core import mail
from django.test import TestCase, override_settings

from cms import emails, outbox
from cms.models import OutgoingMail
from tests.factories import make_position_index, make_society, make_user
from tests.outbox import committed, sweep

SUBMIT = {
    "title": "Potency matrices",
    "slug": "potency-matrices",
    "summary": "Short.",
    "policy_status": "consultation",
    "body-count": "0",
    "action-submit": "go",
}


class WorkflowNoticeTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_society(name="Cell Therapy Society", short_name="CTS")
        cls.index = make_position_index()
        cls.editor = make_user("Policy editors", email="ed@example.org")
        cls.approver = make_user("Policy approvers", email="ann@example.org")
        cls.other_approver = make_user("Policy approvers", email="bo@example.org")

    def submit(self):
        self.client.force_login(self.editor)
        with committed():
            self.post_submission()

    def post_submission(self):
        self.client.post(f"/admin/pages/add/advocacy/positionpage/{self.index.pk}/", SUBMIT)

    def test_approvers_are_told_once_each_with_the_society_in_the_subject(self):
        self.submit()

        to_approvers = sorted(m.to[0] for m in mail.outbox)
        self.assertEqual(to_approvers, ["ann@example.org", "bo@example.org"])
        for message in mail.outbox:
            self.assertTrue(message.subject.startswith("[CTS] "), message.subject)
            self.assertIn("Potency matrices", message.subject)
            self.assertEqual(message.extra_headers["Auto-Submitted"], "auto-generated")

    def test_notices_are_queued_with_the_submission_and_sent_after_it_commits(self):
        self.client.force_login(self.editor)
        with self.captureOnCommitCallbacks() as callbacks:
            self.post_submission()
            # The submitter never waits on the mail server: the notices are in the outbox.
            rows = OutgoingMail.objects.filter(kind="workflow notice")
            self.assertEqual(
                sorted(rows.values_list("recipients", "status")),
                [("ann@example.org", outbox.QUEUED), ("bo@example.org", outbox.QUEUED)],
            )
            self.assertEqual(mail.outbox, [])
        # One hint for both, when the submission commits.
        self.assertEqual(callbacks.count(outbox.Hint(outbox.SEND_DUE, ())), 1)

    def test_one_refused_address_does_not_stop_the_others(self):
        real_send = mail.EmailMessage.send

        def refuse_ann(message, *args, **kwargs):
            if message.to == ["ann@example.org"]:
                raise ConnectionRefusedError("mailbox unavailable")
            return real_send(message, *args, **kwargs)

        with (
            mock.patch.object(mail.EmailMessage, "send", refuse_ann),
            self.assertLogs("cms.outbox", "WARNING") as logs,
        ):
            self.submit()

        self.assertEqual([m.to[0] for m in mail.outbox], ["bo@example.org"])
        # Each notice is its own row: Ann's waits in the outbox with the reason.
        rows = OutgoingMail.objects.filter(kind="workflow notice")
        self.assertEqual(
            sorted(rows.values_list("recipients", "status", "last_error")),
            [
                ("ann@example.org", outbox.QUEUED, "ConnectionRefusedError: mailbox unavailable"),
                ("bo@example.org", outbox.SENT, ""),
            ],
        )
        self.assertIn("ann@example.org", "\n".join(logs.output))

        # Her mailbox takes it later: the sweep sends it, to her alone, once.
        with time_machine.travel(datetime.timedelta(minutes=2)):
            self.assertEqual(sweep(), 1)
            self.assertEqual(sweep(), 0)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["ann@example.org", "bo@example.org"]
        )


@override_settings(BASE_URL="https://liaise.example.org")
class MessageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_society(name="Cell Therapy Society", short_name="CTS")

    def test_addresses_that_leave_the_building_come_from_base_url(self):
        self.assertEqual(
            emails.absolute_url("/calendar/subscribe/"),
            "https://liaise.example.org/calendar/subscribe/",
        )

    def test_a_message_carries_one_click_unsubscribe_when_it_has_an_address(self):
        message = emails.message(
            "liaison/emails/subscribe-already",
            {"subscriber": {"name": "Grace"}, "manage_url": "https://x.example/m/"},
            to=["grace@example.org"],
            unsubscribe_url="https://liaise.example.org/u/abc/",
        )

        self.assertEqual(
            message.extra_headers["List-Unsubscribe"], "<https://liaise.example.org/u/abc/>"
        )
        self.assertEqual(
            message.extra_headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
        )
        self.assertTrue(message.subject.startswith("[CTS] "))
        self.assertNotIn("\n", message.subject)
