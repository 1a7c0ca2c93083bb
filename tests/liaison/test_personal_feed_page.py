"""The admin page where members make, rotate and revoke their personal feed address."""

import re

from django.contrib.auth.models import Permission

from liaison.calendars import feeds
from liaison.models import FeedToken
from tests.factories import make_user
from tests.liaison.feeds import FeedTestCase


class PersonalFeedPageTestCase(FeedTestCase):
    def test_personal_feed_page_create_rotate_revoke(self):
        self.client.force_login(self.delegate)
        dashboard = self.client.get("/admin/").content.decode()
        self.assertIn("/admin/calendar-feed/", dashboard)
        page = self.client.get("/admin/calendar-feed/")
        self.assertContains(page, "Make my feed address")
        response = self.client.post("/admin/calendar-feed/", {"action": "create"})
        self.assertIn("no-store", response["Cache-Control"])
        content = response.content.decode()
        token = FeedToken.objects.get(user=self.delegate, revoked_at__isnull=True)
        https = re.search(r'value="(http://testserver/calendar/feed/[^"]+\.ics)"', content)[1]
        webcal = re.search(r'href="(webcal://testserver/calendar/feed/[^"]+\.ics)"', content)[1]
        self.assertEqual(https.split("://")[1], webcal.split("://")[1])
        raw = https.rsplit("/", 1)[1].removesuffix(".ics")
        self.assertEqual(token.token_hash, feeds.hash_token(raw))
        self.assertIn("Outlook", content)
        self.assertIn("Google", content)
        self.assertIn("Apple", content)
        # Shown once: the page does not show it again.
        self.assertNotIn(raw, self.client.get("/admin/calendar-feed/").content.decode())
        self.client.logout()
        self.assertEqual(self.client.get(https).status_code, 200)

        self.client.force_login(self.delegate)
        rotated = self.client.post("/admin/calendar-feed/", {"action": "rotate"}).content.decode()
        new = re.search(r'value="http://testserver/calendar/feed/([^"]+)\.ics"', rotated)[1]
        self.assertNotEqual(new, raw)
        self.assertEqual(self.client.get(https).status_code, 404)
        self.assertEqual(self.client.get(f"/calendar/feed/{new}.ics").status_code, 200)
        self.client.post("/admin/calendar-feed/", {"action": "revoke"})
        self.assertEqual(self.client.get(f"/calendar/feed/{new}.ics").status_code, 404)
        self.assertFalse(FeedToken.objects.filter(revoked_at__isnull=True).exists())

    def test_feed_page_needs_meeting_permission(self):
        nobody = make_user()
        nobody.user_permissions.add(Permission.objects.get(codename="access_admin"))
        self.client.force_login(nobody)
        response = self.client.get("/admin/calendar-feed/")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertNotIn("/admin/calendar-feed/", self.client.get("/admin/").content.decode())
