"""Benchmark the PDF of a briefing (liaison.briefings.pdf) against LibreOffice converting a
python-docx-only file of the same text.

    .venv/bin/python bench/bench_briefing_pdf.py [--runs 3]

Builds a throwaway SQLite database (bench.harness) with the meeting of bench/bench_briefing.py
(500 agenda items, each citing two positions, 50 external attendees), builds the delegate
briefing once and the python-docx-only baseline of the same text once (bench_briefing's
``baseline``), then times ``liaison.briefings.pdf.convert`` on each: the same LibreOffice
command (private profile, tagged PDF, bookmarks) in the same process. Prints both medians
(after one warm-up each), the ratio, and the sizes and pages of the PDFs.
Needs LibreOffice (soffice); pdfinfo (poppler-utils) for the page counts.
"""

import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from bench.bench_briefing import ATTENDEES, baseline, make_meeting, median_s

ITEMS = 500


def pages(data):
    """Pages of a PDF according to pdfinfo, or "?" without it."""
    pdfinfo = shutil.which("pdfinfo")
    if not pdfinfo:
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        out = subprocess.run(
            [pdfinfo, handle.name], capture_output=True, text=True, timeout=60
        ).stdout
    found = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return found.group(1) if found else "?"


def main():
    harness.main(__doc__, run, runs=3)


def run(args, migrated):
    import django

    from advocacy.models import PositionPage
    from liaison.briefings import data, pdf
    from liaison.briefings import document as briefing
    from liaison.models import Contact, Regulator
    from tests.factories import jurisdiction, make_position, make_position_index, make_user

    if not pdf.available():
        sys.exit(f"No LibreOffice: {pdf.unavailable_reason()}")
    version = subprocess.run(
        [pdf.binary(), "--version"], capture_output=True, text=True, timeout=120
    ).stdout.strip()

    regulator = Regulator.objects.create(
        name="Health Canada BRDD",
        acronym="HC BRDD",
        jurisdiction=jurisdiction("ca"),
        time_zone="America/Toronto",
    )
    index = make_position_index()
    positions = [
        make_position(
            index,
            title="Potency matrix position",
            policy_status=PositionPage.Status.ADOPTED,
            adopted_on=datetime.date(2025, 3, 4),
        ),
        make_position(index, title="Old potency position", policy_status="superseded"),
    ]
    contacts = [
        Contact.objects.create(name=f"Attendee {i}", job_title="Reviewer", regulator=regulator)
        for i in range(ATTENDEES)
    ]
    delegation = [make_user(first_name="Priya", last_name=f"Patel {i}") for i in range(3)]
    meeting = make_meeting(ITEMS, regulator, positions, contacts, delegation, "Big meeting")

    loaded = data.load(meeting.pk)
    ours = briefing.build(loaded, "delegate")
    plain = baseline(loaded)

    print("Liaise briefing PDF benchmark")
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, {version}, "
        f"{os.cpu_count()} CPUs; throwaway database migrated in {migrated:.1f} s"
    )
    print(f"Filter: {pdf.export_filter()}")
    results = {}
    ours_s = median_s(lambda: results.__setitem__("ours", pdf.convert(ours)), args.runs)
    base_s = median_s(lambda: results.__setitem__("plain", pdf.convert(plain)), args.runs)
    ratio = ours_s / base_s
    print(f"{ITEMS} items, {ATTENDEES} attendees, median of {args.runs} after one warm-up:")
    print(
        f"  our briefing          {ours_s:7.2f} s  "
        f"({len(ours) / 1024:.0f} KiB .docx -> {len(results['ours']) / 1024:.0f} KiB PDF, "
        f"{pages(results['ours'])} pages)"
    )
    print(
        f"  python-docx baseline  {base_s:7.2f} s  "
        f"({len(plain) / 1024:.0f} KiB .docx -> {len(results['plain']) / 1024:.0f} KiB PDF, "
        f"{pages(results['plain'])} pages)"
    )
    print(f"  ratio                 {ratio:7.2f}")


if __name__ == "__main__":
    main()
