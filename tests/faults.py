"""Real processes for the fault tests: a Redis server and a mail server of the test's own, on
free ports, and django-q2 clusters run as production runs them (``manage.py qcluster`` with
the production settings, on the test database), which a test may kill with SIGKILL."""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from tests.subprocess_env import PYTHON, ROOT, child_env

REDIS_SERVER = shutil.which("redis-server")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout=90, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


def need_redis_server():
    if REDIS_SERVER:
        return
    message = "redis-server is not installed (apt-get install redis-server)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI must run the fault tests.")
    pytest.skip(message)


class RedisServer:
    """redis-server on a free port, in memory only; ``stop()`` and ``start()`` again on the
    same port, as an outage and its end."""

    def __init__(self):
        need_redis_server()
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self.answers, 20, "redis-server to start")
        return self

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


class Handler:
    """Keeps what the mail server accepted. ``refusing``: every recipient gets a temporary
    failure (451), as a mail server that is down for maintenance. ``hold_after``: once that
    many messages are in, the next one waits at RCPT (before any content) until
    ``release`` is set."""

    def __init__(self):
        self.messages = []
        self.refusing = False
        self.hold_after = None
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            return "451 4.3.0 Mail server busy, try again later"
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((tuple(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def received(self):
        """How many messages each recipient address got."""
        return Counter(address.lower() for tos, _ in self.messages for address in tos)


class MailServer:
    """aiosmtpd on a free port, in a thread of the test process; ``settings()`` points this
    process's e-mail at it."""

    def __init__(self):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.handler.release.set()
        self.controller.stop()

    def settings(self, **extra):
        from django.test import override_settings

        return override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=self.port,
            EMAIL_TIMEOUT=5,
            **extra,
        )


def redis_cache(url):
    """CACHES for the site's resilient Redis cache at ``url``, as production configures it."""
    return {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def database_url():
    """The test database, as a URL for a child process."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def production_env(mail_port, redis_url="", **extra):
    """The environment of a production process on the test database."""
    var = Path(tempfile.mkdtemp(prefix="liaise-fault-"))
    return child_env(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="fault-tests-" + "k" * 20 + "0123456789abcdefghijklmnop",
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mail_port),
        LIAISE_VAR_DIR=str(var),
        Q_WORKERS="2",
        **extra,
    )


class Cluster:
    """``manage.py qcluster`` in a session of its own, so that SIGKILL reaches every process
    of it at once, as an out-of-memory kill or a host failure would."""

    def __init__(self, env):
        self.env = env
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the child
            prefix="qcluster-", suffix=".log", delete=False
        )
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "qcluster"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self):
        return Path(self.log.name).read_text(errors="replace")


def run_in_production(env, code):
    """Run ``code`` in ``manage.py shell`` as a production web process would."""
    return subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
