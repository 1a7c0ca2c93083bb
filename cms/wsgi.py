import os
import sys

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    # One clear line in the process manager's log instead of a traceback per worker boot.
    sys.exit(f"Liaise cannot start: {exc}")
