"""Site-wide navigation. It lives in cms because it links to both apps; it reaches
liaison through URL names only, so the apps stay independent of each other. The society's
name beside it comes from ``society_tags``."""

from django import template
from django.urls import NoReverseMatch, reverse

from advocacy.models import PositionIndexPage, ResponseIndexPage, site_sections

register = template.Library()

# Label, URL name: items whose URL is not installed yet are left out of the menu.
URL_ITEMS = [
    ("Meetings", "liaison:public_meetings"),
    ("Impact", "liaison:impact"),
    ("Subscribe", "liaison:subscribe"),
    ("Search", "advocacy:search"),
]


@register.simple_tag(takes_context=True)
def site_navigation(context):
    request = context.get("request")
    sections = site_sections(request) if request else {}
    items = []
    for label, model in (("Positions", PositionIndexPage), ("Responses", ResponseIndexPage)):
        if model in sections:
            items.append((label, sections[model].get_url(request)))
    for label, name in URL_ITEMS:
        try:
            items.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    path = request.path if request else ""
    return {
        "items": [
            {"label": label, "url": url, "current": url != "/" and path.startswith(url)}
            for label, url in items
        ],
    }
