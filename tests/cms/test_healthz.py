from unittest import mock

from django.conf import settings
from django.db.utils import OperationalError
from django.test import TestCase


class HealthzTestCase(TestCase):
    def test_it_reports_database_and_broker(self):
        response = self.client.get("/healthz")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertEqual(body["status"], "ok")
        self.assertTrue(body["database"]["ok"])
        self.assertTrue(body["broker"]["ok"])
        self.assertIn(body["broker"]["type"], ("orm", "redis"))
        self.assertEqual(body["broker"]["queued"], 0)

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

    def test_it_answers_503_when_the_broker_is_unreachable(self):
        with mock.patch("django_q.brokers.get_broker", side_effect=ConnectionError("refused")):
            response = self.client.get("/healthz")

        self.assertEqual(response.status_code, 503)
        self.assertTrue(response.json()["database"]["ok"])
        self.assertFalse(response.json()["broker"]["ok"])

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
