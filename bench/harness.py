"""What every benchmark here shares: a throwaway database, medians and query counts.

Each benchmark's ``main()`` is ``harness.main(__doc__, run, runs=..., budget=...)``: it parses
``--runs`` (and ``--budget`` when given a default), points Django at a fresh SQLite file in a
temporary folder whatever the environment says, migrates it, calls ``run(args, migrated)``
(``migrated``: seconds the migration took) and deletes the folder at the end.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIN_RUNS = 5

# The regulators the liaison benchmarks spread their meetings over.
REGULATORS = (
    ("FDA CBER OTP", "us", "America/New_York"),
    ("Health Canada BRDD", "ca", "America/Toronto"),
    ("PMDA", "jp", "Asia/Tokyo"),
)


def configure(tmp):
    """Point Django at a fresh SQLite file in `tmp`, whatever the environment says."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    os.environ["LIAISE_VAR_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()


def main(doc, run, *, runs, budget=None):
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=runs, help=f"timed runs (default {runs})")
    if budget is not None:
        parser.add_argument(
            "--budget", type=float, default=budget, help=f"seconds at most per row ({budget:g})"
        )
    args = parser.parse_args()
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="liaise-bench-"))
    try:
        configure(tmp)
        from django.core.management import call_command

        step = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        run(args, time.perf_counter() - step)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"Total {time.perf_counter() - started:.0f} s")


def median(function, runs, budget=None):
    """(median seconds of ``function()`` after one warm-up call, calls timed). With a
    ``budget`` in seconds a slow function is timed fewer times, never under MIN_RUNS."""
    function()
    samples = []
    while len(samples) < runs:
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
        if budget is not None and len(samples) >= MIN_RUNS and sum(samples) + samples[-1] > budget:
            break
    return statistics.median(samples), len(samples)


def median_ms(client, url, runs, budget):
    """Median milliseconds of GET `url`, after one warm-up GET; returns (ms, runs, response)."""
    last = {}

    def get():
        last["response"] = response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    seconds, used = median(get, runs, budget)
    return seconds * 1000, used, last["response"]


def count_queries(client, url):
    """Queries of one GET of `url`; call it after a warm-up GET of the same URL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def make_regulators():
    from liaison.models import Regulator
    from tests.factories import jurisdiction

    return [
        Regulator.objects.create(
            name=name, acronym=name, jurisdiction=jurisdiction(code), time_zone=zone
        )
        for name, code, zone in REGULATORS
    ]
