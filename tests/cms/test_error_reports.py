"""Server errors are reported to the administrators through the outbox: at most one e-mail
per distinct error per ERROR_MAIL_EVERY seconds, none sent from the request, and none for the
health check's 503."""

import logging
from unittest import mock

from django.core import mail
from django.db.utils import OperationalError
from django.test import Client, TestCase, override_settings

from cms import outbox
from cms.models import OutgoingMail

ADMINS = [("Ops", "ops@example.org")]


def no_smtp_here(*args, **kwargs):
    raise AssertionError("a request opened a mail connection")


@override_settings(ADMINS=ADMINS, ERROR_MAIL_EVERY=300)
class ErrorReportTestCase(TestCase):
    def setUp(self):
        self.client = Client(raise_request_exception=False)
        handler = next(
            h
            for h in logging.getLogger("django").handlers
            if h.__class__.__name__ == "ErrorMailHandler"
        )
        handler._recent.clear()  # what this process reported in earlier tests

    def crash(self, error):
        with mock.patch("cms.health.check_database", side_effect=error):
            return self.client.get("/healthz")

    def test_a_burst_of_one_error_is_one_report_sent_by_the_worker(self):
        with (
            mock.patch("django.core.mail.get_connection", no_smtp_here),
            self.captureOnCommitCallbacks() as after_commit,
        ):
            for _ in range(40):
                self.assertEqual(self.crash(RuntimeError("boom")).status_code, 500)
        for callback in after_commit:  # what the end of each request's transaction runs
            callback()

        reports = OutgoingMail.objects.filter(kind="error report")
        self.assertEqual(reports.count(), 1)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(outbox.send_due(), 1)
        (report,) = mail.outbox
        self.assertEqual(report.to, ["ops@example.org"])
        self.assertIn("RuntimeError", report.body)
        self.assertIn("/healthz", report.subject)

    def test_distinct_errors_are_reported_separately(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.crash(RuntimeError("boom"))
            self.crash(KeyError("missing"))
            self.crash(RuntimeError("boom again"))

        self.assertEqual(OutgoingMail.objects.filter(kind="error report").count(), 2)

    def test_the_limit_is_shared_by_every_process(self):
        """Another web process (a fresh handler) reporting the same error in the same time
        slot adds nothing: the outbox key is the error and the slot."""
        with self.captureOnCommitCallbacks(execute=True):
            self.crash(RuntimeError("boom"))
        for handler in logging.getLogger("django").handlers:
            if hasattr(handler, "_recent"):
                handler._recent.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.crash(RuntimeError("boom"))

        self.assertEqual(OutgoingMail.objects.filter(kind="error report").count(), 1)

    def test_the_health_checks_503_is_not_an_error_report(self):
        with (
            mock.patch("cms.health.connection.cursor", side_effect=OperationalError("down")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            for _ in range(5):
                self.assertEqual(self.client.get("/healthz").status_code, 503)

        self.assertFalse(OutgoingMail.objects.filter(kind="error report").exists())

    def test_no_report_without_administrators(self):
        with override_settings(ADMINS=[]), self.captureOnCommitCallbacks(execute=True):
            self.crash(RuntimeError("boom"))

        self.assertFalse(OutgoingMail.objects.exists())
