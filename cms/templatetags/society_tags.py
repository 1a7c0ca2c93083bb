"""The society in templates: ``{% society as society %}`` gives ``cms.society.current``, the
name, short name, address and website of Settings ▸ Society with their fallbacks. Read once
per request (Wagtail keeps the row on the request), however many templates ask."""

from django import template

from cms import society as societies

register = template.Library()


@register.simple_tag(takes_context=True)
def society(context):
    """The society (``cms.society.Society``) for this request."""
    return societies.current(context.get("request"))


@register.filter
def initial(name):
    """The first letter of ``name``, for a mark where there is no logo: "S" for "SCGTP"."""
    return next((c for c in str(name) if c.isalnum()), "").upper()
