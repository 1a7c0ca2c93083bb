"""Benchmark the calendar feeds with 5,000 meetings against icalendar and django-ical.

    .venv/bin/python bench/bench_feed.py [--runs 15] [--budget 15]

Builds a throwaway SQLite database in a temporary folder (migrated from scratch, deleted at
the end) with 5,000 meetings made in bulk by tests/liaison/bulk.py, all moved into the feed
window (the last 90 days and the future). For each feed it times, in one process:

(a) the baseline: the same events as ``icalendar.Event`` objects, with the same VTIMEZONEs,
    built in memory first; only ``Calendar.to_ical()`` is timed;
(b) the full answer through django.test.Client: queries, calendar and HTTP;
(c) a 304 answer to If-None-Match with the ETag of (b), and its SQL queries;

and prints full/baseline (target at most 1.3), full/304 (target at least 20) and the queries
of a 304 (target at most 2). When django-ical is installed (it is not a dependency:
``.venv/bin/uv pip install django-ical``), the public feed is also served by an equivalent
django-ical ``ICalFeed`` (same meetings, same fields, fetched with prefetches) through the
same client; without it that row is skipped with a note.

Times are medians after one warm-up request; a slow answer is timed fewer times (at least 5).
"""

import datetime
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from bench.harness import MIN_RUNS, count_queries, median_ms

MEETINGS = 5000
DJANGO_ICAL_PATH = "/bench/django-ical/public.ics"


def __getattr__(name):
    """``urlpatterns`` when Django loads this module as ROOT_URLCONF: the site's URLs plus the
    django-ical feed (made only then, after ``django.setup()``)."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import include, path

    patterns = [path("", include("cms.urls"))]
    feed = django_ical_feed()
    if feed is not None:
        patterns.insert(0, path(DJANGO_ICAL_PATH.lstrip("/"), feed))
    return patterns


def django_ical_feed():
    """The public feed written the django-ical way, or None if django-ical is missing."""
    try:
        from django_ical.views import ICalFeed
    except ImportError:
        return None
    from django.conf import settings
    from django.db.models import Prefetch
    from django.urls import reverse

    from liaison.calendars import feeds
    from liaison.models import AgendaItem, Meeting

    status = {"planned": "TENTATIVE", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}

    class PublicMeetings(ICalFeed):
        product_id = "-//Liaise//Regulator liaison meetings//EN"
        timezone = "UTC"
        file_name = "meetings.ics"
        title = "Liaise: meetings with regulators"
        ttl = 3600

        def items(self):
            return feeds.feed_window(Meeting.objects.public()).prefetch_related(
                "regulators",
                Prefetch(
                    "agenda_items",
                    queryset=AgendaItem.objects.filter(confidential=False).order_by(
                        "sort_order", "pk"
                    ),
                ),
            )

        def item_guid(self, item):
            return str(item.uuid)

        def item_title(self, item):
            return item.title

        def item_link(self, item):
            return settings.BASE_URL + reverse("liaison:public_meeting", args=[item.uuid])

        def item_description(self, item):
            parts = ["With: " + ", ".join(r.acronym for r in item.regulators.all())]
            if item.public_summary:
                parts.append(item.public_summary)
            agenda = [f"- {a.title}" for a in item.agenda_items.all()]
            if agenda:
                parts.append("Agenda:\n" + "\n".join(agenda))
            parts.append("Details: " + self.item_link(item))
            return "\n\n".join(parts)

        def item_start_datetime(self, item):
            return item.starts_at.astimezone(item.zone)

        def item_end_datetime(self, item):
            return item.ends_at.astimezone(item.zone)

        def item_location(self, item):
            return item.location

        def item_updateddate(self, item):
            return item.updated_at

        def item_timestamp(self, item):
            return item.updated_at

        def item_created(self, item):
            return item.created_at

        def item_status(self, item):
            return status.get(item.status, "CONFIRMED")

    return PublicMeetings()


def timed(function, runs, budget):
    """Median milliseconds of ``function()``, after one warm-up call, and calls timed."""
    seconds, used = harness.median(function, runs, budget)
    return seconds * 1000, used


def not_modified(client, url, etag, runs, budget):
    """(c): median milliseconds and SQL queries of a 304 answer to If-None-Match."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url, headers={"if-none-match": etag})
        assert response.status_code == 304, (url, response.status_code)

    ms, used = timed(get, runs, budget)
    with CaptureQueriesContext(connection) as queries:
        get()
    return ms, used, len(queries)


def main():
    harness.main(__doc__, run, runs=15, budget=15)


