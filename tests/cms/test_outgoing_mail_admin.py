"""The outgoing e-mail log (Settings ▸ Outgoing e-mail): superusers see what the outbox holds
without its contents, and can retry every failed e-mail at once."""

from django.core import mail
from django.core.mail import EmailMessage
from django.test import TestCase

from cms import outbox
from cms.models import OutgoingMail
from tests.factories import make_user

INDEX = "/admin/outgoing_mail/"
RETRY = "/admin/outgoing_mail/retry-failed/"


LINK = "https://example.org/manage/SECRET-TOKEN"


def failed_mail(n):
    """``n`` subscription e-mails that failed for good (made as the outbox stores them)."""
    for i in range(n):
        message = EmailMessage(f"Your link {i}", f"Manage: {LINK}", to=[f"p{i}@example.org"])
        OutgoingMail.objects.create(
            kind="subscription",
            recipients=message.to[0],
            subject=message.subject,
            payload=outbox.serialize(message),
            sensitive=True,
            status=OutgoingMail.Status.FAILED,
            attempts=9,
            last_error="SMTPServerDisconnected",
        )


class OutgoingMailAdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(superuser=True)
        cls.secretariat = make_user("Secretariat")

    def test_superusers_see_the_log_without_the_contents(self):
        failed_mail(2)
        self.client.force_login(self.admin)

        response = self.client.get(INDEX)

        self.assertContains(response, "Your link 0")
        self.assertContains(response, "p1@example.org")
        self.assertContains(response, "SMTPServerDisconnected")
        self.assertNotContains(response, "SECRET-TOKEN")
        self.assertContains(response, RETRY)

    def test_others_do_not_see_it(self):
        self.client.force_login(self.secretariat)

        self.assertNotEqual(self.client.get(INDEX).status_code, 200)
        self.assertEqual(self.client.post(RETRY).status_code, 403)
        self.assertNotContains(self.client.get("/admin/"), INDEX)

    def test_retry_failed_sends_each_failed_email_once(self):
        failed_mail(3)
        self.client.force_login(self.admin)

        self.assertContains(self.client.get(RETRY), "3 e-mails could not be delivered")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(RETRY)

        self.assertRedirects(response, INDEX)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), [f"p{i}@example.org" for i in range(3)]
        )
        self.assertEqual(set(OutgoingMail.objects.values_list("status", flat=True)), {"sent"})
        # What was sent carried a credential: it is no longer kept.
        self.assertTrue(
            all(p == {} for p in OutgoingMail.objects.values_list("payload", flat=True))
        )
