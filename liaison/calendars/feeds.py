"""Calendar downloads and feeds, and the secret tokens of personal feeds.

Tokens: ``issue_token`` makes a random secret (``secrets.token_urlsafe(32)``, 256 bits) for a
staff user or a subscriber and stores only its SHA-256 hex digest in ``FeedToken.token_hash``;
the raw token is shown once (in the address it goes in) and cannot be recovered afterwards.
``rotate_token`` revokes the holder's live tokens and issues a new one, ``revoke`` ends one,
``personal_feed_urls`` gives the https:// and webcal:// addresses of a personal feed.

Feeds are named after the society (its short name from Settings ▸ Society, ``cms.society``):
"SCGTP: meetings with regulators". The name is part of each feed's ETag, so renaming the
society reaches calendars that revalidate; it costs each feed one query, whatever its size.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from cms import emails, society
from liaison import visibility
from liaison.calendars import ics as ical
from liaison.calendars.models import FeedToken
from liaison.meetings.models import Meeting, Regulator
from liaison.meetings.views import public_regulator_named, regulator_filter_choices

__all__ = [
    "feed_window",
    "find_token",
    "hash_token",
    "issue_token",
    "personal_feed_urls",
    "revoke",
    "rotate_token",
]

TOKEN_BYTES = 32  # 256 random bits; the issue asks for at least 128


def hash_token(raw_token: str) -> str:
    """The SHA-256 hex digest stored for ``raw_token``."""
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def _holder(user, subscriber):
    if (user is None) == (subscriber is None):
        raise ValueError("A feed token belongs to a user or to a subscriber: give exactly one.")
    return {"user": user} if user is not None else {"subscriber": subscriber}


def issue_token(*, user=None, subscriber=None) -> str:
    """A new feed token for ``user`` or ``subscriber``; returns the raw token (only its hash
    is stored). Earlier tokens of the holder stay valid: see ``rotate_token``."""
    holder = _holder(user, subscriber)
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    FeedToken.objects.create(token_hash=hash_token(raw), **holder)
    return raw


def rotate_token(*, user=None, subscriber=None) -> str:
    """Revoke every live token of ``user`` or ``subscriber`` and issue a new one; returns the
    new raw token. Addresses with the old tokens stop working at once."""
    holder = _holder(user, subscriber)
    with transaction.atomic():
        FeedToken.objects.filter(revoked_at__isnull=True, **holder).update(
            revoked_at=timezone.now()
        )
        return issue_token(**holder)


def revoke(token) -> bool:
    """Revoke ``token``: a raw token string or a ``FeedToken``. True if a live token was
    revoked, False if it was unknown or already revoked."""
    if isinstance(token, FeedToken):
        tokens = FeedToken.objects.filter(pk=token.pk)
    else:
        tokens = FeedToken.objects.filter(token_hash=hash_token(str(token)))
    return bool(tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now()))


# The meeting permissions a personal feed reads, fetched with the token (no extra query).
FEED_PERMISSIONS = ("change_any_meeting", "view_meeting")


def _has_permission(codename):
    return Exists(
        Permission.objects.filter(content_type__app_label="liaison", codename=codename).filter(
            Q(user=OuterRef("user_id")) | Q(group__user=OuterRef("user_id"))
        )
    )


def find_token(raw_token: str):
    """The live ``FeedToken`` for ``raw_token`` with its user or subscriber, or None (unknown
    or revoked), in one query. Looked up by hash, so no comparison ever touches the secret.

    The user's two meeting permissions come with it and are put in the permission cache
    Django's ModelBackend keeps on the user, so ``visible_to`` asks the database nothing more.
    """
    if not raw_token or len(raw_token) > 200:
        return None
    token = (
        FeedToken.objects.select_related("user", "subscriber")
        .annotate(**{f"_perm_{c}": _has_permission(c) for c in FEED_PERMISSIONS})
        .filter(token_hash=hash_token(raw_token), revoked_at__isnull=True)
        .first()
    )
    if token is not None and token.user is not None:
        token.user._perm_cache = {
            f"liaison.{c}" for c in FEED_PERMISSIONS if getattr(token, f"_perm_{c}")
        }
    return token


def personal_feed_urls(raw_token: str) -> tuple[str, str]:
    """(https_url, webcal_url) of the personal feed with ``raw_token``, on BASE_URL (never
    the host a request named). The first keeps BASE_URL's scheme, https in production; the
    second is the same with ``webcal://``, which makes calendar apps offer to subscribe."""
    url = emails.absolute_url(reverse("liaison:personal_feed", args=[raw_token]))
    return url, webcal(url)


# --- feeds and downloads -------------------------------------------------------------------

FEED_REFRESH = datetime.timedelta(hours=1)
WINDOW = datetime.timedelta(days=90)  # feeds keep meetings that ended this long ago
PUBLIC_MAX_AGE = 300
FORMAT = "1"  # raise when the bytes of an unchanged feed change (a new ical.py, say)


def feed_window(queryset, now=None):
    """The meetings of ``queryset`` a feed carries: those that ended in the last 90 days and
    all later ones, cancelled ones included (they show as STATUS:CANCELLED)."""
    return queryset.filter(ends_at__gte=(now or timezone.now()) - WINDOW)


