"""The invitation delivery log in the admin: what the Secretariat and readers see, and that
nobody can change it."""

from liaison.models import InviteDelivery
from tests.liaison.invitations import (
    LOG_URL,
    SMTP_DOWN,
    D,
    DeliveryLogTestCase,
)


class InvitationLogAdminTestCase(DeliveryLogTestCase):
    def test_the_secretariat_sees_every_delivery_with_its_details(self):
        with SMTP_DOWN:
            self.confirm()
        self.client.force_login(self.secretariat)

        response = self.client.get(LOG_URL)

        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        for recipient in [*self.recipients, "hidden@example.org"]:
            self.assertIn(recipient, content)
        self.assertIn("SMTPServerDisconnected: Connection unexpectedly closed", content)
        # Only what was sent or failed can be resent; the others are queued for a retry.
        hidden = InviteDelivery.objects.get(recipient_email="hidden@example.org")
        self.assertEqual(content.count(">Resend</button>"), 1)
        self.assertIn(f'action="{LOG_URL}resend/{hidden.pk}/"', content)

        response = self.client.get(LOG_URL, {"q": "dana"})
        self.assertEqual(
            [d.recipient_email for d in response.context["object_list"]], ["dana@example.org"]
        )
        response = self.client.get(LOG_URL, {"export": "csv"})
        self.assertEqual(response.status_code, 200)
        exported = b"".join(response.streaming_content).decode()
        self.assertIn("SMTPServerDisconnected", exported)
        self.assertIn("hidden@example.org", exported)

        response = self.client.get(LOG_URL, {"status": "sent"})
        self.assertEqual(
            list(response.context["object_list"]),
            [InviteDelivery.objects.get(recipient_email="hidden@example.org")],
        )

    def test_the_log_lists_only_deliveries_of_meetings_the_user_may_see(self):
        self.confirm()
        self.client.force_login(self.reader)

        response = self.client.get(LOG_URL)

        self.assertEqual(response.status_code, 200)
        listed = {d.recipient_email for d in response.context["object_list"]}
        self.assertEqual(listed, self.recipients)
        self.assertNotIn("Secret strategy session", response.content.decode())
        self.assertNotIn(">Resend</button>", response.content.decode())  # reading only
        exported = b"".join(self.client.get(LOG_URL, {"export": "csv"}).streaming_content)
        self.assertIn(b"rita.osei@fda.example", exported)
        self.assertNotIn(b"hidden@example.org", exported)
        hidden = InviteDelivery.objects.get(recipient_email="hidden@example.org")
        self.assertNotEqual(self.client.get(f"{LOG_URL}inspect/{hidden.pk}/").status_code, 200)

    def test_delegates_have_no_log(self):
        self.confirm()
        self.client.force_login(self.dana)

        response = self.client.get(LOG_URL)

        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn("rita.osei@fda.example", response.content.decode())

    def test_the_log_is_read_only(self):
        self.confirm()
        self.client.force_login(self.secretariat)
        delivery = self.delivery()

        self.assertEqual(self.client.get(f"{LOG_URL}inspect/{delivery.pk}/").status_code, 200)
        self.assertNotEqual(self.client.get(f"{LOG_URL}edit/{delivery.pk}/").status_code, 200)
        self.client.post(f"{LOG_URL}edit/{delivery.pk}/", {"status": "queued"})
        self.client.post(f"{LOG_URL}delete/{delivery.pk}/")
        self.assertNotEqual(self.client.get(f"{LOG_URL}new/").status_code, 200)
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, D.SENT)
