import logging
import os
import signal
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.management.commands.runserver import Command as RunserverCommand
from django.db import connections

from cms import mailbox
from cms.demo import DEMO_USERS


@contextmanager
def quiet():
    """Only warnings and errors are logged while the block runs."""
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


class Runserver(RunserverCommand):
    """Django's runserver, printing ``welcome(port)`` in place of its own start-up lines, once
    it listens: the banner is the last thing printed before the first request."""

    def __init__(self, welcome, **kwargs):
        super().__init__(**kwargs)
        self.welcome = welcome

    def on_bind(self, server_port):
        self.welcome(server_port)


class Command(BaseCommand):
    help = (
        "Run the web server and the django-q2 worker cluster together, for development and "
        "the embedded single-machine setup. Ctrl-C or SIGTERM stops both."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT", "8000")),
            help="Port on 127.0.0.1 (default: $PORT or 8000).",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="Apply database migrations first (in this process: one start-up, not two).",
        )
        parser.add_argument(
            "--demo", action="store_true", help="Load the demo data first (see seed_demo)."
        )

    def handle(self, *args, port, host, migrate, demo, **options):
        from django_q.cluster import Cluster

        if migrate:
            self.stdout.write("Migrating the database…")
            call_command("migrate", interactive=False, verbosity=0)
        if demo:
            # Wagtail logs each page it creates and publishes: dozens of lines that would
            # only push the banner up.
            with quiet():
                call_command("seed_demo", stdout=self.stdout)

        # django-q2's own signal handler stops the cluster from inside the handler, which
        # can hang if the signal lands while a lock is held (django-q2 #346). Turn both
        # signals into an exception instead, and stop the cluster from normal code below.
        cluster = Cluster()

        def interrupt(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)

        # The worker's processes inherit this level: their start-up lines and a line per task
        # would bury the banner. Warnings and errors still show; -v 2 (or LOG_LEVEL=DEBUG)
        # shows everything.
        worker_log = logging.getLogger("django-q")
        level = worker_log.level
        if options["verbosity"] < 2 and worker_log.getEffectiveLevel() == logging.INFO:
            worker_log.setLevel(logging.WARNING)

        # The cluster forks; a child closing an inherited PostgreSQL socket would close it
        # for this process too.
        connections.close_all()
        cluster.start()
        try:
            # The autoreloader would fork a second process and a second cluster.
            call_command(
                Runserver(lambda bound: self.print_welcome(host, bound)),
                f"{host}:{port}",
                use_reloader=False,
                skip_checks=True,
            )
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            worker_log.setLevel(level)
            self.stdout.write("Stopping the web server and the worker…")
            cluster.stop()
            self.stdout.write(self.style.SUCCESS("Stopped."))

    def print_welcome(self, host, port):
        base = f"http://{host}:{port}"
        lines = [
            "",
            "Liaise is running (web server and background worker).",
            f"  Public site:   {base}/",
            f"  Admin:         {base}/admin/",
            f"  Health check:  {base}/healthz",
        ]
        if mailbox.enabled():
            lines.append(f"  Mailbox:       {base}/dev/mailbox/  (mail sent in development)")
        if settings.DEBUG:
            lines.append("Demo logins (development only):")
            for username, password, group, _name, _superuser in DEMO_USERS:
                lines.append(f"  {username:<12} {password:<20} {group or 'Administrator'}")
        lines += ["Press Ctrl-C to stop.", ""]
        self.stdout.write("\n".join(lines))
