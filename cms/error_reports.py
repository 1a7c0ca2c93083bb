"""Error reports to the administrators (ADMINS), mailed by the worker, not by the request.

Django's AdminEmailHandler sends one e-mail per error, from the process that had it, while
the visitor waits: a 16-second database outage sent 412 of them, and a slow mail server tied
up every web worker. This handler keeps Django's report (subject, traceback, request) and
puts it in the outbox (``cms.outbox``) instead, at most once per distinct error per
``ERROR_MAIL_EVERY`` seconds: the outbox key names the error and the time slot, so every
process and host shares the limit. An error the database cannot record (the database being
what failed) is left to the log, which has it anyway. /healthz answering 503 is the health
check doing its job: logged, never mailed.
"""

import hashlib
import logging
import threading
import time
import traceback

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.log import AdminEmailHandler

logger = logging.getLogger(__name__)


def not_a_report(record):
    """True for records that are not errors to report: the health check's 503."""
    request = getattr(record, "request", None)
    return getattr(record, "status_code", None) == 503 and getattr(request, "path", "") in (
        "/healthz",
        "/healthz/",
    )


def error_key(record):
    """What makes two records the same error: where it was logged and, for an exception,
    its type and the line that raised it (not the message, which carries ids and paths)."""
    parts = [record.name, str(record.levelno), str(record.msg)]
    if record.exc_info and record.exc_info[0]:
        kind, _value, tb = record.exc_info
        frames = traceback.extract_tb(tb)
        parts.append(kind.__qualname__)
        if frames:
            parts.append(f"{frames[-1].filename}:{frames[-1].lineno}")
    elif getattr(record, "status_code", None):
        parts.append(str(record.status_code))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


class ErrorMailHandler(AdminEmailHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._recent = {}  # key -> when this process last reported it
        self._local = threading.local()

    def emit(self, record):
        if not settings.ADMINS or not_a_report(record):
            return
        every = settings.ERROR_MAIL_EVERY
        key = error_key(record)
        now = time.monotonic()
        if now - self._recent.get(key, -every) < every:
            return  # this process reported it moments ago: not even a database write
        self._recent = {k: t for k, t in self._recent.items() if now - t < every}
        self._recent[key] = now
        self._local.key = f"error:{key}:{int(time.time()) // every}"
        try:
            super().emit(record)  # builds the report, then calls send_mail below
        finally:
            self._local.key = None

    def send_mail(self, subject, message, *args, html_message=None, **kwargs):
        from django.db import transaction

        from cms import outbox

        mail = EmailMultiAlternatives(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
            body=message,
            from_email=settings.SERVER_EMAIL,
            to=[address for _name, address in settings.ADMINS],
        )
        if html_message:
            mail.attach_alternative(html_message, "text/html")
        key = self._local.key

        def post():
            try:
                outbox.post(mail, kind="error report", key=key)
            except Exception as error:  # noqa: BLE001 - the database may be what failed
                logger.warning("Error report not queued (%s); see the log above.", error)

        # Inside a transaction that may be rolled back, wait for it to commit.
        transaction.on_commit(post)
