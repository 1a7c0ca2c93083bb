"""Local development and `make run`: works with no environment at all."""

from .base import *  # noqa: F403
from .base import env_list

DEBUG = True
# Development only; production.py refuses to start without a real SECRET_KEY.
SECRET_KEY = "dev-only-not-secret-5u8m1v0w2y3c9x7q"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# Mail is kept as files under var/mail/ and shown at /dev/mailbox/ (cms.mailbox), not
# printed to the terminal. production.py sends through SMTP.
EMAIL_BACKEND = "cms.mailbox.DevMailboxBackend"

# Serve static files straight from the source folders; collectstatic is a production step.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

try:
    from .local import *  # noqa: F403
except ImportError:
    pass
