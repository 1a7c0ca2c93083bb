"""How long a newcomer's first `make run` takes: from a fresh clone to the first 200 on `/`.

    .venv/bin/python bench/bench_first_run.py            # warm: uv's and pip's usual caches
    .venv/bin/python bench/bench_first_run.py --cold     # empty caches: every package downloaded
    .venv/bin/python bench/bench_first_run.py --uncommitted   # the working tree as it stands

Clones this repository into a temporary folder (``--uncommitted`` then copies the working
tree's changes and new files over it), runs ``make run`` there with PORT on a free port and
times it until ``/`` answers 200, with the time each step started (read off what
``make run`` prints). ``--cold`` gives uv and pip empty caches of their own (UV_CACHE_DIR,
PIP_CACHE_DIR) in the temporary folder. At the end the whole process group of ``make run`` is
stopped and the folder removed (``--keep`` keeps it). Any Python works to run it.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Variables of the calling shell that would point the clone at another project's settings,
# database or virtual environment.
DROPPED = [
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "LIAISE_VAR_DIR",
    "MEDIA_ROOT",
    "PRIVATE_ROOT",
    "DEV_MAILBOX_DIR",
    "BASE_URL",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
]
# Lines of `make run`'s output that start a step, in the order they come.
STEPS = [
    ("Creating .venv", "create the virtual environment"),
    ("Installing uv", "install uv"),
    ("Installing the packages", "install the lock's packages"),
    ("Migrating the database", "migrate"),
    ("Demo data is in place", "demo data loaded"),
    ("Press Ctrl-C to stop.", "banner printed"),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clone(target, uncommitted):
    """A fresh clone of this repository in ``target``; with ``uncommitted``, the working
    tree's changes (tracked and new files) on top."""
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    if not uncommitted:
        return
    diff = subprocess.run(
        ["git", "diff", "--binary", "HEAD"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    if diff:
        subprocess.run(["git", "apply", "--whitespace=nowarn"], cwd=target, input=diff, check=True)
    new = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, new):
        source, dest = ROOT / os.fsdecode(name), target / os.fsdecode(name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)


def environment(port, work, cold):
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env["PORT"] = str(port)
    if cold:
        env["UV_CACHE_DIR"] = str(work / "uv-cache")
        env["PIP_CACHE_DIR"] = str(work / "pip-cache")
    return env


def first_200(url, process, deadline):
    """Poll ``url`` until it answers 200; the moment it did (time.monotonic)."""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"make run exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic()
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer 200 in time")


def stop(process):
    """Stop ``make run`` and everything it started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def after_banner(lines, until):
    """What ``make run`` printed after its banner and before it was stopped, requests aside
    (every line if there was no banner)."""
    ends = [i for i, (_t, line) in enumerate(lines) if line == "Press Ctrl-C to stop."]
    later = lines[ends[0] + 1 :] if ends else lines
    return [
        line for t, line in later if t < until and line.strip() and "django.server" not in line
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="empty uv and pip caches")
    parser.add_argument(
        "--uncommitted", action="store_true", help="overlay the working tree's changes"
    )
    parser.add_argument("--keep", action="store_true", help="keep the clone and its output")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait at most")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="liaise-first-run-"))
    checkout = work / "liaise"
    clone(checkout, args.uncommitted)
    port = free_port()
    lines = []  # (seconds since start, line)

    start = time.monotonic()
    process = subprocess.Popen(
        ["make", "run"],
        cwd=checkout,
        env=environment(port, work, args.cold),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )

    def read():
        for line in process.stdout:
            lines.append((time.monotonic() - start, line.rstrip("\n")))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        answered = first_200(f"http://127.0.0.1:{port}/", process, start + args.timeout)
    except (RuntimeError, TimeoutError) as error:
        stop(process)
        reader.join(timeout=5)
        print("\n".join(line for _t, line in lines[-40:]), file=sys.stderr)
        print(f"First run failed: {error}", file=sys.stderr)
        return 1
    finally:
        stopping = time.monotonic() - start
        stop(process)
        reader.join(timeout=10)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    mode = "cold (empty uv and pip caches)" if args.cold else "warm (usual caches)"
    print(f"First run, {mode}{', working tree' if args.uncommitted else ''}:")
    for marker, label in STEPS:
        when = next((t for t, line in lines if marker in line), None)
        if when is not None:
            print(f"  {when:6.1f} s  {label}")
    print(f"  {answered - start:6.1f} s  first 200 on /")
    print(
        f"  lines printed after the banner, other than requests: {len(after_banner(lines, stopping))}"
    )
    if args.keep:
        log = work / "make-run.log"
        log.write_text("".join(f"{t:7.2f} {line}\n" for t, line in lines))
        print(f"  kept in {work}, with what make run printed in {log}")
    print(f"{answered - start:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
