from django.test import TestCase
from wagtail.models import Page

from advocacy.models import HomePage
from tests.factories import make_user


class RolesTestCase(TestCase):
    def test_every_role_can_use_the_admin(self):
        for group in ("Policy editors", "Policy approvers", "Liaison delegates", "Secretariat"):
            with self.subTest(group=group):
                user = make_user(group)
                self.assertTrue(user.has_perm("wagtailadmin.access_admin"))

    def test_policy_editors_can_edit_but_not_publish(self):
        editor = make_user("Policy editors")
        home = HomePage.objects.get()

        permissions = home.permissions_for_user(editor)

        self.assertTrue(permissions.can_add_subpage())
        self.assertTrue(permissions.can_edit())
        self.assertFalse(permissions.can_publish())

    def test_policy_approvers_can_publish(self):
        approver = make_user("Policy approvers")

        self.assertTrue(HomePage.objects.get().permissions_for_user(approver).can_publish())

    def test_liaison_roles_have_no_page_rights(self):
        for group in ("Liaison delegates", "Secretariat"):
            with self.subTest(group=group):
                user = make_user(group)
                self.assertFalse(Page.objects.get(depth=2).permissions_for_user(user).can_edit())

    def test_secretariat_manages_the_directory_and_delegates_read_it(self):
        secretariat = make_user("Secretariat")
        delegate = make_user("Liaison delegates")

        self.assertTrue(secretariat.has_perm("liaison.delete_regulator"))
        self.assertTrue(delegate.has_perm("liaison.view_regulator"))
        self.assertFalse(delegate.has_perm("liaison.change_regulator"))
