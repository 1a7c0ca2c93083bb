"""/healthz: a JSON answer for load balancers about the database and the task broker."""

import logging

from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Health check: database unreachable: %s", exc)
        return {"ok": False, "error": "database unreachable"}
    return {"ok": True, "vendor": connection.vendor}


def check_broker():
    """Ask the django-q2 broker how many tasks wait; any failure means it is unreachable."""
    from django_q.brokers import get_broker

    kind = "redis" if "redis" in settings.Q_CLUSTER else "orm"
    try:
        broker = get_broker()
        queued = broker.queue_size()
    except Exception as exc:  # noqa: BLE001 - each broker raises its own client's errors
        logger.warning("Health check: %s broker unreachable: %s", kind, exc)
        return {"ok": False, "type": kind, "error": f"{kind} broker unreachable"}
    return {"ok": True, "type": kind, "queued": queued}


@never_cache
@require_GET
def healthz(request):
    database = check_database()
    # The ORM broker lives in the database: no point asking it when the database is down.
    if database["ok"] or "redis" in settings.Q_CLUSTER:
        broker = check_broker()
    else:
        broker = {"ok": False, "type": "orm", "error": "database unreachable"}
    healthy = database["ok"] and broker["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