def _site(request):
    """Whose calendars these are: the society's short name (or its full one)."""
    return society.current(request).short


def _filename(site, what):
    """ "scgtp-meetings.ics": the society's name in a download's file name, when it has
    letters a file name can carry."""
    slug = slugify(site)
    return f"{slug}-{what}.ics" if slug else f"{what}.ics"


def _public_url(meeting):
    return emails.absolute_url(reverse("liaison:public_meeting", args=[meeting.uuid]))


def _member_url(meeting):
    if meeting.visibility == Meeting.Visibility.PUBLIC:
        return _public_url(meeting)
    return emails.absolute_url(
        reverse("wagtailsnippets_liaison_meeting:inspect", args=[meeting.pk])
    )


def _calendar_response(body, filename, *, kind="inline"):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(kind == "attachment", filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _validators(queryset, identity, extra=None):
    """(ETag, Last-Modified, whether any meeting is in a series) of a feed from ONE
    aggregate query over its meetings: their
    number, the sum of their ids (which meetings) and the latest ``updated_at``, with
    ``identity`` (which feed, for whom). A deleted meeting changes the count and the sum.

    Last-Modified is the latest ``updated_at``, or, when later, the moment this server first
    gave this ETag (kept in the cache): a deletion changes no ``updated_at``, yet a client that
    revalidates by date alone (Apple Calendar) must get the new feed.
    """
    # A series is written whole (its rule and every meeting that differs from it), so its
    # last change counts too; a change to any of its meetings touches it (Meeting.save).
    aggregates = {
        "n": Count("pk"),
        "ids": Sum("pk"),
        "latest": Max("updated_at"),
        "series": Max("series__updated_at"),
    }
    aggregates.update(extra or {})
    state = queryset.order_by().aggregate(**aggregates)
    in_series = state["series"] is not None
    latest = state.pop("latest")
    parts = [FORMAT, settings.BASE_URL, *identity, timezone.now().year if not state["n"] else ""]
    parts += [f"{k}={state[k]}" for k in sorted(state)]
    parts.append(latest.isoformat() if latest else "")
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:40]
    etag = f'"{digest}"'
    seen = cache.get_or_set(f"liaison-feed-etag:{digest}", timezone.now(), 90 * 86400)
    last_modified = max(filter(None, [latest, seen]))
    return etag, int(last_modified.timestamp()), in_series


def _feed(request, queryset, identity, build, filename, *, personal, extra=None):
    """Answer a feed request: 304 when the client's copy is current (no calendar is built),
    else the calendar ``build(queryset)`` makes, with validators and caching headers."""
    etag, last_modified, in_series = _validators(queryset, identity, extra)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = _calendar_response(build(queryset, series=in_series), filename)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    if personal:
        response["Cache-Control"] = "private, no-cache"
        response["Referrer-Policy"] = "no-referrer"
    else:
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


def _public_build(name):
    def build(queryset, series=True):
        return ical.feed_bytes(
            queryset,
            ical.Audience.PUBLIC,
            name=name,
            url_for=_public_url,
            refresh=FEED_REFRESH,
            series=series,
        )

    return build


@require_safe
def public_feed(request):
    """All public meetings: /calendar/public.ics."""
    queryset = feed_window(Meeting.objects.public())
    site = _site(request)
    name = f"{site}: meetings with regulators"
    return _feed(
        request,
        queryset,
        ["public", name],
        _public_build(name),
        _filename(site, "meetings"),
        personal=False,
    )


def regulator_slug(regulator):
    return slugify(regulator.acronym) or str(regulator.pk)


def _regulator(key):
    """The regulator a feed address names: by id (ASCII digits) or by the slug of its
    acronym (the first by id when two acronyms give the same slug), in one query. Every
    regulator the directory lists publicly has a feed, empty until a public meeting with it
    is planned; one not listed has none, whatever its meetings (``visibility.regulators_for``,
    through ``public_regulator_named``)."""
    regulator = public_regulator_named(key, Regulator.objects.only("pk", "acronym", "name"))
    if regulator is None:
        raise Http404("No such calendar.")
    return regulator


@require_safe
def regulator_feed(request, key):
    """Public meetings with one regulator: /calendar/regulators/<acronym slug or id>.ics."""
    regulator = _regulator(key)
    queryset = feed_window(
        Meeting.objects.public().filter(
            pk__in=Meeting.regulators.through.objects.filter(regulator=regulator).values(
                "meeting_id"
            )
        )
    )
    name = f"{_site(request)}: meetings with {regulator.acronym}"
    return _feed(
        request,
        queryset,
        ["regulator", regulator.pk, regulator.acronym, name],
        _public_build(name),
        f"{regulator_slug(regulator)}-meetings.ics",
        personal=False,
    )


