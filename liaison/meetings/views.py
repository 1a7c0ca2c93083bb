from collections import Counter

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from wagtail import hooks

from advocacy.models import PositionPage
from cms import emails
from cms.validators import storable_id
from liaison import visibility
from liaison.meetings.models import Meeting, Regulator
from liaison.visibility import Audience

PAST_PER_PAGE = 20
UPCOMING_PER_PAGE = 20


def public_meetings_queryset():
    """Public meetings with what their listing shows: regulators and the agenda items that
    are not confidential, fetched in two queries however many meetings there are."""
    return Meeting.objects.public().prefetch_related(
        "regulators",
        Prefetch(
            "agenda_items",
            queryset=visibility.agenda_items_for(Audience.PUBLIC).order_by("sort_order", "pk"),
            to_attr="public_agenda",
        ),
    )


def regulator_slug(regulator):
    """The key of a regulator in addresses: the slug of its acronym, as its calendar feed
    has it (liaison.calendars.feeds, which this module may not import)."""
    return slugify(regulator.acronym) or str(regulator.pk)


def regulator_keys():
    """A function giving each regulator's key in addresses: the slug of its acronym, or its
    id when two acronyms give the same slug. One query, however many regulators."""
    slugs = Counter(regulator_slug(r) for r in Regulator.objects.only("pk", "acronym"))

    def key_of(regulator):
        key = regulator_slug(regulator)
        return key if slugs[key] == 1 else str(regulator.pk)

    return key_of


def regulator_filter_choices():
    """(key, regulator) for each regulator the public may be shown
    (``visibility.regulators_for``: those the directory lists publicly, with or without a
    public meeting), by acronym: the key is the slug of its acronym, as in its calendar feed's
    address (/calendar/regulators/fda-cber-otp.ics), or its id when two acronyms give the same
    slug. Two queries, however many regulators."""
    key_of = regulator_keys()
    regulators = visibility.regulators_for(Audience.PUBLIC).order_by("acronym", "pk")
    return [(key_of(regulator), regulator) for regulator in regulators]


def public_regulator_named(key, regulators=None):
    """The publicly listed regulator (``visibility.regulators_for``) that an address's
    ``key`` names, or None: by id (ASCII digits) or by the slug of its acronym (the first by
    id when two acronyms give the same slug), in one query. A regulator not listed publicly
    is None whatever its meetings, by acronym or by walking the ids."""
    listed = visibility.regulators_for(Audience.PUBLIC, regulators)
    if key.isascii() and key.isdigit():
        pk = storable_id(key)
        return None if pk is None else listed.filter(pk=pk).first()
    return next((r for r in listed.order_by("pk") if regulator_slug(r) == key), None)


def find_regulator(choices, asked):
    """(key, regulator) that ``asked`` names, or ("", None): its key, the acronym typed as
    it is ("FDA CBER OTP"), or the start of one acronym only ("fda" when one regulator's
    acronym starts with FDA), so that an address typed by hand finds it too."""
    wanted = slugify(asked)
    for key, regulator in choices:
        if asked == key or (wanted and wanted == regulator_slug(regulator)):
            return key, regulator
    starting = [
        (k, r) for k, r in choices if wanted and regulator_slug(r).startswith(wanted + "-")
    ]
    return starting[0] if len(starting) == 1 else ("", None)


def public_meetings(request):
    now = timezone.now()
    meetings = public_meetings_queryset()
    # ?regulator=<key> keeps the meetings with that regulator. An unknown key lists nothing
    # and says so (404), rather than quietly listing every meeting.
    choices = regulator_filter_choices()
    asked = request.GET.get("regulator", "").strip()[:200]
    key, regulator = find_regulator(choices, asked) if asked else ("", None)
    if asked:
        if regulator is None:
            meetings = meetings.none()
        else:
            meetings = meetings.filter(
                pk__in=Meeting.regulators.through.objects.filter(regulator=regulator).values(
                    "meeting_id"
                )
            )
    page_obj = Paginator(
        meetings.started(now).order_by("-starts_at", "pk"), PAST_PER_PAGE
    ).get_page(request.GET.get("page"))
    # Upcoming meetings head the first page only; later pages go further into the past.
    # They page on their own (?upcoming=2), so a busy year never makes one huge page.
    # Cancelled ones stay, marked: a visitor who saw the meeting learns it is off.
    ahead = None
    if page_obj.number == 1:
        ahead = Paginator(
            meetings.upcoming(now).order_by("starts_at", "pk"), UPCOMING_PER_PAGE
        ).get_page(request.GET.get("upcoming"))
    params = {}
    if regulator is not None:
        params["regulator"] = key
    if page_obj.number > 1:
        params["page"] = page_obj.number
    canonical = reverse("liaison:public_meetings")
    if params:
        canonical += "?" + urlencode(params)
    unknown = bool(asked) and regulator is None
    return render(
        request,
        "liaison/public/meeting_list.html",
        {
            "upcoming": ahead.object_list if ahead else [],
            "upcoming_page": ahead,
            "past": page_obj.object_list,
            "page_obj": page_obj,
            "canonical_url": emails.absolute_url(canonical),
            "regulator_choices": choices,
            "regulator": regulator,
            "regulator_key": key,
            "unknown_regulator": asked[:100] if unknown else "",
        },
        status=404 if unknown else 200,
    )


