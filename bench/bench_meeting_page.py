"""Benchmark the meeting page (the admin's read-first page of one meeting) with 10 and 200
agenda items.

    .venv/bin/python bench/bench_meeting_page.py [--runs 20] [--budget 12]

Builds a throwaway SQLite database in a temporary folder (migrated from scratch, deleted at
the end) with two meetings alike but for the length of their agenda: 10 and 200 items, each
item citing two positions, with an ask, background, talking points, an outcome, one action
and one material; 20 external attendees with replies, and five open actions carried forward
from an earlier meeting. It times GETs of each meeting's page as the Secretariat (who sees
everything, invitations and briefings included) and as a delegate, next to a trivial view
served the same way (same client, middleware and URL resolver), and counts the SQL queries
of each GET: they must be the same for 10 and for 200 items.

Times are medians after one warm-up GET; a slow page is timed fewer times (at least 5).
"""

import datetime
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from bench.harness import MIN_RUNS, count_queries, median_ms

SIZES = (10, 200)
ATTENDEES = 20


def make_meeting(n_items, regulator, positions, contacts, delegate, documents, title, start):
    from liaison.models import ActionItem, AgendaItem, InvitationReply, Meeting, MeetingMaterial

    meeting = Meeting(
        title=title,
        time_zone=regulator.time_zone,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=8),
        objectives="Agree next steps on potency.",
        location="Ottawa, Holland Cross",
        join_url="https://meet.example/abc",
        status="confirmed",
    )
    meeting.save()
    meeting.regulators.set([regulator])
    meeting.delegation.set([delegate])
    meeting.attendees.set(contacts)
    meeting.save()
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            sort_order=i,
            title=f"Agenda topic {i + 1}: potency assay matrices",
            duration_minutes=2,
            presenter="Priya Patel",
            ask="Accept a matrix approach for potency.",
            background="Sponsors struggle to validate a single potency assay early on.",
            talking_points="Matrices are used in the EU.\nWe have data from 12 products.",
            regulator_response="They will consider it.",
            confidential=i % 5 == 4,
        )
        for i in range(n_items)
    )
    items = list(meeting.agenda_items.all())
    through = AgendaItem.cited_positions.through
    through.objects.bulk_create(
        through(agendaitem_id=item.pk, positionpage_id=p.pk) for item in items for p in positions
    )
    ActionItem.objects.bulk_create(
        ActionItem(meeting=meeting, agenda_item=item, description=f"Follow up {n}", owner=delegate)
        for n, item in enumerate(items)
    )
    MeetingMaterial.objects.bulk_create(
        MeetingMaterial(
            meeting=meeting,
            agenda_item=item,
            document=documents[n % len(documents)],
            audience=("delegation", "invitees", "public")[n % 3],
        )
        for n, item in enumerate(items)
    )
    InvitationReply.objects.bulk_create(
        InvitationReply(meeting=meeting, recipient_email=c.email, answer="accepted")
        for c in contacts
    )
    return meeting


def main():
    harness.main(__doc__, run, runs=20, budget=12)


def run(args, migrated):
    import django
    import wagtail
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test import Client, override_settings
    from wagtail.documents.models import Document
    from wagtail.models import Collection

    from bench.trivial_urls import TRIVIAL_PATH
    from liaison.meetings.materials import NAME
    from liaison.models import ActionItem, Contact
    from tests.factories import make_position, make_position_index, make_user

    regulator = harness.make_regulators()[1]
    delegate = make_user("Liaison delegates", first_name="Dana", last_name="Ng")
    secretariat = make_user("Secretariat", first_name="Sue", last_name="Secretary")
    index = make_position_index()
    positions = [make_position(index, title=f"Position {n}") for n in range(2)]
    contacts = [
        Contact.objects.create(name=f"Contact {n}", email=f"c{n}@example.org", regulator=regulator)
        for n in range(ATTENDEES)
    ]
    collection = Collection.objects.get(name=NAME)
    documents = [
        Document.objects.create(
            title=f"Paper {n}",
            file=ContentFile(b"%PDF-1.4", name=f"paper{n}.pdf"),
            collection=collection,
        )
        for n in range(5)
    ]
    start = datetime.datetime(2026, 6, 10, 13, tzinfo=datetime.UTC)
    earlier = make_meeting(
        1, regulator, positions, contacts, delegate, documents, "Earlier", start
    )
    ActionItem.objects.bulk_create(
        ActionItem(meeting=earlier, description=f"Carried {n}", owner=delegate) for n in range(5)
    )
    meetings = {
        n: make_meeting(
            n,
            regulator,
            positions,
            contacts,
            delegate,
            documents,
            f"Meeting with {n} items",
            start + datetime.timedelta(days=30 + n),
        )
        for n in SIZES
    }

    print("Liaise meeting page benchmark")
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, SQLite {connection.Database.sqlite_version}, "
        f"{os.cpu_count()} CPUs; throwaway database migrated in {migrated:.1f} s"
    )
    print(
        f"Up to {args.runs} GETs per page (at least {MIN_RUNS}, about {args.budget:g} s at most)"
    )
    rows = []
    with override_settings(ROOT_URLCONF="bench.trivial_urls"):
        for who, user in (("Secretariat", secretariat), ("delegate", delegate)):
            client = Client()
            client.force_login(user)
            trivial_ms, trivial_runs, _ = median_ms(client, TRIVIAL_PATH, args.runs, args.budget)
            print(f"\nAs the {who}: trivial view {trivial_ms:.2f} ms ({trivial_runs} runs)")
            print(
                f"  {'agenda items':>12} {'runs':>5} {'median ms':>10} {'ratio':>7} {'queries':>8}"
            )
            for n, meeting in meetings.items():
                url = f"/admin/snippets/liaison/meeting/inspect/{meeting.pk}/"
                ms, used, _ = median_ms(client, url, args.runs, args.budget)
                queries = count_queries(client, url)
                rows.append((who, n, queries))
                print(f"  {n:>12} {used:>5} {ms:>10.2f} {ms / trivial_ms:>7.1f} {queries:>8}")
    same = all(a[2] == b[2] for a, b in zip(rows[::2], rows[1::2], strict=True))
    print(
        "\nQueries per page are the same for 10 and 200 agenda items."
        if same
        else "\nQUERIES GROW with the agenda."
    )


if __name__ == "__main__":
    main()
