from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe
from wagtail.models import Page

from advocacy.filters import MAX_QUERY_LENGTH

RESULTS_PER_PAGE = 20


def search(request):
    """Site search over every live, public page."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    # Shown back to the visitor as typed, less characters that cannot be displayed.
    query = "".join(ch for ch in query if ch.isprintable())
    results = Page.objects.none()
    if query:
        # The search backend (cms/search/backend.py) reduces the query to plain words.
        results = Page.objects.live().public().specific().search(query)
    page_obj = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "advocacy/search.html",
        {"query": query, "page_obj": page_obj, "results": page_obj.object_list},
    )


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links to: send them to the SVG icon
    every page names, so no page load ends in a 404. Resolved per request, because the
    hashed name of the production static storage is only known once collectstatic ran."""
    return redirect(static("favicon.svg"), permanent=True)