def run(args, migrated):
    import django
    import icalendar
    import wagtail
    from django.db import connection
    from django.db.models import F
    from django.test import Client, override_settings
    from django.utils import timezone

    from liaison.calendars import feeds
    from liaison.models import Meeting
    from tests.factories import make_user
    from tests.liaison import bulk

    regulators = harness.make_regulators()
    delegate = make_user("Liaison delegates")
    secretariat = make_user("Secretariat")
    step = time.perf_counter()
    bulk.add_meetings(MEETINGS, regulators, delegate)
    # Past meetings move into the future, so all 5,000 are in the feeds' window.
    shift = datetime.timedelta(days=MEETINGS)
    Meeting.objects.filter(ends_at__lt=timezone.now()).update(
        starts_at=F("starts_at") + shift, ends_at=F("ends_at") + shift
    )
    built = time.perf_counter() - step

    try:
        import django_ical

        django_ical_version = getattr(django_ical, "__version__", None) or version("django-ical")
    except ImportError:
        django_ical_version = None

    print("Liaise calendar feed benchmark")
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, icalendar {icalendar.__version__}, "
        f"django-ical {django_ical_version or 'not installed'}, "
        f"SQLite {connection.Database.sqlite_version}, {os.cpu_count()} CPUs"
    )
    print(
        f"Throwaway database migrated in {migrated:.1f} s, {MEETINGS:,} meetings "
        f"built in {built:.1f} s; up to {args.runs} requests per row "
        f"(at least {MIN_RUNS}, about {args.budget:g} s at most)"
    )

    client = Client()
    secretariat_feed = f"/calendar/feed/{feeds.issue_token(user=secretariat)}.ics"
    delegate_feed = f"/calendar/feed/{feeds.issue_token(user=delegate)}.ics"
    rows = [
        ("public feed (PUBLIC)", "/calendar/public.ics", "public"),
        ("Secretariat's feed (DELEGATION)", secretariat_feed, "delegation"),
        ("delegate's feed (mixed)", delegate_feed, None),
    ]
    with override_settings(ROOT_URLCONF="bench.bench_feed"):
        results = []
        for label, url, audience in rows:
            full_ms, full_runs, response = median_ms(client, url, args.runs, args.budget)
            queries = count_queries(client, url)
            body = response.content
            events = body.count(b"BEGIN:VEVENT")
            base = baseline_ms(body, audience, args) if audience else None
            nm_ms, nm_runs, nm_queries = not_modified(
                client, url, response["ETag"], args.runs * 4, args.budget / 3
            )
            results.append(
                (label, events, len(body), full_ms, full_runs, queries, base, nm_ms, nm_queries)
            )

        print()
        print(
            f"{'feed':34} {'events':>6} {'KiB':>6} {'full ms':>8} {'q':>3} "
            f"{'icalendar ms':>12} {'full/ical':>9} {'304 ms':>7} {'304 q':>5} {'full/304':>8}"
        )
        for label, events, size, full_ms, _runs, queries, base, nm_ms, nm_q in results:
            base_ms = f"{base:12.1f}" if base else f"{'-':>12}"
            ratio = f"{full_ms / base:9.2f}" if base else f"{'-':>9}"
            print(
                f"{label:34} {events:6d} {size / 1024:6.0f} {full_ms:8.1f} {queries:3d} "
                f"{base_ms} {ratio} {nm_ms:7.2f} {nm_q:5d} {full_ms / nm_ms:8.0f}"
            )

        print()
        public = results[0]
        if django_ical_version:
            ms, _runs, response = median_ms(client, DJANGO_ICAL_PATH, args.runs, args.budget)
            queries = count_queries(client, DJANGO_ICAL_PATH)
            events = response.content.count(b"BEGIN:VEVENT")
            print(
                f"django-ical {django_ical_version}, the public feed ({events} events): "
                f"{ms:.1f} ms, {queries} queries; Liaise's is {ms / public[3]:.1f} times faster"
            )
        else:
            print(
                "django-ical is not installed: its row is skipped "
                "(.venv/bin/uv pip install django-ical to compare)."
            )
        checks = [
            (
                "full render / icalendar baseline <= 1.3",
                all(r[3] / r[6] <= 1.3 for r in results if r[6]),
            ),
            ("full render / 304 >= 20", all(r[3] / r[7] >= 20 for r in results)),
            ("304 queries <= 2", all(r[8] <= 2 for r in results)),
        ]
        for text, ok in checks:
            print(f"{'ok  ' if ok else 'MISS'} {text}")


def baseline_ms(body, audience, args):
    """(a): the events of ``body`` (a feed for one audience) rebuilt as ``icalendar.Event``
    objects by ``ical.meeting_event`` (the same content) with the same VTIMEZONEs, all built
    up front; only ``Calendar.to_ical()`` is timed."""
    import icalendar

    from liaison.calendars import ics as ical
    from liaison.models import Meeting

    parsed = icalendar.Calendar.from_ical(body)
    uids = [str(e["UID"]) for e in parsed.walk("VEVENT")]
    audience = ical.Audience.PUBLIC if audience == "public" else ical.Audience.DELEGATION
    meetings = {str(m.uuid): m for m in ical.fetch(Meeting.objects.filter(uuid__in=uids))}
    calendar = icalendar.Calendar()
    for key in ("VERSION", "PRODID", "CALSCALE", "NAME", "X-WR-CALNAME"):
        if key in parsed:
            calendar[key] = parsed[key]
    for zone in parsed.walk("VTIMEZONE"):
        calendar.add_component(zone)
    from liaison.calendars import feeds

    url_for = feeds._member_url
    for uid in uids:
        calendar.add_component(ical.meeting_event(meetings[uid], audience, url_for(meetings[uid])))
    assert len(calendar.walk("VEVENT")) == len(uids)
    ms, _used = timed(calendar.to_ical, args.runs, args.budget)
    return ms


def version(name):
    from importlib.metadata import version as dist_version

    return dist_version(name)


if __name__ == "__main__":
    main()
