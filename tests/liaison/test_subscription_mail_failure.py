"""A mail server that is down while someone subscribes."""

from django.test import TestCase


class MailFailureTestCase(TestCase):
    """A mail server that is down gives a page saying so, never a 500, and loses nothing."""

    def setUp(self):
        from django.core.cache import cache

        cache.clear()

    def test_a_failed_confirmation_mail_says_try_again(self):
        import smtplib
        from unittest import mock

        from liaison.models import Subscriber

        with mock.patch(
            "django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPException("down")
        ):
            response = self.client.post(
                "/calendar/subscribe/",
                {"name": "Grace Liu", "email": "grace@example.org", "scope": "all"},
            )

        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "could not send the e-mail", status_code=503)
        self.assertTrue(Subscriber.objects.filter(email="grace@example.org").exists())
