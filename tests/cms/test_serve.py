"""`manage.py serve` runs the web server and the worker; a signal stops both."""

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from tests.subprocess_env import PYTHON, ROOT, child_env


def database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid):
    out = subprocess.run(["ps", "-eo", "pid,ppid"], capture_output=True, text=True, check=True)
    children = {}
    for line in out.stdout.splitlines()[1:]:
        child, parent = map(int, line.split())
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; it only waits for its parent to collect it.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"


def start_serve(port):
    env = child_env(DATABASE_URL=database_url(), PORT=str(port))
    if "redis" in settings.Q_CLUSTER:
        env["REDIS_URL"] = settings.Q_CLUSTER["redis"]
    return subprocess.Popen(
        [PYTHON, "manage.py", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for_health(port, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return r.status
        except OSError:
            time.sleep(0.3)
    raise AssertionError("serve did not answer /healthz in time")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_web_and_worker_with_nothing_left(django_db_setup, signum):
    port = free_port()
    process = start_serve(port)
    try:
        assert wait_for_health(port, process) == 200
        workers = descendants(process.pid)
        assert len(workers) >= 3, "the cluster's sentinel, workers and monitor run as children"

        # Ctrl-C in a terminal signals the whole process group.
        os.killpg(process.pid, signum) if signum == signal.SIGINT else process.send_signal(signum)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    assert process.returncode == 0, output
    assert "Liaise is running" in output
    assert "has stopped." in output
    assert [pid for pid in workers if alive(pid)] == []
