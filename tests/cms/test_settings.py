import secrets
import tempfile

from django.conf import settings
from django.test import SimpleTestCase

from tests.subprocess_env import manage

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "liaise.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
}


def without(name):
    return {k: v for k, v in PRODUCTION.items() if k != name}


class ProductionSettingsTestCase(SimpleTestCase):
    def test_it_passes_check_deploy_with_the_four_variables(self):
        result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("System check identified no issues (0 silenced).", result.stdout)

    def test_it_refuses_to_start_without_a_secret_key(self):
        result = manage("check", **without("SECRET_KEY"))

        self.assertEqual(result.returncode, 2)
        self.assertEqual(
            result.stderr.strip(),
            "Liaise cannot start: The environment variable SECRET_KEY is required but not set.",
        )

    def test_it_refuses_a_short_secret_key(self):
        result = manage("check", **{**PRODUCTION, "SECRET_KEY": "short"})

        self.assertEqual(result.returncode, 2)
        self.assertIn("SECRET_KEY is too short", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_it_refuses_to_start_without_allowed_hosts(self):
        result = manage("check", **without("ALLOWED_HOSTS"))

        self.assertEqual(result.returncode, 2)
        self.assertIn("ALLOWED_HOSTS is required", result.stderr)

    def test_it_refuses_to_start_without_a_database_url(self):
        result = manage("check", **without("DATABASE_URL"))

        self.assertEqual(result.returncode, 2)
        self.assertIn("DATABASE_URL is required", result.stderr)

    def test_it_reports_an_unreachable_database_in_one_line(self):
        result = manage(
            "migrate", **{**PRODUCTION, "DATABASE_URL": "postgres://postgres@127.0.0.1:9/liaise"}
        )

        self.assertEqual(result.returncode, 2)
        [line] = result.stderr.strip().splitlines()
        self.assertTrue(
            line.startswith("Liaise cannot reach the database 'liaise' on 127.0.0.1:9")
        )

    def test_it_reports_a_malformed_boolean_in_one_line(self):
        result = manage("check", **{**PRODUCTION, "SECURE_SSL_REDIRECT": "maybe"})

        self.assertEqual(result.returncode, 2)
        self.assertEqual(
            result.stderr.strip(),
            "Liaise cannot start: SECURE_SSL_REDIRECT='maybe' is not a boolean; use true or false.",
        )

    def test_it_uses_the_redis_broker_when_redis_url_is_set(self):
        result = manage(
            "shell",
            "-c",
            "from django.conf import settings; print(sorted(settings.Q_CLUSTER))",
            **PRODUCTION,
        )

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("'redis'", result.stdout)
        self.assertNotIn("'orm'", result.stdout)


class SharedSettingsTestCase(SimpleTestCase):
    def test_task_retries_are_bounded_and_outlast_the_timeout(self):
        self.assertGreater(settings.Q_CLUSTER["max_attempts"], 0)
        self.assertGreater(settings.Q_CLUSTER["retry"], settings.Q_CLUSTER["timeout"])

    def test_wagtail_tasks_run_inline_on_purpose(self):
        self.assertEqual(
            settings.TASKS["default"]["BACKEND"],
            "django_tasks.backends.immediate.ImmediateBackend",
        )

    def test_sqlite_is_tuned_for_a_web_process_and_a_worker(self):
        result = manage(
            "shell",
            "-c",
            "from django.db import connection; c = connection.cursor(); "
            "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
            "c.execute('PRAGMA busy_timeout').fetchone()[0], "
            "connection.transaction_mode)",
            DATABASE_URL="sqlite:///var/settings-test.sqlite3",
        )

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split()[-3:], ["wal", "20000", "IMMEDIATE"])


class ProductionStaticFilesTestCase(SimpleTestCase):
    def test_whitenoise_serves_collected_files_with_long_cache(self):
        with tempfile.TemporaryDirectory() as var_dir:
            env = {**PRODUCTION, "LIAISE_VAR_DIR": var_dir}
            collected = manage("collectstatic", "--noinput", "-v", "0", **env)
            self.assertEqual(collected.returncode, 0, collected.stderr)

            result = manage(
                "shell",
                "-c",
                "from django.templatetags.static import static; from django.test import Client; "
                "url = static('css/site.css'); "
                "r = Client().get(url, secure=True, HTTP_HOST='liaise.example.org'); "
                "print(url, r.status_code, r['Cache-Control'], r['Content-Type'], sep='|')",
                **env,
            )

        self.assertEqual(result.returncode, 0, result.stderr)
        url, status, cache_control, content_type = (
            result.stdout.strip().splitlines()[-1].split("|")
        )
        self.assertRegex(url, r"^/static/css/site\.[0-9a-f]{12}\.css$")
        self.assertEqual(status, "200")
        self.assertIn("max-age=315360000", cache_control)
        self.assertTrue(content_type.startswith("text/css"))
