"""A real django-q2 cluster takes a task from the configured broker (the database, or Redis
when REDIS_URL is set) and stores its result."""

import signal

import pytest
from django.conf import settings
from django.db import connections
from django_q.cluster import Cluster
from django_q.conf import Conf
from django_q.tasks import async_task, result


@pytest.fixture
def real_broker(monkeypatch):
    # The test settings run tasks inline; this test must go through the broker.
    monkeypatch.setattr(Conf, "SYNC", False)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in handlers.items():
        signal.signal(signum, handler)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_queued_task_is_run_by_the_cluster(real_broker):
    # Forked workers must not share this process's open database socket.
    connections.close_all()
    cluster = Cluster()
    cluster.start()
    try:
        task_id = async_task("math.pow", 2, 10)
        value = result(task_id, wait=30_000)
    finally:
        cluster.stop()

    assert value == 1024.0
    assert ("redis" in settings.Q_CLUSTER) == bool(settings.REDIS_URL)
