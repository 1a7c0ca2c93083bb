"""The admin's meeting listing, action register, dashboard and directory pages run the same
number of SQL queries with a handful of rows as with many: nothing runs a query per row.

Each test measures a GET with few rows, adds many more in bulk (tests/liaison/bulk.py), and
measures the same GET again. Few is below a page of the listing, so a query per row shows
up as a difference. bench/bench_liaison_listings.py times the same pages at 5,000 meetings
and 20,000 actions.
"""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from liaison.models import Regulator
from tests.factories import make_user
from tests.liaison import bulk
from tests.liaison.factories import make_regulator

FEW_MEETINGS, MANY_MEETINGS = 6, 120
FEW_ACTIONS, MANY_ACTIONS = 6, 240


class ListingQueriesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulators = [
            make_regulator("FDA CBER OTP", "America/New_York"),
            make_regulator("EMA CAT", "Europe/Amsterdam"),
        ]
        cls.delegate = make_user("Liaison delegates")
        cls.secretariat = make_user("Secretariat")
        cls.editor = make_user("Policy editors")

    def queries(self, user, url):
        self.client.force_login(user)
        self.client.get(url)  # warm caches (content types, site, permissions)
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(captured), response

    def assert_constant(self, cases):
        """`cases`: (user, url, text expected on the page with many rows)."""
        meetings = bulk.add_meetings(FEW_MEETINGS, self.regulators, self.delegate)
        bulk.add_actions(FEW_ACTIONS, meetings, self.delegate)
        few = [self.queries(user, url)[0] for user, url, _ in cases]

        more = bulk.add_meetings(
            MANY_MEETINGS - FEW_MEETINGS, self.regulators, self.delegate, start=FEW_MEETINGS
        )
        bulk.add_actions(MANY_ACTIONS - FEW_ACTIONS, meetings + more, self.delegate)
        for (user, url, expected), before in zip(cases, few, strict=True):
            with self.subTest(user=user.groups.first().name, url=url):
                after, response = self.queries(user, url)
                self.assertContains(response, expected)
                self.assertEqual(after, before)

    def test_meeting_listing(self):
        url = "/admin/snippets/liaison/meeting/"
        self.assert_constant(
            [
                (self.secretariat, url, "Bulk meeting 00119"),
                (self.delegate, url, "Bulk meeting 00119"),
                (self.editor, url, "Bulk meeting 00117"),
                (self.secretariat, url + "?visibility=public&status=confirmed", "Bulk meeting"),
                (self.secretariat, url + "?export=csv", "Bulk meeting 00119"),
            ]
        )

    def test_action_register(self):
        url = "/admin/actions/"
        regulator = Regulator.objects.get(acronym="EMA CAT").pk
        self.assert_constant(
            [
                (self.secretariat, url, "Bulk action"),
                (self.delegate, url + "?mine=true", "Bulk action"),
                (self.editor, url + "?overdue=true", "Bulk action"),
                (self.secretariat, f"{url}?regulator={regulator}&status=open", "Bulk action"),
            ]
        )

    def test_dashboard_and_directory(self):
        regulator = Regulator.objects.get(acronym="FDA CBER OTP").pk
        self.assert_constant(
            [
                (self.delegate, "/admin/", "My upcoming meetings"),
                (self.secretariat, "/admin/", "Overdue actions"),
                (
                    self.delegate,
                    f"/admin/snippets/liaison/regulator/inspect/{regulator}/",
                    "Bulk meeting",
                ),
            ]
        )
