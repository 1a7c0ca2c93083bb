"""Turn configuration mistakes into one readable line instead of a traceback wall."""

import sys

from django.core.exceptions import ImproperlyConfigured


def describe_database():
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite file {db['NAME']}"
    host = db.get("HOST") or "local socket"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"database {db.get('NAME')!r} on {host}{port}"


def database_is_reachable():
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.close()
        connection.ensure_connection()
    except OperationalError:
        return False
    return True


def run_management_command(argv):
    """Run a manage.py command; return the process exit status."""
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        print(f"Liaise cannot start: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    except OperationalError as exc:
        if database_is_reachable():
            raise
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(  # noqa: T201
            f"Liaise cannot reach the {describe_database()}: {reason}",
            file=sys.stderr,
        )
        return 2
    return 0
