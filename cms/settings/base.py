"""Settings shared by every environment. Values that differ per deployment come from the
environment; dev.py, test.py and production.py only say what is different about them."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("LIAISE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default):
    value = os.environ.get(name, "")
    if value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use true or false.")


def env_int(name, default):
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name, default=()):
    value = os.environ.get(name, "")
    if value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_required(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required but not set.")
    return value


INSTALLED_APPS = [
    "advocacy",
    "liaison",
    "cms",
    "wagtail.api.v2",
    "rest_framework",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_q",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite is the embedded default. A web process and a django-q2 worker write to it at once,
# which fails with "database is locked" unless writers queue up: WAL lets readers carry on
# during a write, IMMEDIATE takes the write lock at BEGIN (so a transaction never has to be
# upgraded and deadlock), and the busy timeout makes a writer wait instead of failing.
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def database_from_env(default_url):
    url = os.environ.get("DATABASE_URL", "").strip() or default_url
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        # Persistent connections buy nothing on SQLite and keep files open across threads.
        config["CONN_MAX_AGE"] = 0
        if config["NAME"] and config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    return config


DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'liaise.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail's database search backend uses PostgreSQL full-text search when this is present.
    INSTALLED_APPS.append("django.contrib.postgres")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background work --------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()

if REDIS_URL:
    # Redis is a cache, never the only copy: when it is down pages are built from the
    # database (cms.cache), so the timeouts are short.
    CACHES = {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "liaise",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-q2 runs our own background work (invites, briefings, reminders, schedules).
# Without REDIS_URL the queue lives in the default database (delivery receipts, enqueues
# commit or roll back with the caller's transaction). With REDIS_URL the queue is in Redis,
# which has no receipts, so every enqueue happens on commit and every task is idempotent.
Q_CLUSTER = {
    "name": "liaise",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 300,
    # A task not acknowledged within `retry` seconds is handed out again; it must be longer
    # than `timeout`, or a slow task would run twice at once.
    "retry": 420,
    "max_attempts": 3,
    "ack_failures": False,
    "save_limit": 500,
    "catch_up": False,
    "recycle": 200,
    "max_rss": 300_000,
    "queue_limit": 20,
    "poll": 0.5,
    "label": "Background tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    # The same alias as the site: a separate alias breaks the scheduler (django-q2 #293).
    Q_CLUSTER["orm"] = "default"

# The outbox (cms.outbox): a worker that takes a message holds it this long before another
# may try it (longer than an SMTP timeout); a message that cannot be sent is retried for
# this many hours after it was queued, then marked failed.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
OUTBOX_RETRY_HOURS = env_int("OUTBOX_RETRY_HOURS", 24)

# Wagtail's own background tasks (search index and reference index updates, file deletion)
# run inline with the request that caused them: they take milliseconds at this scale, and a
# second kind of worker would be one more thing to deploy and watch.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Generated briefings live outside MEDIA_ROOT and have no URL: every download goes through a
# permission-checked view. Every web and worker host must see the same PRIVATE_ROOT.
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The worker converts briefings to PDF with LibreOffice (liaison.briefings.pdf): the program
# (soffice or libreoffice on PATH by default) and how long one conversion may take.
LIBREOFFICE_BINARY = os.environ.get("LIBREOFFICE_BINARY", "")
BRIEFING_PDF_TIMEOUT = env_int("BRIEFING_PDF_TIMEOUT", 180)

# --- Site and e-mail ----------------------------------------------------------------------------
# The society's name until it is set in Settings ▸ Society (cms.society).
SITE_NAME = os.environ.get("SITE_NAME", "Your society")
WAGTAIL_SITE_NAME = SITE_NAME
BASE_URL = os.environ.get("BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}").rstrip(
    "/"
)
WAGTAILADMIN_BASE_URL = BASE_URL
if urlsplit(BASE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(f"BASE_URL={BASE_URL!r} must start with http:// or https://.")

# An address without a display name ("noreply@example.org") sends under the society's name
# from Settings ▸ Society ("Jane Doe via SCGTP" for invitations); one with a display name
# ("Secretariat <noreply@example.org>") keeps it (cms.emails.sender).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
# Only Django's own reports to ADMINS use this; our e-mails are prefixed with the society's
# short name (cms.emails.subject_prefix).
EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Where development's mailbox backend keeps the mail it is given (cms.mailbox; dev.py).
DEV_MAILBOX_DIR = Path(os.environ.get("DEV_MAILBOX_DIR", VAR_DIR / "mail"))

# --- Wagtail ----------------------------------------------------------------------------------
# Wagtail's database backend (SQLite FTS5 or PostgreSQL full-text), cleaning typed queries.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search.backend"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Every document download goes through Wagtail's serve view, where meeting materials are
# permission-checked (liaison.visibility.may_download_material); never a redirect to storage.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: it would send a hash of every staff e-mail address to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILAPI_BASE_URL = BASE_URL
WAGTAILAPI_LIMIT_MAX = 100
REST_FRAMEWORK = {
    # The public API is read-only JSON; no browsable HTML forms.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ERROR_MAIL_EVERY = env_int("ERROR_MAIL_EVERY", 300)

# --- Logging: everything to stdout, for the process manager to collect -------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
        # Error reports go to the outbox, never from the request: at most one per distinct
        # error per ERROR_MAIL_EVERY seconds, and none for /healthz's 503 (cms.error_reports).
        "mail_admins": {
            "class": "cms.error_reports.ErrorMailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's own console handler, which would print every line twice.
        "django": {"handlers": ["stdout", "mail_admins"], "level": LOG_LEVEL, "propagate": False},
        # django-q2 adds its own handler unless one is configured; naming it keeps one format.
        "django-q": {"level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # One line per search-index update is noise; failures are still logged.
        "django_tasks": {"level": "WARNING"},
        # A line per cleaned-up sign-in record is noise; lock-outs are still logged.
        "axes": {"level": "WARNING"},
    },
}

# --- Client addresses and sign-in throttling (cms.clients, django-axes) --------------------------
# (Added as one block; see cms/clients.py for what each counter is for.)
from datetime import timedelta  # noqa: E402

# How many proxies in front of the application append to X-Forwarded-For. 0 ignores the
# header (development, tests, a server that faces the internet); production.py reads it
# from the environment.
TRUSTED_PROXY_COUNT = 0

INSTALLED_APPS.append("axes")
# axes' backend first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Last, as axes asks: it turns a locked-out sign-in into cms.clients.locked_out_response.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# Anonymous visitors' public pages and feeds from the cache, until what they show changes
# (cms.pagecache); inside every middleware that adds headers, so cached pages get them too.
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "cms.pagecache.PublicPageCacheMiddleware"
)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)

# What is counted, and how many failures within LOGIN_LOCKOUT_MINUTES lock it out.
LOGIN_THROTTLE = [
    (["username", "ip_address"], env_int("LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT", 5)),
    (["ip_address"], env_int("LOGIN_FAILURES_PER_CLIENT", 20)),
    (["username"], env_int("LOGIN_FAILURES_PER_ACCOUNT", 50)),
]
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
if min(limit for _, limit in LOGIN_THROTTLE) < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured(
        "LOGIN_FAILURES_PER_* and LOGIN_LOCKOUT_MINUTES must be whole numbers of 1 or more."
    )
AXES_HANDLER = "cms.clients.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = [parameters for parameters, _ in LOGIN_THROTTLE]
AXES_FAILURE_LIMIT = LOGIN_THROTTLE[0][1]  # LoginThrottle scales the other counters to it
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# A sign-in while locked out is refused unchecked and not counted: the lock-out ends a fixed
# time after it began, and one client hammering a locked account cannot use up the account's
# own limit and lock its owner out everywhere.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # this account's failures from this client (LoginThrottle)
AXES_CLIENT_IP_CALLABLE = "cms.clients.client_address"
AXES_LOCKOUT_CALLABLE = "cms.clients.locked_out_response"
# Failed attempts are kept only while they count; no permanent log of every sign-in.
AXES_DISABLE_ACCESS_LOG = True
# No start-up banner on every manage.py command; failures are still logged as warnings,
# with the username and address masked.
AXES_VERBOSE = False

# --- Content-Security-Policy (django-csp, cms.content_security_policy) -------------------------
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

INSTALLED_APPS.append("csp")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "cms.content_security_policy.CSPMiddleware",
)
# The public site: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],  # Wagtail's preview panel
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],  # the preview panel frames our own pages
    }
}
# The Wagtail and Django admins render inline <script> (InlinePanel, date pickers, chooser
# modals) and inline styles with no nonce, so these are added under their paths. Neither
# uses inline event handlers (onclick=...), which stay refused in browsers that know
# script-src-attr. tests/browser/test_admin_under_csp.py drives the admin under this policy.
ADMIN_CSP_PATHS = ["/admin/", "/django-admin/"]
ADMIN_CSP_UPDATE = {
    "script-src": [UNSAFE_INLINE],
    "script-src-attr": [NONE],
    "style-src": [UNSAFE_INLINE],
}
