from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from liaison.models import Contact, Organisation, Regulator


class RegulatorViewSet(SnippetViewSet):
    model = Regulator
    icon = "site"
    list_display = ["acronym", "name", "jurisdiction", "time_zone"]
    list_filter = ["jurisdiction"]
    list_export = ["acronym", "name", "jurisdiction", "website", "time_zone"]
    inspect_view_enabled = True
    ordering = ["acronym"]


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    list_export = ["name", "kind", "website"]
    inspect_view_enabled = True


class ContactViewSet(SnippetViewSet):
    model = Contact
    icon = "user"
    list_display = ["name", "job_title", "regulator", "organisation", "email"]
    list_filter = ["regulator", "organisation"]
    list_export = ["name", "job_title", "email", "phone", "regulator", "organisation"]
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Contact.objects.select_related("regulator", "organisation")


class DirectoryGroup(SnippetViewSetGroup):
    items = (RegulatorViewSet, OrganisationViewSet, ContactViewSet)
    menu_label = "Directory"
    menu_icon = "site"
    menu_name = "directory"
    menu_order = 200


register_snippet(DirectoryGroup)