@require_safe
def public_meeting_ics(request, uuid):
    """One public meeting to add to a calendar: /calendar/meetings/<uuid>.ics. Members-only,
    confidential and unknown meetings give the same 404."""
    meetings = ical.fetch(Meeting.objects.public().filter(uuid=uuid), ical.Audience.PUBLIC)
    if not meetings:
        raise Http404("No such meeting.")
    meeting = meetings[0]
    body = ical.calendar_bytes(meetings, ical.Audience.PUBLIC, url_for=_public_url)
    return _calendar_response(body, meeting_filename(meeting), kind="attachment")


@require_safe
def series_feed(request, uuid):
    """The meetings of a public series: /calendar/series/<uuid>.ics, every one of them (a
    rule-based series is one event), not only the recent and coming ones."""
    from liaison.meetings.models import MeetingSeries

    series = visibility.series_for(ical.Audience.PUBLIC).filter(uuid=uuid).first()
    if series is None:
        raise Http404("No such calendar.")
    family = MeetingSeries.objects.filter(Q(pk=series.pk) | Q(next=series) | Q(previous=series))
    queryset = Meeting.objects.public().filter(series__in=family)
    name = f"{_site(request)}: {series.title}"
    return _feed(
        request,
        queryset,
        ["series", series.pk, name],
        _public_build(name),
        f"{slugify(series.title)[:60] or 'series'}.ics",
        personal=False,
    )


def meeting_filename(meeting):
    return f"{slugify(meeting.title)[:60] or 'meeting'}-{meeting.starts_at:%Y-%m-%d}.ics"


def user_feed_queryset(user):
    visible = Meeting.objects.visible_to(user)
    if visible.query.distinct:
        # DISTINCT over every column of thousands of meetings is what a 304 would wait for;
        # the ids as a subquery name the same meetings without it.
        visible = Meeting.objects.filter(pk__in=visible.values("pk"))
    return feed_window(visible)


def subscriber_feed_queryset(subscriber):
    queryset = Meeting.objects.public()
    if not subscriber.all_regulators:
        chosen = Regulator.subscribers.through.objects.filter(subscriber=subscriber)
        queryset = queryset.filter(
            pk__in=Meeting.regulators.through.objects.filter(
                regulator__in=chosen.values("regulator_id")
            ).values("meeting_id")
        )
    return feed_window(queryset)


def _touch(token):
    """Record that ``token`` was used, at most once a minute (no write on every poll)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= datetime.timedelta(minutes=1):
        FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)


@require_safe
def personal_feed(request, token):
    """A personal feed: /calendar/feed/<token>.ics. Unknown and revoked tokens, unconfirmed
    subscribers and inactive users all get the same 404."""
    found = find_token(token)
    if found is None:
        raise Http404("No such calendar.")
    if found.user is not None:
        user = found.user
        if not user.is_active:
            raise Http404("No such calendar.")
        site = _site(request)
        manages_all = visibility.manages_all_meetings(user)
        queryset = user_feed_queryset(user)
        delegated = Meeting.delegation.through.objects.filter(user=user).values("meeting_id")
        identity = ["user", found.pk, user.pk, manages_all, user.is_superuser]
        identity += sorted(user._perm_cache) if hasattr(user, "_perm_cache") else []
        # Which meetings they are on the delegation of decides what each event shows.
        extra = {
            "delegated": Count("pk", filter=Q(pk__in=delegated)),
            "delegated_ids": Sum("pk", filter=Q(pk__in=delegated)),
        }
        name = f"{site}: my meetings"
        identity.append(name)

        def build(queryset, series=True):
            return ical.feed_bytes(
                queryset,
                visibility.feed_audiences(user),
                name=name,
                url_for=_member_url,
                refresh=FEED_REFRESH,
                series=series,
            )

    else:
        subscriber = found.subscriber
        if subscriber.confirmed_at is None:
            raise Http404("No such calendar.")
        site = _site(request)
        queryset = subscriber_feed_queryset(subscriber)
        # What a subscriber sees depends only on which public meetings are in the feed,
        # which the count and the sum of their ids follow, whatever regulators they chose.
        name = f"{site}: meetings with regulators"
        identity = ["subscriber", found.pk, subscriber.pk, name]
        extra = None
        build = _public_build(name)
    response = _feed(
        request,
        queryset,
        identity,
        build,
        _filename(site, "my-meetings"),
        personal=True,
        extra=extra,
    )
    _touch(found)
    return response


def webcal(url):
    return "webcal://" + url.split("://", 1)[1]


def calendar_index(request):
    """/calendar/: the public feeds (all public meetings, one per regulator the directory
    lists publicly) and how to subscribe."""
    from django.shortcuts import render

    public = emails.absolute_url(reverse("liaison:public_feed"))
    feeds = []
    for key, regulator in regulator_filter_choices():
        # Two acronyms with one slug: the address names the regulator by id instead.
        url = emails.absolute_url(reverse("liaison:regulator_feed", args=[key]))
        feeds.append(
            {
                "regulator": regulator,
                "key": key,
                "page": reverse("liaison:public_regulator", args=[key]),
                "url": url,
                "webcal": webcal(url),
            }
        )
    return render(
        request,
        "liaison/calendar/index.html",
        {"public_url": public, "public_webcal": webcal(public), "regulator_feeds": feeds},
    )
