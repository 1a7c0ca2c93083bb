"""Settings for the test suite (pytest and browser tests)."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, Q_CLUSTER, VAR_DIR

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# A fast hash: the suite logs users in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run inline, so a test sees the result of the task it caused; the worker test
# (tests/test_worker.py) switches this off to go through the real broker.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Generated files never touch the disk of the machine running the tests.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the worker test forks a django-q2 cluster that must see the same
    # database, as a real worker would.
    # TEST_DB_NAME lets two test runs share a checkout without sharing a database.
    name = os.environ.get("TEST_DB_NAME", "test")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"{name}.sqlite3")}

WAGTAILADMIN_BASE_URL = BASE_URL = "http://testserver"

# Serve static files straight from the source folders; collectstatic is a production step.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Django's test Client.login() calls authenticate() without a request, which django-axes'
# backend refuses; this one lets such calls through (sign-ins through a view still count).
AUTHENTICATION_BACKENDS = [
    "cms.clients.RequestlessLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
