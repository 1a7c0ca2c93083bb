import datetime

from django.core.exceptions import ValidationError
from django.test import TestCase

from advocacy.models import PositionPage
from tests.factories import make_position, make_position_index, make_user, publish

S = PositionPage.Status


class SupersededPositionTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()
        cls.old = make_position(
            cls.index,
            title="CAR-T accelerated approval (2021)",
            policy_status=S.SUPERSEDED,
            adopted_on=datetime.date(2021, 3, 1),
        )
        cls.new = make_position(
            cls.index,
            title="CAR-T accelerated approval (2024)",
            policy_status=S.ADOPTED,
            adopted_on=datetime.date(2024, 6, 1),
            supersedes=cls.old,
        )

    def test_a_superseded_position_stays_readable_with_a_banner_to_its_successor(self):
        response = self.client.get(self.old.url)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This position has been superseded.")
        self.assertContains(
            response, f'<a href="{self.new.url}">CAR-T accelerated approval (2024)</a>', html=True
        )

    def test_the_successor_names_what_it_replaced(self):
        response = self.client.get(self.new.url)

        self.assertContains(response, "<dt>Replaces</dt>", html=True)
        self.assertContains(
            response, f'<a href="{self.old.url}">CAR-T accelerated approval (2021)</a>', html=True
        )
        self.assertNotContains(response, "has been superseded")

    def test_a_withdrawn_position_without_successor_is_kept_for_the_record(self):
        withdrawn = make_position(self.index, policy_status=S.WITHDRAWN)

        response = self.client.get(withdrawn.url)

        self.assertContains(response, "This position has been withdrawn.")
        self.assertContains(response, "It is kept here for the record.")

    def test_an_unpublished_successor_is_not_linked(self):
        self.new.unpublish()

        response = self.client.get(self.old.url)

        self.assertNotContains(response, self.new.url)


class PositionRulesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()

    def test_an_adopted_position_needs_its_adoption_date(self):
        position = PositionPage(title="X", summary="Y", policy_status=S.ADOPTED)

        with self.assertRaises(ValidationError) as caught:
            position.clean()

        self.assertIn("adopted_on", caught.exception.message_dict)

    def test_review_date_must_follow_adoption(self):
        position = PositionPage(
            title="X",
            summary="Y",
            policy_status=S.ADOPTED,
            adopted_on=datetime.date(2024, 1, 1),
            review_by=datetime.date(2023, 1, 1),
        )

        with self.assertRaises(ValidationError) as caught:
            position.clean()

        self.assertIn("review_by", caught.exception.message_dict)

    def test_past_review(self):
        position = PositionPage(review_by=datetime.date(2025, 1, 1))

        self.assertTrue(position.is_past_review(on=datetime.date(2025, 1, 2)))
        self.assertFalse(position.is_past_review(on=datetime.date(2024, 12, 31)))


class VisibilityTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()

    def test_anonymous_visitors_see_only_live_pages(self):
        draft = make_position(self.index, title="Draft on potency", live=False)

        self.assertEqual(self.client.get(f"/positions/{draft.slug}/").status_code, 404)
        self.assertNotContains(self.client.get("/positions/"), "Draft on potency")
        self.assertNotContains(self.client.get("/feeds/rss/"), "Draft on potency")
        self.assertNotContains(self.client.get("/search/?q=potency"), "Draft on potency")

    def test_a_draft_revision_of_a_live_page_is_not_shown(self):
        position = make_position(self.index, title="Published title")
        position.title = "Unapproved new title"
        position.save_revision()

        response = self.client.get(position.url)

        self.assertContains(response, "Published title")
        self.assertNotContains(response, "Unapproved new title")


class RichTextSafetyTestCase(TestCase):
    def test_script_and_javascript_links_are_never_rendered(self):
        index = make_position_index()
        position = make_position(
            index,
            body=[
                (
                    "paragraph",
                    '<p>Hello<script>alert("x")</script>'
                    '<a href="javascript:alert(1)">click</a>'
                    '<a href="https://www.fda.gov/" onclick="steal()">FDA</a>'
                    '<img src=x onerror="alert(2)"></p>',
                ),
                ("quote", {"text": "<script>alert(3)</script>", "attribution": "<b>me</b>"}),
            ],
        )
        publish(position)

        response = self.client.get(position.url)
        html = response.content.decode()

        self.assertEqual(response.status_code, 200)
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("javascript:", html)
        self.assertNotIn("onclick", html)
        self.assertNotIn("onerror", html)
        self.assertIn("&lt;script&gt;alert(3)&lt;/script&gt;", html)
        self.assertIn('<a href="https://www.fda.gov/">FDA</a>', html)


class ApprovalWorkflowTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()
        cls.editor = make_user("Policy editors")
        cls.approver = make_user("Policy approvers")

    def add_position(self, slug, action):
        return self.client.post(
            f"/admin/pages/add/advocacy/positionpage/{self.index.pk}/",
            {
                "title": slug.title(),
                "slug": slug,
                "summary": "Short.",
                "policy_status": "consultation",
                "body-count": "0",
                action: "go",
            },
        )

    def test_an_editor_asking_to_publish_only_saves_a_draft(self):
        self.client.force_login(self.editor)

        response = self.add_position("editor-publishes", "action-publish")

        self.assertEqual(response.status_code, 302)
        position = PositionPage.objects.get(slug="editor-publishes")
        self.assertFalse(position.live)
        self.assertEqual(self.client.get("/positions/editor-publishes/").status_code, 404)

    def test_an_editor_submits_to_the_policy_committee(self):
        self.client.force_login(self.editor)

        self.add_position("submitted", "action-submit")

        position = PositionPage.objects.get(slug="submitted")
        self.assertFalse(position.live)
        self.assertEqual(position.current_workflow_state.status, "in_progress")
        self.assertEqual(position.current_workflow_task.name, "Policy committee review")
        self.assertEqual(
            position.current_workflow_state.workflow.name, "Policy committee approval"
        )

    def test_an_approver_approval_publishes_it(self):
        self.client.force_login(self.editor)
        self.add_position("approved", "action-submit")
        position = PositionPage.objects.get(slug="approved")
        task_state = position.current_workflow_task_state

        self.client.force_login(self.approver)
        response = self.client.post(
            f"/admin/pages/workflow/action/{position.pk}/approve/{task_state.pk}/",
            {"comment": "Agreed at committee."},
        )

        self.assertEqual(response.status_code, 302)
        position.refresh_from_db()
        self.assertTrue(position.live)
        self.assertEqual(self.client.get("/positions/approved/").status_code, 200)

    def test_an_editor_cannot_approve(self):
        self.client.force_login(self.editor)
        self.add_position("self-approved", "action-submit")
        position = PositionPage.objects.get(slug="self-approved")

        response = self.client.post(
            f"/admin/pages/workflow/action/{position.pk}/approve/"
            f"{position.current_workflow_task_state.pk}/"
        )

        # Wagtail answers a refused admin action with a redirect and a permission message.
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        position.refresh_from_db()
        self.assertFalse(position.live)
        self.assertEqual(position.current_workflow_state.status, "in_progress")
