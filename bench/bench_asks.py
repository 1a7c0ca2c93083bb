"""Benchmark the asks ledger with 50 asks (500 events) and with 5,000 asks (50,000 events).

    .venv/bin/python bench/bench_asks.py [--runs 20] [--budget 12]

Builds a throwaway SQLite database in a temporary folder (migrated from scratch, deleted at
the end), then asks and their events in bulk: three regulators listed publicly, eight topics,
half the asks public, events of every kind and visibility, some at meetings, ten per ask,
each ask's stored state set to what replaying its events gives. At each size it times GETs
of the admin ledger (plain and filtered), an ask's page, a regulator's page in the directory,
the public impact page (plain and by regulator) and a public regulator page, next to a
trivial view served the same way (same client, middleware and URL resolver), and counts the
SQL queries of each GET. The public page cache is off (PAGE_CACHE_SECONDS=0): what each
page costs to build. Admin pages are fetched as the Secretariat (who sees every row).

Times are medians after one warm-up GET; a slow page is timed fewer times (at least 5).
"""

import datetime
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from bench.harness import MIN_RUNS, count_queries, median_ms

SIZES = ((50, 500), (5000, 50000))
EVENTS_PER_ASK = 10


def pages(regulator, ask):
    return [
        ("admin ledger", "/admin/snippets/liaison/ask/"),
        ("admin ledger, open, FDA", f"/admin/snippets/liaison/ask/?state=open&regulators={regulator.pk}"),
        ("admin ledger, older than 1 y", "/admin/snippets/liaison/ask/?age=365"),
        ("admin ask page", f"/admin/snippets/liaison/ask/inspect/{ask.pk}/"),
        ("admin regulator page", f"/admin/snippets/liaison/regulator/inspect/{regulator.pk}/"),
        ("public /impact/", "/impact/"),
        ("public /impact/, one regulator", "/impact/?regulator=fda-cber-otp"),
        ("public regulator page", "/regulators/fda-cber-otp/"),
    ]  # fmt: skip


def add_asks(count, start, regulators, topics, meetings):
    """``count`` asks with EVENTS_PER_ASK events each, in bulk, state as replay gives it."""
    from liaison.asks import ledger
    from liaison.asks.models import Ask, AskEvent

    rng = random.Random(start)  # noqa: S311 (test data, not secrets)
    kinds = [
        ledger.K_ACKNOWLEDGED,
        ledger.K_ANSWERED,
        ledger.K_FOLLOW_UP,
        ledger.K_EVIDENCE,
        ledger.K_NOTE,
    ]
    seen = ["public", "public", "members", "confidential"]
    asks, scripts = [], []
    for n in range(start, start + count):
        day = datetime.date(2022, 1, 3) + datetime.timedelta(days=n % 1400)
        script = [(ledger.K_RAISED, ledger.RAISED, day)]
        status = ledger.RAISED
        for step in range(1, EVENTS_PER_ASK):
            day += datetime.timedelta(days=rng.randint(0, 30))
            kind = rng.choice(kinds)
            if step == EVENTS_PER_ASK - 1 and n % 4 == 0:
                kind = ledger.K_CLOSED
            try:
                outcome = rng.choice(ledger.STATUSES_CLOSING[:-1])
                target = ledger.moves_to(kind, status, outcome)
            except ledger.RefusedError:
                kind, target = ledger.K_NOTE, ""
            status = target or status
            script.append((kind, target, day))
        state = ledger.replay(ledger.Event(k, m, d) for k, m, d in script)
        asks.append(
            Ask(
                reference=f"BENCH-ASK-2026-{n:05d}",
                title=f"Bench ask {n}",
                desired_outcome=f"Outcome {n}",
                visibility="public" if n % 2 == 0 else rng.choice(["members", "confidential"]),
                status=state.status,
                raised_on=state.raised_on,
                answered_on=state.answered_on,
                closed_on=state.closed_on,
                last_event_on=state.last_event_on,
            )
        )
        scripts.append(script)
    asks = Ask.objects.bulk_create(asks, batch_size=500)
    Regulators = Ask.regulators.through
    Regulators.objects.bulk_create(
        [
            Regulators(ask_id=a.pk, regulator_id=regulators[i % len(regulators)].pk)
            for i, a in enumerate(asks)
        ],
        batch_size=1000,
    )
    Topics = Ask.topics.through
    Topics.objects.bulk_create(
        [Topics(ask_id=a.pk, topic_id=topics[i % len(topics)].pk) for i, a in enumerate(asks)],
        batch_size=1000,
    )
    AskEvent.objects.bulk_create(
        [
            AskEvent(
                ask_id=ask.pk,
                kind=kind,
                moves_to=target,
                occurred_on=day,
                text=f"Event {i} of {ask.reference}",
                visibility=seen[(ask.pk + i) % len(seen)],
                meeting_id=meetings[(ask.pk + i) % len(meetings)].pk
                if kind == ledger.K_RAISED
                else None,
                url="https://example.org/guidance" if kind == ledger.K_EVIDENCE else "",
            )
            for ask, script in zip(asks, scripts, strict=True)
            for i, (kind, target, day) in enumerate(script)
        ],
        batch_size=1000,
    )
    return asks


