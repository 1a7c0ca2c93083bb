"""Public pages under load: gunicorn with 3 workers, production settings, PostgreSQL + Redis.

    .venv/bin/python bench/bench_public_load.py [--seconds 20] [--connections 50] [--uncached]

Makes a throwaway PostgreSQL database (dropped at the end) on DATABASE_ADMIN_URL
(default postgres://postgres@127.0.0.1:5432/postgres), migrates it, loads the demo data,
collects the static files into a temporary folder and starts gunicorn (3 sync workers) with
production settings and the cache on Redis (REDIS_URL, default redis://127.0.0.1:6379/14,
flushed first). Then, in one run, ``wrk`` (apt-get install wrk) hammers each address with
``--connections`` connections for ``--seconds`` seconds: /healthz first, the floor, then the
home page, /positions/, a position, /meetings/, a public meeting page and the public calendar.

Prints requests per second, the ratio to the floor's (target: at least 0.5) and the 99th
percentile latency (target: under 1 s). ``--uncached`` turns the public page cache off
(PAGE_CACHE_SECONDS=0): what each page costs to build, for comparison.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seconds(text):
    """wrk's "12.34ms" / "1.02s" / "850.00us" as seconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def hammer(url, connections, duration):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = seconds(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99, int(errors.group(1)) if errors else 0


def wait_for(url, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer within {timeout} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--uncached", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench_public_load needs wrk (apt-get install wrk).")

    import psycopg

    admin_url = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"liaise_bench_{os.getpid()}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="liaise-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "DATABASE_URL": admin_url.rsplit("/", 1)[0] + f"/{name}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BASE_URL": base,
        "SECURE_SSL_REDIRECT": "false",
        "LIAISE_VAR_DIR": str(folder),
        "PAGE_CACHE_SECONDS": "0" if args.uncached else "300",
        "LOG_LEVEL": "WARNING",
    }
    with psycopg.connect(admin_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    server = None
    try:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import redis,os; redis.from_url(os.environ['REDIS_URL']).flushdb()",
            ],
            env=env,
            check=True,
        )
        for command in (
            ["migrate", "--noinput"],
            ["seed_demo", "--no-users"],
            ["collectstatic", "--noinput"],
        ):
            subprocess.run(
                [PYTHON, "manage.py", *command, "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        paths = subprocess.run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                "from advocacy.models import PositionPage; from liaison.models import Meeting;"
                "p = PositionPage.objects.live().public().first();"
                "m = Meeting.objects.public().order_by('starts_at').last();"
                "print(p.url); print(f'/meetings/{m.uuid}/')",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-2:]
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "cms.wsgi",
                "--workers",
                "3",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        wait_for(f"{base}/healthz")
        urls = [
            "/healthz",
            "/",
            "/positions/",
            paths[0],
            "/meetings/",
            paths[1],
            "/calendar/public.ics",
        ]
        print("Liaise public pages under load")
        print(
            f"gunicorn 3 sync workers, production settings, PostgreSQL + Redis, "
            f"{args.connections} connections x {args.seconds} s each, {os.cpu_count()} CPUs; "
            f"page cache {'OFF' if args.uncached else 'on'}"
        )
        print(f"{'address':<58} {'req/s':>8} {'x floor':>8} {'p99':>9}  errors")
        floor = None
        for path in urls:
            for _ in range(3):  # warm up: fill the cache, import everything
                urllib.request.urlopen(base + path, timeout=10).read()
            rate, p99, errors = hammer(base + path, args.connections, args.seconds)
            floor = floor or rate
            ratio = rate / floor
            verdict = "OK" if (ratio >= 0.5 and p99 < 1.0) or path == "/healthz" else "SLOW"
            print(
                f"{path[:58]:<58} {rate:8.0f} {ratio:8.2f} {p99 * 1000:7.0f}ms  {errors}  {verdict}"
            )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        with psycopg.connect(admin_url, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
