from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from advocacy.models import Jurisdiction, Topic


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
