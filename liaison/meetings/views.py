from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from advocacy.models import PositionPage
from cms import emails
from liaison import visibility
from liaison.meetings.models import Meeting
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


def public_meetings(request):
    now = timezone.now()
    meetings = public_meetings_queryset()
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
    canonical = reverse("liaison:public_meetings")
    if page_obj.number > 1:
        canonical += f"?page={page_obj.number}"
    return render(
        request,
        "liaison/public/meeting_list.html",
        {
            "upcoming": ahead.object_list if ahead else [],
            "upcoming_page": ahead,
            "past": page_obj.object_list,
            "page_obj": page_obj,
            "canonical_url": emails.absolute_url(canonical),
        },
    )


def public_meeting(request, uuid):
    # Members-only, confidential and unknown meetings all give the same 404.
    meeting = get_object_or_404(
        public_meetings_queryset().prefetch_related(
            Prefetch(
                "public_agenda__cited_positions",
                queryset=PositionPage.objects.live().public().order_by("title"),
                to_attr="public_positions",
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
    return render(
        request,
        "liaison/public/meeting_detail.html",
        {
            "meeting": meeting,
            "is_over": meeting.ends_at < timezone.now(),
            "canonical_url": emails.absolute_url(
                reverse("liaison:public_meeting", args=[meeting.uuid])
            ),
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
