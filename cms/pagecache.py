"""Public pages for anonymous visitors, served from the cache until what they show changes.

``PublicPageCacheMiddleware`` keeps the response to an anonymous GET (no session cookie, so
no one signed in) of any public page, index, meeting page or feed, and serves it again, with
an ``ETag`` (a 304 when the visitor already has it), until the *content generation* changes.
The generation is a random token in the database (``ContentGeneration``), replaced by
``bump()`` whenever something a public page may show is saved or deleted: pages (publishing,
unpublishing, moving), meetings, agenda items, papers, regulators, the society's settings,
documents, images, topics, redirects (``watched`` below, connected in ``cms.apps``). A
random token rather than a counter, so that a rolled-back transaction can never bring an old
generation, and its cached pages, back. The token changes in the same transaction as the
change, so no visitor sees the new token with the old content. Entries also expire after
PAGE_CACHE_SECONDS (300 by default), the longest a page lags behind the clock (a meeting
that has started moves from "upcoming" to "past" without any save).

Never cached: the admin, documents (permission-checked), a subscriber's own pages and feed,
any request with a session cookie (signed-in users, visitors mid-form), responses that set
a cookie (a form's CSRF token), that say private/no-store, or that are not 200. Works with
Redis and with the embedded default (each process's own memory; the generation, in the
database, is shared by every process). A change made with ``QuerySet.update()`` sends no
signal: code that changes public content that way must call ``bump()`` itself.
"""

import hashlib
import logging
import uuid

from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe, quote_etag

logger = logging.getLogger(__name__)

NEVER = (
    "/admin/",
    "/django-admin/",
    "/documents/",
    "/dev/",
    "/healthz",
    "/static/",
    "/media/",
    # A subscriber's own pages and feed: their address is their secret, and revoking it
    # must take effect at once.
    "/calendar/subscribe/",
    "/calendar/feed/",
)
KEPT_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Language",
    "Last-Modified",
    "Link",
    "X-Robots-Tag",
    "Vary",
)


def generation():
    """(token, changed_at) of the current content generation (one indexed query)."""
    from cms.models import ContentGeneration

    row = ContentGeneration.objects.filter(pk=1).values_list("token", "changed_at").first()
    return row or ("none", None)


def bump(**kwargs):
    """Something public pages may show changed: every cached page is stale from now on.
    (A signal receiver: the arguments are the signal's.)"""
    from cms.models import ContentGeneration

    try:
        with transaction.atomic():  # a savepoint: a failure leaves the caller's work intact
            ContentGeneration.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
    except DatabaseError:  # not migrated yet (a data migration saving pages)
        logger.warning("Cached pages could not be marked stale", exc_info=True)


# What public pages, indexes and feeds show, by app label and model name; "*" for every
# model of the app. Saving or deleting any of them (or changing their many-to-many links)
# starts a new generation.
WATCHED = {
    "wagtailcore": {"page", "site", "pageviewrestriction", "collectionviewrestriction"},
    "advocacy": {"*"},
    "liaison": {
        "meeting",
        "meetingseries",
        "seriesagendaitem",
        "agendaitem",
        "regulator",
        "meetingmaterial",
        "contact",
        "organisation",
        "ask",
        "askevent",
        "agendaask",
    },
    "cms": {"societysettings"},
    "wagtaildocs": {"document"},
    "wagtailimages": {"image"},
    "wagtailredirects": {"redirect"},
}


def watched(model):
    """Does ``model`` (a class) hold something a public page may show? Never a migration's
    historical model: the site is not serving pages while it migrates."""
    meta = model._meta
    if meta.apps is not global_apps:
        return False
    names = WATCHED.get(meta.app_label, ())
    if "*" in names or meta.model_name in names:
        return True
    # Page types of any app (Wagtail's Page subclasses) count as pages.
    from wagtail.models import Page

    return issubclass(model, Page)


def _on_change(sender, **kwargs):
    if watched(sender):
        bump()


def connect():
    """Start a new generation whenever a watched model changes (called from cms.apps)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.signals import page_published, page_unpublished

    post_save.connect(_on_change, dispatch_uid="pagecache-save")
    post_delete.connect(_on_change, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")
    page_published.connect(bump, dispatch_uid="pagecache-published")
    page_unpublished.connect(bump, dispatch_uid="pagecache-unpublished")


def _on_m2m(sender, instance, action, **kwargs):
    if action.startswith("post_") and watched(type(instance)):
        bump()


def _key(request, token):
    raw = f"{request.get_host()}|{request.get_full_path()}"
    return f"page:{token}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _cacheable_request(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    return not request.path.startswith(NEVER)


def _cacheable_response(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    control = response.get("Cache-Control", "").lower()
    return "private" not in control and "no-store" not in control


def _etag(body):
    return quote_etag(hashlib.sha256(body).hexdigest()[:32])


def _answer(request, stored, state):
    """The stored page, or 304 Not Modified when the visitor's copy is still current."""
    from django.http import HttpResponse

    status, headers, body, etag, changed = stored
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    response["ETag"] = etag
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    if last_modified is None and changed:
        last_modified = int(changed.timestamp())
        response["Last-Modified"] = http_date(last_modified)
    response["X-Page-Cache"] = state
    return get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Also the longest a page may lag behind time passing (an upcoming meeting that has
        # started), since the clock changes what /meetings/ shows without any save.
        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 300)
        if not seconds or not _cacheable_request(request):
            return self.get_response(request)
        token, changed = generation()
        key = _key(request, token)
        stored = cache.get(key)
        if stored is not None:
            return _answer(request, stored, "hit")
        response = self.get_response(request)
        if request.method != "GET" or not _cacheable_response(request, response):
            return response
        body = response.content
        headers = [(h, response[h]) for h in KEPT_HEADERS if response.has_header(h)]
        if not response.has_header("Cache-Control"):
            # Browsers ask again each time, and get a 304 while nothing changed.
            patch_cache_control(response, no_cache=True)
        headers.append(("Cache-Control", response["Cache-Control"]))
        stored = (
            response.status_code,
            headers,
            body,
            response.get("ETag") or _etag(body),
            changed,
        )
        cache.set(key, stored, seconds)
        return _answer(request, stored, "miss")
