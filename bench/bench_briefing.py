"""Benchmark the Word briefing builder (liaison.briefings.document) against python-docx alone.

    .venv/bin/python bench/bench_briefing.py [--runs 5]

Builds a throwaway SQLite database in a temporary folder (migrated from scratch, deleted at
the end) with a meeting of 500 agenda items (each citing two positions, with an ask,
background and three talking points) and 50 external attendees. It then times:

* ``build(load(meeting), "delegate")`` (the load separately), and
* a baseline that writes the same text with python-docx alone in the same process: the same
  headings and paragraphs, talking points as "List Number" paragraphs and one agenda table
  filled with ``table.add_row().cells`` (the fast python-docx idiom);

and prints the ratio (target: at most 1.0), the queries of load + build for 50 and for 500
items (they must be the same), and the time for a meeting of 2,000 items.
Times are medians of ``--runs`` runs after one warm-up.
"""

import datetime
import io
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

ATTENDEES = 50


def median_s(function, runs):
    return harness.median(function, runs)[0]


def make_meeting(n_items, regulator, positions, contacts, delegation, title):
    from liaison.models import AgendaItem, Meeting

    start = datetime.datetime(2026, 6, 10, 13, tzinfo=datetime.UTC)
    meeting = Meeting(
        title=title,
        time_zone=regulator.time_zone,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=8),
        objectives="Agree next steps on potency.\nHear the guidance timeline.",
        location="Ottawa, Holland Cross",
        join_url="https://meet.example/abc",
    )
    meeting.save()
    meeting.regulators.set([regulator])
    meeting.delegation.set(delegation)
    meeting.attendees.set(contacts)
    meeting.save()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            sort_order=i,
            title=f"Agenda topic {i + 1}: potency assay matrices",
            duration_minutes=5,
            presenter="Priya Patel",
            ask="Accept a matrix approach for potency.",
            background="Sponsors struggle to validate a single potency assay early on.",
            talking_points="Matrices are used in the EU.\nWe have data from 12 products.\n"
            "Comparability needs the same matrix.",
        )
        for i in range(n_items)
    )
    through = AgendaItem.cited_positions.through
    through.objects.bulk_create(
        through(agendaitem_id=item_id, positionpage_id=p.pk)
        for item_id in meeting.agenda_items.values_list("pk", flat=True)
        for p in positions
    )
    return meeting