def public_meeting(request, uuid):
    # Members-only, confidential and unknown meetings all give the same 404.
    meeting = get_object_or_404(
        public_meetings_queryset()
        .select_related("series")
        .prefetch_related(
            Prefetch(
                "public_agenda__cited_positions",
                queryset=PositionPage.objects.live().public().order_by("title"),
                to_attr="public_positions",
            ),
            # A superseded position is labelled with its public successor (the newest first).
            Prefetch(
                "public_agenda__public_positions__successors",
                queryset=PositionPage.objects.live().public().order_by("-adopted_on", "-pk"),
                to_attr="public_successors",
            ),
            # The papers anyone may open (marked public, of no confidential item).
            Prefetch(
                "materials",
                queryset=visibility.materials_for(Audience.PUBLIC)
                .select_related("document", "agenda_item")
                .order_by(F("agenda_item__sort_order").asc(nulls_first=True), "agenda_item", "pk"),
                to_attr="public_materials",
            ),
        ),
        uuid=uuid,
    )
    series = meeting.series
    return render(
        request,
        "liaison/public/meeting_detail.html",
        {
            "meeting": meeting,
            # A meeting over several days lists its items under their days.
            "agenda_days": meeting.agenda_by_day(meeting.public_agenda),
            "series": series
            if series and series.visibility == Meeting.Visibility.PUBLIC
            else None,
            "is_over": meeting.ends_at < timezone.now(),
            "canonical_url": emails.absolute_url(
                reverse("liaison:public_meeting", args=[meeting.uuid])
            ),
        },
    )


REGULATOR_PAST_SHOWN = 20


def _with_regulator(meetings, regulator):
    return meetings.filter(
        pk__in=Meeting.regulators.through.objects.filter(regulator=regulator).values("meeting_id")
    )


def public_regulator(request, key):
    """/regulators/<key>/: a publicly listed regulator, how to follow it in a calendar, and
    its public meetings (upcoming ones going ahead, then the latest past ones). Regulators
    not listed publicly, and unknown keys, are the site's 404."""
    regulator = public_regulator_named(key, Regulator.objects.select_related("jurisdiction"))
    if regulator is None:
        raise Http404("No such regulator.")
    key = regulator_keys()(regulator)
    now = timezone.now()
    meetings = _with_regulator(public_meetings_queryset(), regulator)
    upcoming = list(
        meetings.upcoming(now).exclude(status=Meeting.Status.CANCELLED).order_by("starts_at", "pk")
    )
    past = list(meetings.started(now).order_by("-starts_at", "pk")[: REGULATOR_PAST_SHOWN + 1])
    feed_url = emails.absolute_url(reverse("liaison:regulator_feed", args=[key]))
    # Other parts add to the page (the asks ledger: its open public asks), through the
    # ``liaison_public_regulator_sections`` hook: this part knows nothing of them.
    sections = [
        html
        for section in hooks.get_hooks("liaison_public_regulator_sections")
        if (html := section(request, regulator, key))
    ]
    return render(
        request,
        "liaison/public/regulator_detail.html",
        {
            "regulator": regulator,
            "regulator_key": key,
            "upcoming": upcoming,
            "past": past[:REGULATOR_PAST_SHOWN],
            "more_past": len(past) > REGULATOR_PAST_SHOWN,
            "all_meetings_url": reverse("liaison:public_meetings")
            + "?"
            + urlencode({"regulator": key}),
            "feed_url": feed_url,
            "sections": sections,
            "feed_webcal": "webcal://" + feed_url.split("://", 1)[1],
            "canonical_url": emails.absolute_url(reverse("liaison:public_regulator", args=[key])),
        },
    )


def public_regulators(request):
    """/regulators/: the regulators listed publicly, by acronym, with their jurisdiction and
    how many public meetings with each are coming up. Two queries."""
    coming = (
        Meeting.objects.public().upcoming(timezone.now()).exclude(status=Meeting.Status.CANCELLED)
    )
    regulators = (
        visibility.regulators_for(Audience.PUBLIC)
        .select_related("jurisdiction")
        .annotate(upcoming_count=Count("meetings", filter=Q(meetings__in=coming.values("pk"))))
        .order_by("acronym", "pk")
    )
    key_of = regulator_keys()
    return render(
        request,
        "liaison/public/regulator_list.html",
        {
            "regulators": [(key_of(r), r) for r in regulators],
            "canonical_url": emails.absolute_url(reverse("liaison:public_regulators")),
        },
    )


HOME_PAGE_MEETINGS = 3


def meetings_raising(request, position):
    """The public meetings at which ``position`` was (or will be) raised, for its page. Only
    agenda items that are not confidential count: a confidential item must not reveal that
    its meeting touched the position. Cancelled meetings raised nothing."""
    raised = visibility.agenda_items_for(Audience.PUBLIC).filter(
        meeting=OuterRef("pk"), cited_positions=position
    )
    meetings = (
        Meeting.objects.public()
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(Exists(raised))
        .prefetch_related("regulators")
        .order_by("-starts_at", "pk")
    )
    return render_to_string(
        "liaison/public/position_meetings.html",
        {"meetings": meetings, "now": timezone.now()},
        request=request,
    )


def upcoming_meetings(request):
    """The next few public meetings that are going ahead, for the home page."""
    meetings = (
        Meeting.objects.public()
        .upcoming(timezone.now())
        .exclude(status=Meeting.Status.CANCELLED)
        .prefetch_related("regulators")
        .order_by("starts_at", "pk")[:HOME_PAGE_MEETINGS]
    )
    return render_to_string(
        "liaison/public/upcoming_meetings.html", {"meetings": meetings}, request=request
    )
