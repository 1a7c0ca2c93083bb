"""The public page of a series (/series/<uuid>/): what it is for, its schedule, a calendar to
follow it, its meetings to come and its past ones. A series is public when its meetings are;
any other answers 404, like an unknown one."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from cms import emails
from liaison import visibility
from liaison.meetings.models import Meeting
from liaison.meetings.views import public_meetings_queryset
from liaison.visibility import Audience

PAST_SHOWN = 20


def public_series_queryset():
    return visibility.series_for(Audience.PUBLIC).prefetch_related("regulators")


def public_series(request, uuid):
    series = public_series_queryset().select_related("previous").filter(uuid=uuid).first()
    if series is None:
        raise Http404("No such series.")
    now = timezone.now()
    # The meetings of this series, and of the series it continues or that continue it
    # (a change of rule), so the page tells the whole story.
    family = [s.pk for s in (series.previous, getattr(series, "next", None)) if s] + [series.pk]
    meetings = public_meetings_queryset().filter(series__in=family)
    upcoming = list(meetings.upcoming(now).order_by("starts_at", "pk"))
    past = list(meetings.started(now).order_by("-starts_at", "pk")[: PAST_SHOWN + 1])
    rule = series.rule
    return render(
        request,
        "liaison/public/series_detail.html",
        {
            "series": series,
            "rule": rule.describe() if rule else "",
            # In the series' own zone, not the site's.
            "first_time": f"{series.first_start.astimezone(series.rule_zone):%H:%M}"
            if rule
            else "",
            "zone_name": series.time_zone.replace("_", " "),
            "upcoming": upcoming,
            "past": past[:PAST_SHOWN],
            "more_past": len(past) > PAST_SHOWN,
            "feed_path": reverse("liaison:series_feed", args=[series.uuid]),
            "canonical_url": emails.absolute_url(
                reverse("liaison:public_series", args=[series.uuid])
            ),
            "cancelled": Meeting.Status.CANCELLED,
        },
    )