def baseline(meeting):
    """The same text with python-docx alone: what any builder has to pay for. The contents
    are plain lines (python-docx cannot write a table of contents), the annex the positions'
    text as paragraphs."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("Society for Cell and Gene Therapy Policy")
    doc.add_heading(meeting.title, 0)
    doc.add_paragraph("Delegate briefing")
    for line in (meeting.when_local, meeting.when_utc, meeting.location, meeting.join_url):
        doc.add_paragraph(line)
    doc.add_heading("Contents", 1)
    contents = [
        "Delegation and attendees",
        "Objectives",
        "Agenda",
        "Agenda items",
        *(f"{n}. {item.title}" for n, item in enumerate(meeting.items, 1)),
        "Open follow-ups from earlier meetings",
        "Earlier meetings with these regulators",
        "Contacts",
        "Annex A. Cited positions, as published",
    ]
    for line in contents:
        doc.add_paragraph(line)
    doc.add_heading("Delegation and attendees", 1)
    people = doc.add_table(rows=1, cols=3)
    for cell, text in zip(people.rows[0].cells, ("Name", "Role", "Organisation"), strict=True):
        cell.text = text
    for contact in meeting.attendees:
        cells = people.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = contact.name, contact.job_title, ""
    doc.add_heading("Objectives", 1)
    for line in meeting.objectives.split("\n"):
        doc.add_paragraph(line)
    doc.add_heading("Agenda", 1)
    items = list(meeting.items)
    table = doc.add_table(rows=1, cols=4)
    for cell, text in zip(
        table.rows[0].cells, ("Start", "Item", "Presenter", "Minutes"), strict=True
    ):
        cell.text = text
    start = meeting.local_start
    for item in items:
        cells = table.add_row().cells
        cells[0].text = f"{start:%H:%M}"
        cells[1].text, cells[2].text, cells[3].text = item.title, item.presenter, "5"
        start += datetime.timedelta(minutes=item.duration_minutes)
    doc.add_heading("Agenda items", 1)
    for number, item in enumerate(items, 1):
        doc.add_heading(f"{number}. {item.title}", 2)
        doc.add_paragraph(f"5 minutes, presented by {item.presenter}.")
        doc.add_paragraph("The ask")
        doc.add_paragraph(item.ask)
        doc.add_paragraph("Background")
        doc.add_paragraph(item.background)
        doc.add_paragraph("Talking points")
        for point in item.talking_points.split("\n"):
            doc.add_paragraph(point, style="List Number")
        doc.add_paragraph("Cited positions")
        for position in item.positions:
            doc.add_paragraph(f"{position.title} ({position.status}). {position.summary}")
    doc.add_heading("Contacts", 1)
    contacts = doc.add_table(rows=1, cols=3)
    for contact in meeting.attendees:
        cells = contacts.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = contact.name, "", contact.email
    doc.add_heading("Annex A. Cited positions, as published", 1)
    cited = {p.pk: p for item in items for p in item.positions}
    for position in cited.values():
        doc.add_heading(position.title, 2)
        doc.add_paragraph(position.status)
        doc.add_paragraph(position.summary)
        for block in position.body:
            style = "List Number" if block.kind == "number" else None
            doc.add_paragraph("".join(r.text for r in block.runs), style=style)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main():
    harness.main(__doc__, run, runs=5)


def run(args, migrated):
    import django
    import docx
    import wagtail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from advocacy.models import PositionPage
    from liaison.briefings import data
    from liaison.briefings import document as briefing
    from liaison.models import Contact, Regulator
    from tests.factories import jurisdiction, make_position, make_position_index, make_user

    regulator = Regulator.objects.create(
        name="Health Canada BRDD",
        acronym="HC BRDD",
        jurisdiction=jurisdiction("ca"),
        time_zone="America/Toronto",
    )
    index = make_position_index()
    body = json.dumps(
        [
            {
                "type": "paragraph",
                "value": "<p>A potency assay should reflect the <b>mechanism of action</b>; "
                'see <a href="https://www.fda.gov/">FDA</a>.</p><ul><li>One</li><li>Two</li></ul>',
            },
            {"type": "recommendations", "value": {"title": "Key", "items": ["Accept matrices"]}},
        ]
    )
    positions = [
        make_position(
            index,
            title="Potency matrix position",
            policy_status=PositionPage.Status.ADOPTED,
            adopted_on=datetime.date(2025, 3, 4),
            body=body,
        ),
        make_position(index, title="Old potency position", policy_status="superseded", body=body),
    ]
    contacts = [
        Contact.objects.create(name=f"Attendee {i}", job_title="Reviewer", regulator=regulator)
        for i in range(ATTENDEES)
    ]
    delegation = [make_user(first_name="Priya", last_name=f"Patel {i}") for i in range(3)]

    print("Liaise briefing benchmark")
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, python-docx {docx.__version__ if hasattr(docx, '__version__') else '?'}, "
        f"{os.cpu_count()} CPUs; throwaway database migrated in {migrated:.1f} s"
    )

    def queries(meeting):
        with CaptureQueriesContext(connection) as captured:
            briefing.build(data.load(meeting.pk), "delegate")
        return len(captured)

    small = make_meeting(50, regulator, positions, contacts, delegation, "Small meeting")
    big = make_meeting(500, regulator, positions, contacts, delegation, "Big meeting")
    queries(small)  # warm caches
    q_small, q_big = queries(small), queries(big)

    loaded = data.load(big.pk)
    load_s = median_s(lambda: data.load(big.pk), args.runs)
    build_s = median_s(lambda: briefing.build(loaded, "delegate"), args.runs)
    base_s = median_s(lambda: baseline(loaded), args.runs)
    size = len(briefing.build(loaded, "delegate"))
    ratio = build_s / base_s
    print(
        f"500 items, {ATTENDEES} attendees ({size / 1024:.0f} KiB .docx), median of {args.runs}:"
    )
    print(f"  briefing.build       {build_s * 1000:8.0f} ms")
    print(f"  python-docx baseline {base_s * 1000:8.0f} ms")
    print(
        f"  ratio                {ratio:8.2f}  (target <= 1.0) {'OK' if ratio <= 1.0 else 'OVER'}"
    )
    print(f"  briefing.load        {load_s * 1000:8.0f} ms")
    print(
        f"Queries, load + build: 50 items {q_small}, 500 items {q_big} "
        f"{'(same)' if q_small == q_big else '(DIFFERENT)'}"
    )

    huge = make_meeting(2000, regulator, positions, contacts, delegation, "Huge meeting")
    start = time.perf_counter()
    loaded = data.load(huge.pk)
    mid = time.perf_counter()
    body = briefing.build(loaded, "delegate")
    end = time.perf_counter()
    print(
        f"2,000 items: load {(mid - start) * 1000:.0f} ms, build {(end - mid) * 1000:.0f} ms, "
        f"{len(body) / 1024:.0f} KiB; baseline build "
        f"{median_s(lambda: baseline(loaded), 1) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
