from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component
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
