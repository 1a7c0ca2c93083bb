from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Page

from advocacy.filters import MAX_QUERY_LENGTH, clean_search_query

RESULTS_PER_PAGE = 20


def search(request):
    """Site search over every live, public page."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    # Shown back to the visitor as typed, less characters that cannot be displayed.
    query = "".join(ch for ch in query if ch.isprintable())
    terms = clean_search_query(query)
    results = Page.objects.none()
    if terms:
        results = Page.objects.live().public().specific().search(terms)
    page_obj = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "advocacy/search.html",
        {"query": query, "page_obj": page_obj, "results": page_obj.object_list},
    )
