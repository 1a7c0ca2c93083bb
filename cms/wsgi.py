import os
import sys

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    # One clear line in the process manager's log instead of a traceback per worker boot.
    print(f"Liaise cannot start: {exc}", file=sys.stderr)  # noqa: T201
    # 4 is gunicorn's "application failed to load": the master stops instead of
    # restarting the worker forever.
    sys.exit(4)
