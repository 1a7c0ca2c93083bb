"""Benchmark the liaison listings with 50 and with 5,000 meetings (200 and 20,000 actions).

    .venv/bin/python bench/bench_liaison_listings.py [--runs 20] [--budget 12]

Builds a throwaway SQLite database in a temporary folder (migrated from scratch, deleted at
the end), then meetings and actions in bulk with tests/liaison/bulk.py. At each size it
times GETs of the admin meeting listing, the action register (plain and overdue), the
dashboard and the public /meetings/ page through django.test.Client, next to a trivial view
served the same way (same client, middleware and URL resolver), and counts the SQL queries
of each GET. Admin pages are fetched as the Secretariat (who sees every row).

Times are medians after one warm-up GET; a slow page is timed fewer times (at least 5).
"""

import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from bench.harness import MIN_RUNS, count_queries, median_ms

SIZES = ((50, 200), (5000, 20000))
PAGES = [
    ("admin meeting listing", "/admin/snippets/liaison/meeting/"),
    ("admin meetings, filtered", "/admin/snippets/liaison/meeting/?visibility=public"),
    ("action register", "/admin/actions/"),
    ("action register, overdue", "/admin/actions/?overdue=true"),
    ("admin dashboard", "/admin/"),
    ("public /meetings/", "/meetings/"),
]


def measure(client, trivial_path, runs, budget):
    trivial_ms, trivial_runs, _ = median_ms(client, trivial_path, runs, budget)
    rows = []
    for label, url in PAGES:
        ms, used, _ = median_ms(client, url, runs, budget)
        rows.append(
            {
                "label": label,
                "ms": ms,
                "runs": used,
                "ratio": ms / trivial_ms,
                "queries": count_queries(client, url),
            }
        )
    return {"ms": trivial_ms, "runs": trivial_runs}, rows


def main():
    harness.main(__doc__, run, runs=20, budget=12)


def run(args, migrated):
    import django
    import wagtail
    from django.db import connection
    from django.test import Client, override_settings

    from bench.trivial_urls import TRIVIAL_PATH
    from tests.factories import make_user
    from tests.liaison import bulk

    regulators = harness.make_regulators()
    delegate = make_user("Liaison delegates")
    secretariat = make_user("Secretariat")

    print("Liaise liaison listings benchmark")
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, SQLite {connection.Database.sqlite_version}, "
        f"{os.cpu_count()} CPUs; throwaway database migrated in {migrated:.1f} s"
    )
    print(
        f"Up to {args.runs} GETs per page (at least {MIN_RUNS}, about {args.budget:g} s at most)"
    )

    client = Client()
    client.force_login(secretariat)
    meetings, actions = [], 0
    results = {}
    with override_settings(ROOT_URLCONF="bench.trivial_urls"):
        for n_meetings, n_actions in SIZES:
            step = time.perf_counter()
            meetings += bulk.add_meetings(
                n_meetings - len(meetings), regulators, delegate, start=len(meetings)
            )
            bulk.add_actions(n_actions - actions, meetings, delegate)
            actions = n_actions
            print(
                f"\nBuilt {n_meetings:,} meetings and {n_actions:,} actions in bulk "
                f"({time.perf_counter() - step:.1f} s)"
            )
            trivial, rows = results[n_meetings] = measure(
                client, TRIVIAL_PATH, args.runs, args.budget
            )
            print(f"  {'page':<28} {'runs':>4} {'median ms':>10} {'ratio':>8} {'queries':>8}")
            print(f"  {'trivial view':<28} {trivial['runs']:>4} {trivial['ms']:>10.2f} {1:>8.1f}")
            for row in rows:
                print(
                    f"  {row['label']:<28} {row['runs']:>4} {row['ms']:>10.2f}"
                    f" {row['ratio']:>8.1f} {row['queries']:>8}"
                )

    small, large = (results[size] for size, _ in SIZES)
    print(f"\nQueries per GET, {SIZES[0][0]:,} vs {SIZES[1][0]:,} meetings")
    same = True
    for a, b in zip(small[1], large[1], strict=True):
        verdict = "same" if a["queries"] == b["queries"] else "GROWS"
        same = same and verdict == "same"
        print(f"  {a['label']:<28} {a['queries']:>6} {b['queries']:>6}   {verdict}")
    print(
        "\nQuery counts do not depend on the number of rows."
        if same
        else "\nSome query counts grow with the number of rows."
    )


if __name__ == "__main__":
    main()
