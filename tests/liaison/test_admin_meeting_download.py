"""Downloading a meeting's calendar file from the admin: in full for its delegation, less
for other members, nothing for outsiders."""

from django.contrib.auth.models import Permission

from tests.factories import make_user
from tests.liaison.calendar_readers import check_instants
from tests.liaison.feeds import FeedTestCase, text


class AdminMeetingDownloadTestCase(FeedTestCase):
    def ics_url(self, meeting):
        return f"/admin/calendar/meetings/{meeting.pk}.ics"

    def test_delegate_downloads_their_confidential_meeting_in_full(self):
        self.client.force_login(self.delegate)
        response = self.client.get(self.ics_url(self.confidential))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        check_instants(self, response.content, [self.confidential])
        self.assertIn("Secret objective canary", text(response.content))

    def test_secretariat_gets_delegation_others_members(self):
        self.client.force_login(self.secretariat)
        data = self.client.get(self.ics_url(self.public)).content
        self.assertIn("Hidden agenda canary", text(data))
        self.client.force_login(self.other_delegate)
        data = self.client.get(self.ics_url(self.public)).content
        check_instants(self, data, [self.public])
        self.assertNotIn("Hidden agenda canary", text(data))
        self.assertIn("Open agenda item", text(data))

    def test_others_may_not_download_a_confidential_meeting(self):
        self.client.force_login(self.other_delegate)
        response = self.client.get(self.ics_url(self.confidential))
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b"canary", response.content)
        self.assertEqual(self.client.get("/admin/calendar/meetings/999999.ics").status_code, 404)
        # An admin user without meeting permissions.
        editor = make_user("Policy editors")
        editor.groups.clear()
        editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
        self.client.force_login(editor)
        response = self.client.get(self.ics_url(self.confidential))
        # Wagtail answers PermissionDenied in the admin with a redirect to the dashboard.
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertNotIn(b"canary", response.content)
        self.client.logout()
        response = self.client.get(self.ics_url(self.public))
        self.assertEqual(response.status_code, 302)  # to the login page

    def test_download_is_linked_from_listing_and_edit_page(self):
        self.client.force_login(self.delegate)
        listing = self.client.get("/admin/snippets/liaison/meeting/").content.decode()
        self.assertIn(self.ics_url(self.confidential), listing)
        edit = self.client.get(
            f"/admin/snippets/liaison/meeting/edit/{self.confidential.pk}/"
        ).content.decode()
        self.assertIn(self.ics_url(self.confidential), edit)
