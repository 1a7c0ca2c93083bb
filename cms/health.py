"""/healthz: a JSON answer for load balancers about the database, the cache, the task broker
and the outbox.

- "ok" (200): everything answers.
- "degraded" (200): the site serves, something behind it does not: Redis (cache or broker)
  is down, so pages come from the database and mail waits in the outbox for the worker.
  Keep the host in rotation; alert on it.
- "unavailable" (503): the database cannot be reached; nothing works.
"""

import logging

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.utils import timezone
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


def check_cache():
    """Redis, when it is the cache; a local memory cache always answers."""
    from django.core.cache import cache

    if not hasattr(cache, "ping"):
        return {"ok": True, "type": "local"}
    if not cache.ping():
        return {"ok": False, "type": "redis", "error": "redis cache unreachable"}
    return {"ok": True, "type": "redis"}


def check_outbox():
    """How much mail waits in the outbox tables (cms.models.OutboxRow), and since when."""
    from django.apps import apps
    from django.db.models import Min

    from cms.models import OutboxRow

    waiting, oldest = 0, None
    for model in apps.get_models():
        if issubclass(model, OutboxRow):
            found = model.objects.filter(status=OutboxRow.Status.QUEUED).aggregate(
                count=Count("pk"), oldest=Min("queued_at")
            )
            waiting += found["count"]
            if found["oldest"] and (oldest is None or found["oldest"] < oldest):
                oldest = found["oldest"]
    waited = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    return {"ok": True, "queued": waiting, "oldest_seconds": waited}


@never_cache
@require_GET
def healthz(request):
    database = check_database()
    # The ORM broker lives in the database: no point asking it when the database is down.
    if database["ok"] or "redis" in settings.Q_CLUSTER:
        broker = check_broker()
    else:
        broker = {"ok": False, "type": "orm", "error": "database unreachable"}
    cache = check_cache()
    body = {"database": database, "cache": cache, "broker": broker}
    if not database["ok"]:
        return JsonResponse({"status": "unavailable", **body}, status=503)
    body["outbox"] = check_outbox()
    healthy = cache["ok"] and broker["ok"]
    return JsonResponse({"status": "ok" if healthy else "degraded", **body})
