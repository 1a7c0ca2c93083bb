"""/healthz: "ok" when everything answers, "degraded" (still 200) when Redis or the broker
does not, "unavailable" (503) only when the database does not; and how much mail waits in
the outbox."""

import datetime
from unittest import mock

import time_machine
from django.conf import settings
from django.db.utils import OperationalError
from django.test import TestCase

from cms.models import OutboxRow, OutgoingMail
from liaison.models import InviteDelivery
from tests.liaison.factories import make_meeting, make_regulator

NOW = datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
Q = OutboxRow.Status
BROKER_DOWN = mock.patch("django_q.brokers.get_broker", side_effect=ConnectionError("refused"))


class HealthzTestCase(TestCase):
    def test_it_reports_database_cache_broker_and_outbox(self):
        response = self.client.get("/healthz")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertEqual(body["status"], "ok")
        self.assertTrue(body["database"]["ok"])
        self.assertTrue(body["cache"]["ok"])
        self.assertIn(body["cache"]["type"], ("local", "redis"))
        self.assertTrue(body["broker"]["ok"])
        self.assertIn(body["broker"]["type"], ("orm", "redis"))
        self.assertEqual(body["broker"]["queued"], 0)
        self.assertEqual(body["outbox"], {"ok": True, "queued": 0, "oldest_seconds": 0})

    def test_it_is_never_cached(self):
        response = self.client.get("/healthz")

        self.assertIn("no-cache", response["Cache-Control"])

    def test_it_answers_503_when_the_database_is_unreachable(self):
        with mock.patch(
            "cms.health.connection.cursor", side_effect=OperationalError("connection refused")
        ):
            response = self.client.get("/healthz")

        self.assertEqual(response.status_code, 503)
        body = response.json()
        self.assertEqual(body["status"], "unavailable")
        self.assertEqual(body["database"], {"ok": False, "error": "database unreachable"})
        # The ORM broker lives in the database; Redis is asked on its own.
        self.assertEqual(body["broker"]["ok"], "redis" in settings.Q_CLUSTER)
        self.assertIn("cache", body)
        self.assertNotIn("outbox", body)  # it lives in the database too

    def test_an_unreachable_broker_is_degraded_not_down(self):
        # The site serves, and mail waits in the outbox for the sweep: keep the host in
        # rotation (200), and say what is wrong.
        with BROKER_DOWN:
            response = self.client.get("/healthz")

        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["status"], "degraded")
        self.assertTrue(body["database"]["ok"])
        self.assertTrue(body["cache"]["ok"])
        broker = body["broker"]
        self.assertFalse(broker["ok"])
        self.assertEqual(broker["error"], f"{broker['type']} broker unreachable")
        self.assertNotIn("refused", response.content.decode())
        self.assertTrue(body["outbox"]["ok"])

    def test_an_unreachable_redis_cache_is_degraded_not_down(self):
        redis = mock.Mock(spec=["ping"])
        redis.ping.return_value = False

        with mock.patch("django.core.cache.cache", redis):
            response = self.client.get("/healthz")

        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["status"], "degraded")
        self.assertEqual(
            body["cache"], {"ok": False, "type": "redis", "error": "redis cache unreachable"}
        )
        self.assertTrue(body["broker"]["ok"])

    def test_it_counts_the_mail_waiting_in_the_outbox_and_since_when(self):
        meeting = make_meeting(make_regulator())
        OutgoingMail.objects.create(kind="reminder", queued_at=NOW - datetime.timedelta(minutes=5))
        OutgoingMail.objects.create(kind="reminder", status=Q.SENT, queued_at=NOW - DAY)
        OutgoingMail.objects.create(kind="reminder", status=Q.FAILED, queued_at=NOW - DAY)
        for email, status, age in [
            ("a@example.org", Q.QUEUED, datetime.timedelta(minutes=12)),
            ("b@example.org", Q.QUEUED, datetime.timedelta(minutes=1)),
            ("c@example.org", Q.SENT, DAY),
            ("d@example.org", Q.FAILED, DAY),
        ]:
            InviteDelivery.objects.create(
                meeting=meeting,
                recipient_email=email,
                sequence=meeting.sequence,
                method=InviteDelivery.Method.REQUEST,
                status=status,
                queued_at=NOW - age,
            )

        with time_machine.travel(NOW, tick=False):
            body = self.client.get("/healthz").json()

        # Both outboxes: the queued e-mail and the two queued invitations, the oldest of
        # them queued 12 minutes ago; what was sent or failed is not waiting.
        self.assertEqual(body["outbox"], {"ok": True, "queued": 3, "oldest_seconds": 720})
        self.assertEqual(body["status"], "ok")  # a queue is not an outage

    def test_it_does_not_leak_error_details(self):
        with mock.patch(
            "cms.health.connection.cursor",
            side_effect=OperationalError('password authentication failed for user "liaise"'),
        ):
            response = self.client.get("/healthz")

        self.assertNotIn(b"password", response.content)

    def test_it_only_answers_get(self):
        response = self.client.post("/healthz")

        self.assertEqual(response.status_code, 405)
