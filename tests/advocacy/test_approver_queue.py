"""Approvers see their queue first: the positions awaiting their review head their dashboard,
approving is one click away, and a confirmation says what the approval did."""

from html.parser import HTMLParser

from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.models import PositionPage
from tests.factories import make_position, make_position_index, make_user

TASK = "Policy committee review"
EMPTY = "Nothing is waiting for your review."


def submit(index, editor, title):
    """An editor drafts a position and submits it to the committee."""
    position = make_position(index, live=False, title=title)
    position.save_revision(user=editor)
    position.get_workflow().start(position, editor)
    return position


class Forms(HTMLParser):
    """The forms of a page: action, hidden inputs and the text of their submit buttons."""

    def __init__(self, html):
        super().__init__()
        self.forms = []
        self._button = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attrs.get("action"), "method": attrs.get("method"), "fields": {}}
            )
        elif tag == "input" and self.forms and attrs.get("type") == "hidden":
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and self.forms and attrs.get("type") == "submit":
            self._button = self.forms[-1].setdefault("button", [])

    def handle_endtag(self, tag):
        if tag == "button":
            self._button = None

    def handle_data(self, data):
        if self._button is not None:
            self._button.append(data)

    def find(self, action):
        for form in self.forms:
            if form["action"] == action:
                return form
        return None


def approve_url(position):
    state = position.current_workflow_task_state
    return reverse("wagtailadmin_pages:workflow_action", args=(position.pk, "approve", state.pk))


class ApproverQueueTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()
        cls.editor = make_user("Policy editors", first_name="Elliot", last_name="Eddings")
        cls.approver = make_user("Policy approvers", first_name="Amara", last_name="Okafor")

    def dashboard(self, user, client=None):
        client = client or self.client
        client.force_login(user)
        response = client.get("/admin/")
        self.assertEqual(response.status_code, 200)
        return response

    def test_an_approver_sees_the_positions_awaiting_review_first(self):
        first = submit(self.index, self.editor, "Potency assays across jurisdictions")
        second = submit(self.index, self.editor, "Shorter follow-up for gene therapies")

        response = self.dashboard(self.approver)

        panels = response.context["panels"]
        self.assertEqual(panels[0].name, "review_queue")
        self.assertEqual(min(panel.order for panel in panels), panels[0].order)
        html = response.content.decode()
        # Ours replaces Wagtail's own "Awaiting your review", further down the page.
        self.assertEqual(html.count("Awaiting your review"), 1)
        self.assertNotIn('id="awaiting-review', html)
        self.assertLess(html.index('id="review-queue'), html.index('id="positions-due-for-review'))
        queue = html[html.index('id="review-queue') :]
        # Oldest submission first, each with its type, submitter, task and actions.
        self.assertLess(queue.index(first.title), queue.index(second.title))
        self.assertContains(response, "Position page")
        self.assertContains(response, "Elliot Eddings", count=2)
        self.assertContains(response, TASK, count=2)
        forms = Forms(html)
        for position in (first, second):
            state = position.current_workflow_task_state
            form = forms.find(approve_url(position))
            self.assertIsNotNone(form, position.title)
            self.assertEqual(form["method"], "post")
            self.assertIn("csrfmiddlewaretoken", form["fields"])
            self.assertEqual("".join(form["button"]).strip(), f"Approve {position.title}")
            reject = reverse(
                "wagtailadmin_pages:workflow_action", args=(position.pk, "reject", state.pk)
            )
            self.assertContains(response, f'data-workflow-action-url="{reject}" data-launch-modal')
            preview = reverse(
                "wagtailadmin_pages:workflow_preview", args=(position.pk, state.task_id)
            )
            self.assertContains(response, f'href="{preview}"')
        self.assertNotContains(response, EMPTY)

    def test_an_approver_with_nothing_to_review_is_told_so(self):
        response = self.dashboard(self.approver)

        self.assertEqual(response.context["panels"][0].name, "review_queue")
        self.assertContains(response, "Awaiting your review", count=1)
        self.assertContains(response, EMPTY)

    def test_only_approvers_get_the_approve_button(self):
        position = submit(self.index, self.editor, "Potency assays across jurisdictions")

        editor_view = self.dashboard(self.editor)
        approver_view = self.dashboard(self.approver, Client())

        # The editor follows their submission elsewhere, but cannot approve it.
        self.assertNotIn("review_queue", [panel.name for panel in editor_view.context["panels"]])
        self.assertNotContains(editor_view, "Awaiting your review")
        self.assertNotContains(editor_view, EMPTY)
        self.assertNotContains(editor_view, "/workflow/action/")
        self.assertIsNone(Forms(editor_view.content.decode()).find(approve_url(position)))
        # Same page, same moment: the approver has the button.
        self.assertIsNotNone(Forms(approver_view.content.decode()).find(approve_url(position)))
        # Liaison staff, who approve nothing, get no queue either.
        delegate_view = self.dashboard(make_user("Liaison delegates"), Client())
        self.assertNotContains(delegate_view, "Awaiting your review")

    def test_approving_from_the_dashboard_publishes_and_confirms(self):
        position = submit(self.index, self.editor, "Potency assays across jurisdictions")
        other = submit(self.index, self.editor, "Shorter follow-up for gene therapies")
        browser = Client(enforce_csrf_checks=True)

        dashboard = self.dashboard(self.approver, browser)
        form = Forms(dashboard.content.decode()).find(approve_url(position))
        response = browser.post(form["action"], form["fields"], follow=True)

        self.assertEqual(response.redirect_chain[-1], ("/admin/", 302))
        self.assertEqual(response.status_code, 200)
        message = f"Page &#x27;{position.title}&#x27; has been approved and published."
        [confirmation] = [m.message for m in response.context["messages"]]
        self.assertIn(message, confirmation)
        position = PositionPage.objects.get(pk=position.pk)
        self.assertTrue(position.live)
        self.assertIn(f'href="{position.url}" class="button', confirmation)
        self.assertIn(">View live</a>", confirmation)
        self.assertIsNone(position.current_workflow_state)
        # Back on the dashboard: the approved position has left the queue, the other waits.
        queue = {item["page"].pk for item in response.context["panels"][0].items}
        self.assertEqual(queue, {other.pk})
        forms = Forms(response.content.decode())
        self.assertIsNone(forms.find(form["action"]))
        self.assertIsNotNone(forms.find(approve_url(other)))
        # Reloading the dashboard does not confirm it again.
        self.assertNotContains(browser.get("/admin/"), message)

    def test_the_confirmation_speaks_only_of_the_users_own_approval(self):
        position = submit(self.index, self.editor, "Potency assays across jurisdictions")
        state = position.current_workflow_task_state
        confirmation = reverse("advocacy_review_approved", args=(state.pk,))
        other_approver = make_user("Policy approvers")

        self.client.force_login(self.approver)
        # Not approved yet: nothing to confirm.
        response = self.client.get(confirmation, follow=True)
        self.assertEqual(response.redirect_chain, [("/admin/", 302)])
        self.assertNotContains(response, "has been approved")

        state.task.specific.on_action(state.specific, other_approver, "approve")
        response = self.client.get(confirmation, follow=True)
        self.assertNotContains(response, "has been approved")

    def test_the_queue_costs_the_same_queries_with_3_or_30_positions(self):
        def queries():
            self.client.get("/admin/")  # warm caches (content types, site, permissions)
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get("/admin/")
            return len(captured), response

        self.client.force_login(self.approver)
        for n in range(3):
            submit(self.index, self.editor, f"Awaiting position {n:02}")
        few, response = queries()
        self.assertContains(response, "Awaiting position 02")

        for n in range(3, 30):
            submit(self.index, self.editor, f"Awaiting position {n:02}")
        many, response = queries()

        for n in (0, 15, 29):
            self.assertContains(response, f"Awaiting position {n:02}")
        self.assertEqual(many, few)
