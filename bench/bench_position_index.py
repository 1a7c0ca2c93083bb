"""Benchmark the public position index with 20 and with 2,000 positions.

    .venv/bin/python bench/bench_position_index.py [--runs 30] [--budget 12]

Builds a throwaway SQLite database in a temporary folder (migrated from scratch, deleted at
the end), adds a position index with 20 positions, then 1,980 more, built in bulk by
tests/advocacy/bulk.py. At each size it times GETs of the index (first page, a filtered page
and two searches) through django.test.Client, next to a trivial view served the same way
(same client, middleware and URL resolver), and counts the SQL queries of each GET.

Times are the median of --runs GETs after one warm-up GET. A page slow enough that --runs
GETs would take longer than --budget seconds is timed fewer times (never fewer than 5); the
runs column says how many.
"""

import os
import platform
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from bench.harness import MIN_RUNS, count_queries, median_ms

SMALL, LARGE = 20, 2000


def listed(response):
    """(matching positions, positions listed on this page) as the page shows them."""
    content = response.content.decode()
    match = re.search(r'role="status">(\d+) positions?', content)
    assert match, "the index should say how many positions match"
    return int(match[1]), content.count('class="listing__item"')


def measure(client, pages, trivial_path, runs, budget):
    trivial_ms, trivial_runs, _ = median_ms(client, trivial_path, runs, budget)
    rows = []
    for label, url in pages:
        ms, used, response = median_ms(client, url, runs, budget)
        matching, shown = listed(response)
        assert shown == min(matching, 20), (url, matching, shown)
        rows.append(
            {
                "label": label,
                "url": url,
                "ms": ms,
                "runs": used,
                "ratio": ms / trivial_ms,
                "queries": count_queries(client, url),
                "matching": matching,
                "shown": shown,
            }
        )
    trivial = {
        "ms": trivial_ms,
        "runs": trivial_runs,
        "queries": count_queries(client, trivial_path),
    }
    return trivial, rows


def print_table(size, trivial, rows):
    print(f"\nWith {size:,} positions (median ms per GET; ratio = page / trivial view)")
    print(
        f"  {'page':<34} {'runs':>4} {'median ms':>10} {'ratio':>8} {'queries':>8} {'matches':>8}"
    )
    print(
        f"  {'trivial view (HttpResponse ok)':<34} {trivial['runs']:>4} {trivial['ms']:>10.2f}"
        f" {1:>8.1f} {trivial['queries']:>8} {'':>8}"
    )
    for row in rows:
        print(
            f"  {row['label']:<34} {row['runs']:>4} {row['ms']:>10.2f} {row['ratio']:>8.1f}"
            f" {row['queries']:>8} {row['matching']:>8}"
        )


def main():
    harness.main(__doc__, run, runs=30, budget=12)


def run(args, migrated):
    import django
    import wagtail
    from django.db import connection
    from django.test import Client, override_settings

    from advocacy.models import HomePage, PositionIndexPage, PositionPage
    from bench.trivial_urls import TRIVIAL_PATH
    from tests.advocacy import bulk

    home = HomePage.objects.get()
    index = home.add_child(instance=PositionIndexPage(title="Positions", slug="positions"))
    topics = bulk.make_topics()
    jurisdictions = bulk.make_jurisdictions()
    first = bulk.position_spec(0, len(topics), len(jurisdictions))
    assert first.status == PositionPage.Status.ADOPTED
    pages = [
        ("index, first page", "/positions/"),
        (
            "index, topic+status+year filter",
            f"/positions/?topic={topics[first.topic_indexes[0]].slug}"
            f"&status=adopted&year={first.adopted_on.year}",
        ),
        ("index, search (all match)", f"/positions/?q={bulk.SEARCH_WORD}"),
        ("index, search (a third match)", f"/positions/?q={bulk.RARE_SEARCH_WORD}"),
    ]

    print("Liaise position index benchmark")
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, SQLite {connection.Database.sqlite_version}, "
        f"{os.cpu_count()} CPUs; throwaway database migrated in {migrated:.1f} s"
    )
    print(
        f"Up to {args.runs} GETs per page (at least {MIN_RUNS}, about {args.budget:g} s at most)"
    )

    client = Client()
    results = {}
    built = 0
    with override_settings(ROOT_URLCONF="bench.trivial_urls"):
        for size in (SMALL, LARGE):
            step = time.perf_counter()
            bulk.add_positions(index, size - built, topics=topics, jurisdictions=jurisdictions)
            built = size
            print(f"\nBuilt {size:,} positions in bulk ({time.perf_counter() - step:.1f} s)")
            results[size] = measure(client, pages, TRIVIAL_PATH, args.runs, args.budget)
            print_table(size, *results[size])

    print(f"\nQueries per GET, {SMALL} vs {LARGE:,} positions")
    print(
        f"  {'page':<34} {SMALL:>8} {LARGE:>8}   {'ms ' + str(SMALL):>9} {'ms ' + str(LARGE):>9}"
    )
    same = True
    for small, large in zip(results[SMALL][1], results[LARGE][1], strict=True):
        verdict = "same" if small["queries"] == large["queries"] else "GROWS"
        same = same and verdict == "same"
        print(
            f"  {small['label']:<34} {small['queries']:>8} {large['queries']:>8}"
            f"   {small['ms']:>9.1f} {large['ms']:>9.1f}   {verdict}"
        )
    print(
        "\nQuery counts do not depend on the number of positions."
        if same
        else "\nSome query counts grow with the number of positions."
    )


if __name__ == "__main__":
    main()
