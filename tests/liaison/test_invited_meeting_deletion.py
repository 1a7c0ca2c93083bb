"""A meeting in invitees' calendars must be cancelled before it can be deleted."""

from django.core import mail
from django.db import transaction
from django.db.models import ProtectedError

from liaison.models import Meeting
from tests.liaison.factories import LIST_URL
from tests.liaison.invitations import InvitationTestCase, S, by_recipient


class InvitedMeetingDeletionTestCase(InvitationTestCase):
    def test_a_meeting_in_invitees_calendars_is_cancelled_before_it_is_deleted(self):
        meeting = self.confirm()
        self.client.force_login(self.organiser)
        url = f"{LIST_URL}delete/{meeting.pk}/"

        for method in (self.client.get, self.client.post):
            response = method(url, follow=True)
            shown = " ".join(str(m) for m in response.context["messages"])
            self.assertIn("cannot be deleted: 3 people received its invitation", shown)
        self.assertTrue(Meeting.objects.filter(pk=meeting.pk).exists())
        with self.assertRaises(ProtectedError), transaction.atomic():
            Meeting.objects.filter(pk=meeting.pk).delete()

        mail.outbox.clear()
        self.save(meeting, status=S.CANCELLED)
        self.assertEqual(mail.outbox, [])
        self.send(meeting)
        self.assertEqual(set(by_recipient()), self.recipients)
        response = self.client.post(url)

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Meeting.objects.filter(pk=meeting.pk).exists())

    def test_a_meeting_never_invited_is_deleted_at_once(self):
        self.client.force_login(self.organiser)

        response = self.client.post(f"{LIST_URL}delete/{self.meeting.pk}/")

        self.assertEqual(response.status_code, 302)
        self.assertFalse(Meeting.objects.filter(pk=self.meeting.pk).exists())
