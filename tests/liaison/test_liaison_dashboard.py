"""The admin dashboard's liaison panels: upcoming meetings, open and overdue actions."""

import datetime

from django.test import TestCase
from django.utils import timezone

from liaison.models import ActionItem
from tests.factories import make_user
from tests.liaison.factories import make_meeting, make_regulator

DAY = datetime.timedelta(days=1)


class DashboardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.delegate = make_user("Liaison delegates")
        cls.other = make_user("Liaison delegates")
        cls.secretariat = make_user("Secretariat")
        soon = timezone.now() + 3 * DAY
        cls.mine = make_meeting(
            cls.regulator, title="Upcoming potency call", starts_at=soon, delegation=[cls.delegate]
        )
        cls.secret = make_meeting(
            cls.regulator,
            title="Confidential clinic call",
            starts_at=soon,
            visibility="confidential",
            delegation=[cls.delegate],
        )
        make_meeting(
            cls.regulator, title="Someone else's call", starts_at=soon, delegation=[cls.other]
        )
        make_meeting(
            cls.regulator,
            title="Last year's call",
            starts_at=soon - 365 * DAY,
            delegation=[cls.delegate],
        )
        today = timezone.localdate()
        ActionItem.objects.create(
            meeting=cls.mine,
            description="My open action",
            owner=cls.delegate,
            due_date=today + 5 * DAY,
        )
        ActionItem.objects.create(
            meeting=cls.secret,
            description="Secret overdue action",
            owner=cls.delegate,
            due_date=today - 5 * DAY,
        )
        ActionItem.objects.create(
            meeting=cls.mine,
            description="Regulator overdue action",
            owner_regulator=cls.regulator,
            due_date=today - DAY,
        )

    def dashboard(self, user):
        self.client.force_login(user)
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_delegate_sees_their_meetings_and_actions(self):
        page = self.dashboard(self.delegate)

        self.assertIn("My upcoming meetings", page)
        self.assertIn("Upcoming potency call", page)
        self.assertIn("Confidential clinic call", page)
        self.assertNotIn("Someone else", page)
        self.assertNotIn("Last year", page)
        self.assertIn("My open action", page)
        self.assertIn("Secret overdue action", page)
        self.assertIn("Regulator overdue action", page)

    def test_an_organiser_outside_a_confidential_meeting_does_not_see_it_listed(self):
        make_meeting(
            self.regulator,
            title="Organised but closed",
            starts_at=timezone.now() + 2 * DAY,
            visibility="confidential",
            organiser=self.other,
        )
        make_meeting(
            self.regulator,
            title="Organised and open",
            starts_at=timezone.now() + 2 * DAY,
            organiser=self.other,
        )

        page = self.dashboard(self.other)

        self.assertIn("Organised and open", page)
        self.assertIn("Someone else", page)
        self.assertNotIn("Organised but closed", page)

    def test_overdue_actions_of_hidden_meetings_stay_hidden(self):
        page = self.dashboard(self.other)

        self.assertIn("Regulator overdue action", page)
        self.assertNotIn("Secret overdue action", page)
        self.assertIn("You have no open actions", page)

    def test_the_secretariat_sees_every_overdue_action(self):
        page = self.dashboard(self.secretariat)

        self.assertIn("Secret overdue action", page)
        self.assertIn("All 2 overdue actions", page)

    def test_policy_editors_read_overdue_actions_of_non_confidential_meetings(self):
        page = self.dashboard(make_user("Policy editors"))

        self.assertIn("Regulator overdue action", page)
        self.assertNotIn("Secret overdue action", page)
        self.assertNotIn("Confidential clinic call", page)

    def test_users_without_liaison_access_get_no_liaison_panels(self):
        from django.contrib.auth.models import Permission

        user = make_user()
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))

        page = self.dashboard(user)

        self.assertNotIn("My open actions", page)
        self.assertNotIn("Overdue actions", page)
