from django import template
from django.utils.html import format_html_join
from wagtail import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """Return the current query string with some parameters replaced (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


PAGE_SECTIONS_HOOK = "advocacy_page_sections"


@register.simple_tag(takes_context=True)
def page_sections(context, page, place):
    """What other apps add to one of our pages at ``place`` ("position-page", "home-page").

    Each function registered for the Wagtail hook ``advocacy_page_sections`` is called with
    (request, page, place) and returns HTML (a safe string) or "". This is how the liaison app
    shows meetings on these pages without advocacy ever importing it.

    Only a saved page has sections: a page being previewed before its first save (without
    a pk) has none, as what other apps hold cannot refer to it yet.
    """
    if page.pk is None:
        return ""
    parts = [fn(context.get("request"), page, place) for fn in hooks.get_hooks(PAGE_SECTIONS_HOOK)]
    return format_html_join("", "{}", ((part,) for part in parts if part))