def measure(client, trivial_path, urls, runs, budget):
    trivial_ms, trivial_runs, _ = median_ms(client, trivial_path, runs, budget)
    rows = []
    for label, url, who in urls:
        ms, used, _ = median_ms(who, url, runs, budget)
        rows.append(
            {
                "label": label,
                "ms": ms,
                "runs": used,
                "ratio": ms / trivial_ms,
                "queries": count_queries(who, url),
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

    from advocacy.models import Topic
    from bench.trivial_urls import TRIVIAL_PATH
    from tests.factories import make_user
    from tests.liaison import bulk

    regulators = harness.make_regulators()
    for regulator in regulators:
        regulator.listed_publicly = True
        regulator.save()
    topics = [Topic.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(8)]
    delegate = make_user("Liaison delegates")
    secretariat = make_user("Secretariat")
    meetings = bulk.add_meetings(60, regulators, delegate)

    print("Liaise asks ledger benchmark")
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, SQLite {connection.Database.sqlite_version}, "
        f"{os.cpu_count()} CPUs; throwaway database migrated in {migrated:.1f} s"
    )
    print(
        f"Up to {args.runs} GETs per page (at least {MIN_RUNS}, about {args.budget:g} s at most)"
    )

    staff, public = Client(), Client()
    staff.force_login(secretariat)
    asks, results = [], {}
    with override_settings(ROOT_URLCONF="bench.trivial_urls", PAGE_CACHE_SECONDS=0):
        for n_asks, n_events in SIZES:
            step = time.perf_counter()
            asks += add_asks(n_asks - len(asks), len(asks), regulators, topics, meetings)
            print(
                f"\nBuilt {n_asks:,} asks and {n_events:,} events in bulk ({time.perf_counter() - step:.1f} s)"
            )
            urls = [
                (label, url, public if url.startswith(("/impact", "/regulators")) else staff)
                for label, url in pages(regulators[0], asks[0])
            ]
            trivial, rows = results[n_asks] = measure(
                staff, TRIVIAL_PATH, urls, args.runs, args.budget
            )
            print(f"  {'page':<32} {'runs':>4} {'median ms':>10} {'ratio':>8} {'queries':>8}")
            print(f"  {'trivial view':<32} {trivial['runs']:>4} {trivial['ms']:>10.2f} {1:>8.1f}")
            for row in rows:
                print(
                    f"  {row['label']:<32} {row['runs']:>4} {row['ms']:>10.2f}"
                    f" {row['ratio']:>8.1f} {row['queries']:>8}"
                )

    small, large = (results[size] for size, _ in SIZES)
    print(f"\nQueries per GET, {SIZES[0][0]:,} vs {SIZES[1][0]:,} asks")
    same = True
    for a, b in zip(small[1], large[1], strict=True):
        verdict = "same" if a["queries"] == b["queries"] else "GROWS"
        same = same and verdict == "same"
        print(f"  {a['label']:<32} {a['queries']:>6} {b['queries']:>6}   {verdict}")
    print(
        "\nQuery counts do not depend on the number of asks and events."
        if same
        else "\nSome query counts grow with the number of asks and events."
    )


if __name__ == "__main__":
    main()
