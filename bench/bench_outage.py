"""What a Redis outage costs a visitor: public pages with Redis up, then stopped.

    .venv/bin/python bench/bench_outage.py [--runs 30]

Builds a throwaway SQLite database (migrated from scratch, deleted at the end) with the demo
data (``seed_demo``), starts a redis-server of its own on a free port and serves, through
django.test.Client in one process, the home page, /positions/, /meetings/, the public
calendar and a subscribe POST (its rate limits count in Redis, or in the database when Redis
is down), with the site's cache (``cms.cache.ResilientRedisCache``) on that Redis:

(a) Redis up (the baseline), and
(b) Redis stopped, every answer still a 200 (a 302 for the POST);

and prints down/up per page (target: at most 1.5: an outage must not slow the site down, let
alone take it down). Times are medians after one warm-up request.
"""

import platform
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

PAGES = ["/", "/positions/", "/meetings/", "/calendar/public.ics"]


def run(args, migrated):
    from django.core.management import call_command
    from django.test import Client, override_settings

    from tests.faults import RedisServer, redis_cache

    if not shutil.which("redis-server"):
        sys.exit("bench_outage needs redis-server (apt-get install redis-server).")
    call_command("seed_demo", "--no-users", verbosity=0)
    redis = RedisServer().start()
    n = [0]

    def subscribe(client):
        n[0] += 1
        data = {"name": "Bench", "email": f"bench{n[0]}@example.org", "scope": "all"}
        # A fresh client address each time, so that the limits count but never trip.
        return client.post(
            "/calendar/subscribe/", data, REMOTE_ADDR=f"10.1.{n[0] // 250}.{n[0] % 250}"
        )

    def timings(client, expect):
        rows = {}
        for url in PAGES:
            ms, _runs, response = harness.median_ms(client, url, args.runs, budget=30)
            assert response.status_code == expect[url], (url, response.status_code)
            rows[url] = ms
        ms, _ = harness.median(lambda: subscribe(client), args.runs)
        assert subscribe(client).status_code == 302
        rows["POST /calendar/subscribe/"] = ms * 1000
        return rows

    try:
        with override_settings(CACHES=redis_cache(redis.url)):
            client = Client()
            up = timings(client, dict.fromkeys(PAGES, 200))
            redis.stop()
            down = timings(client, dict.fromkeys(PAGES, 200))
    finally:
        redis.stop()

    print(f"Python {platform.python_version()}, {platform.machine()}; migrate {migrated:.1f} s")
    print(f"{'page':32} {'Redis up':>10} {'Redis down':>11} {'down/up':>8}")
    worst = 0
    for page, up_ms in up.items():
        ratio = down[page] / up_ms
        worst = max(worst, ratio)
        print(f"{page:32} {up_ms:8.1f} ms {down[page]:8.1f} ms {ratio:8.2f}")
    print(f"Worst down/up: {worst:.2f} (target at most 1.5)")


if __name__ == "__main__":
    harness.main(__doc__, run, runs=30)
