"""`manage.py check --deploy` on the production settings: no warnings at all, including the
checks of django-axes and django-csp, with the embedded SQLite set-up of the README."""

import secrets
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from tests.subprocess_env import manage


class DeployCheckTests(SimpleTestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.env = {
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50)[:50],
            "ALLOWED_HOSTS": "example.org",
            "DATABASE_URL": f"sqlite:///{Path(folder.name) / 'x.sqlite3'}",
            "LIAISE_VAR_DIR": folder.name,
        }

    def check_deploy(self, **env):
        return manage("check", "--deploy", "--fail-level", "WARNING", **{**self.env, **env})

    def assert_clean(self, result):
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertEqual(result.stdout.strip(), "System check identified no issues (0 silenced).")
        for word in ("WARNING", "ERROR", "?: (", "Traceback"):
            self.assertNotIn(word, output)

    def test_the_production_settings_pass_without_a_warning(self):
        self.assert_clean(self.check_deploy())

    def test_they_pass_behind_a_proxy_with_tuned_throttling(self):
        self.assert_clean(
            self.check_deploy(
                TRUSTED_PROXY_COUNT="1",
                LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT="3",
                LOGIN_FAILURES_PER_CLIENT="10",
                LOGIN_FAILURES_PER_ACCOUNT="30",
                LOGIN_LOCKOUT_MINUTES="30",
            )
        )

    def test_a_bad_proxy_count_stops_the_process_in_one_line(self):
        for value, message in [
            ("-1", "TRUSTED_PROXY_COUNT must be 0 or more."),
            ("one", "TRUSTED_PROXY_COUNT='one' is not a whole number."),
        ]:
            with self.subTest(value=value):
                result = manage("check", **{**self.env, "TRUSTED_PROXY_COUNT": value})
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(message, result.stderr)
                self.assertNotIn("Traceback", result.stderr)

    def test_a_zero_failure_limit_is_refused(self):
        result = manage("check", **{**self.env, "LOGIN_FAILURES_PER_CLIENT": "0"})
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("must be whole numbers of 1 or more", result.stderr)
