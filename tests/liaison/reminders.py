"""What the reminder tests share: reading the outbox, and a mail server that is down."""

import datetime
from unittest import mock

from django.core import mail

DELEGATES = "Liaison delegates"
DAY = datetime.timedelta(days=1)
FAIL_TO_SEND = mock.patch(
    "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("SMTP down")
)


def by_recipient():
    return {message.to[0]: message for message in mail.outbox}
