"""What the reminder tests share: running a job as the worker does, reading the e-mails
sent, and a mail server that is down.

A reminder job puts its e-mails in the outbox (``cms.outbox``), each recipient's in the
transaction that claims what it mentions; the outbox sends them once that commits. ``run``
(``tests.outbox``) commits as the worker's would, so the e-mails are sent when it returns;
``sweep`` is the outbox's every-minute schedule."""

import datetime
from unittest import mock

from django.core import mail

from tests.outbox import run, sweep

DELEGATES = "Liaison delegates"
DAY = datetime.timedelta(days=1)
FAIL_TO_SEND = mock.patch(
    "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("SMTP down")
)
__all__ = ["DAY", "DELEGATES", "FAIL_TO_SEND", "by_recipient", "run", "sweep"]


def by_recipient():
    return {message.to[0]: message for message in mail.outbox}
