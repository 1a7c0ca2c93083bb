from django.conf import settings
from django.db.models.query import EmptyQuerySet
from django.shortcuts import redirect
from django.urls import path
from django.utils import dateformat, timezone
from django.utils.text import capfirst
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.models import (
    Page,
    Task,
    TaskState,
    WorkflowState,
    get_default_page_content_type,
)
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from advocacy.models import Jurisdiction, Topic, positions_due_for_review


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    ordering = ["name"]


class JurisdictionViewSet(SnippetViewSet):
    model = Jurisdiction
    icon = "globe"
    list_display = ["name", "code"]
    ordering = ["name"]


class PolicyTaxonomyGroup(SnippetViewSetGroup):
    items = (TopicViewSet, JurisdictionViewSet)
    menu_label = "Policy taxonomy"
    menu_icon = "tag"
    menu_name = "policy-taxonomy"
    menu_order = 300


register_snippet(PolicyTaxonomyGroup)


class ReviewDuePanel(Component):
    """Dashboard: positions past, or within 30 days of, their review date."""

    name = "positions_due_for_review"
    template_name = "advocacy/admin/review_due_panel.html"
    order = 150

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        today = timezone.localdate()
        context["positions"] = positions_due_for_review(on=today)[:20]
        context["today"] = today
        return context


@hooks.register("construct_homepage_panels")
def add_review_due_panel(request, panels):
    policy = PagePermissionPolicy()
    if policy.user_has_any_permission(request.user, {"change", "publish"}):
        panels.append(ReviewDuePanel(request))


# --- Approvers' queue ---------------------------------------------------------------------------


class ReviewQueuePanel(Component):
    """Dashboard, first of all panels: the pages awaiting the user's review, each one click from
    approval. Replaces Wagtail's own "Awaiting your review" panel, which sits below the others
    and hides its actions in a menu.

    The approve button is a plain form posting to Wagtail's workflow action URL (no script
    needed); its `next` is `review_approved` below, which says what happened and returns to the
    dashboard. "Request changes" opens Wagtail's comment modal through workflow-action.js.
    """

    name = "review_queue"
    template_name = "advocacy/admin/review_queue_panel.html"
    order = 0

    def __init__(self, items):
        self.items = items

    def get_context_data(self, parent_context):
        return {
            "items": self.items,
            "request": parent_context["request"],
            "csrf_token": parent_context["csrf_token"],
            "has_modal_actions": any(item["reject"] for item in self.items),
        }


def review_queue(user):
    """The pages awaiting `user`'s review, oldest first, or None if `user` may review nothing
    (no active task lets them act). A fixed number of queries, however long the queue."""
    tasks = {task.pk: task for task in Task.objects.filter(active=True).specific()}
    moderatable = [task.get_task_states_user_can_moderate(user=user) for task in tasks.values()]
    # Tasks return .none() to those who may not act on them (TaskState.objects.reviewable_by).
    moderatable = [states for states in moderatable if not isinstance(states, EmptyQuerySet)]
    if not moderatable:
        return None
    states = moderatable[0]
    for more in moderatable[1:]:
        states = states | more
    # Only pages go through workflows here; snippets have none.
    states = list(
        states.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            workflow_state__base_content_type=get_default_page_content_type(),
        )
        .select_related("revision__user", "workflow_state__requested_by")
        .order_by("started_at", "pk")
    )
    pages = Page.objects.in_bulk([int(state.workflow_state.object_id) for state in states])
    items = []
    for state in states:
        page = pages.get(int(state.workflow_state.object_id))
        if page is None:
            continue
        actions = tasks[state.task_id].get_actions(page, user)
        names = {(name, modal) for name, _label, modal in actions}
        submitter = state.revision.user or state.workflow_state.requested_by
        items.append(
            {
                "page": page,
                "title": page.get_admin_display_title(),
                "type": capfirst(page.specific_class._meta.verbose_name)
                if page.specific_class
                else "Page",
                "task_state": state,
                "task": tasks[state.task_id],
                "submitted_by": submitter,
                "submitted_at": state.started_at,
                "approve": ("approve", False) in names,
                "reject": ("reject", True) in names,
                "can_edit": page.permissions_for_user(user).can_edit(),
                "previewable": page.is_previewable(),
            }
        )
    return items


@hooks.register("construct_homepage_panels")
def put_review_queue_first(request, panels):
    if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
        return
    panels[:] = [
        panel
        for panel in panels
        if getattr(panel, "name", None) != WorkflowObjectsToModeratePanel.name
    ]
    items = review_queue(request.user)
    if items is not None:
        panels.append(ReviewQueuePanel(items))


def review_approved(request, task_state_id):
    """Where the queue's approve button returns: confirm what the approval did, then go back
    to the dashboard. Says nothing unless this user has approved this task."""
    state = (
        TaskState.objects.filter(
            pk=task_state_id,
            status=TaskState.STATUS_APPROVED,
            finished_by=request.user,
            workflow_state__base_content_type=get_default_page_content_type(),
        )
        .select_related("revision", "workflow_state__current_task_state__task")
        .first()
    )
    page = state and Page.objects.filter(pk=int(state.workflow_state.object_id)).first()
    if page is not None:
        title = page.get_admin_display_title()
        workflow_state = state.workflow_state
        go_live_at = state.revision.approved_go_live_at
        buttons = []
        if workflow_state.status == WorkflowState.STATUS_IN_PROGRESS:
            next_task = workflow_state.current_task_state.task.name
            text = f"Page '{title}' has been approved. It now awaits {next_task}."
        elif go_live_at:  # set on a revision whose publishing is scheduled
            when = dateformat.format(timezone.localtime(go_live_at), "j M Y H:i")
            text = f"Page '{title}' has been approved and will be published on {when}."
        else:
            text = f"Page '{title}' has been approved and published."
            if page.live and (url := page.get_url(request)):
                buttons.append(messages.button(url, "View live", new_window=True))
        messages.success(request, text, buttons=buttons)
    return redirect("wagtailadmin_home")


@hooks.register("register_admin_urls")
def review_queue_urls():
    return [
        path(
            "review-queue/approved/<int:task_state_id>/",
            review_approved,
            name="advocacy_review_approved",
        )
    ]
