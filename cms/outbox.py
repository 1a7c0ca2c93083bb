"""The outbox: e-mail that matters is written to the database in the same transaction as the
change that calls for it, and a worker sends it. Nothing is lost however the worker, the
broker or the mail server fail, and nothing is sent twice.

How a row travels (the same for every outbox table: ``OutgoingMail`` here, the invitations'
``InviteDelivery`` in liaison, both ``cms.models.OutboxRow``):

1. ``post(message, kind=...)`` (or the invitations' own writer) adds a queued row, due now.
2. When the transaction commits, ``hint`` asks the worker, through django-q2, to look at the
   outbox at once; one hint per task and transaction, however many rows were written. A lost
   hint (broker down, task dropped) costs a delay, never a message: the sweep, a django-q2
   schedule every minute (migrations), sends every row that is due.
3. A worker ``claim``s a row with a conditional UPDATE (still queued, attempts as it read
   them, no live lease) that counts the attempt and holds a lease of
   ``OUTBOX_LEASE_SECONDS``; only the worker whose UPDATE matched sends it. A worker killed
   after claiming leaves a lease that runs out, and the row is due again.
4. Sent: ``mark_sent``. Refused or timed out: ``mark_failed`` makes it due again after a
   growing wait (1, 2, 4, 8, then every 15 minutes) until ``OUTBOX_RETRY_HOURS`` after it was
   queued, then it is failed with the reason, and ``requeue`` (the "retry" buttons) puts
   failed rows back.

The one gap no outbox closes: a worker killed after the mail server accepted a message but
before the row was marked sent sends that one message again when the lease runs out. Each
message carries a Message-ID made once per row, so that mail systems can recognise it.
"""

import base64
import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from cms import emails
from cms.models import OutboxRow, OutgoingMail

logger = logging.getLogger(__name__)

QUEUED = OutboxRow.Status.QUEUED
SENT = OutboxRow.Status.SENT
FAILED = OutboxRow.Status.FAILED
SEND_DUE = "cms.outbox.send_due"
BATCH = 200  # rows one run sends at most; the next run takes the rest


def lease():
    return datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def retry_window():
    return datetime.timedelta(hours=settings.OUTBOX_RETRY_HOURS)


def backoff(attempts):
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8, 15, 15... min."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 15))


def due(queryset, now=None):
    """The rows of ``queryset`` to send now: queued, due, and held by no live worker."""
    now = now or timezone.now()
    return (
        queryset.filter(status=QUEUED)
        .filter(Q(due_at__isnull=True) | Q(due_at__lte=now))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    )


def claim(row):
    """Take ``row`` for one attempt; True if this worker did, and so must send it."""
    now = timezone.now()
    claimed = due(type(row).objects.filter(pk=row.pk, attempts=row.attempts), now).update(
        attempts=F("attempts") + 1, lease_until=now + lease(), updated_at=now
    )
    if claimed:
        row.attempts += 1
    return claimed == 1


def mark_sent(row, **also):
    now = timezone.now()
    type(row).objects.filter(pk=row.pk).update(
        status=SENT, sent_at=now, lease_until=None, last_error="", updated_at=now, **also
    )


def describe(error):
    # PostgreSQL cannot store NUL, which a server's reply could carry.
    return f"{type(error).__name__}: {error}".replace("\x00", "")[:2000]


def mark_failed(row, error):
    """Record a failed attempt: due again after ``backoff``, or failed for good once the
    retry window has passed. True if the row was given up."""
    reason = describe(error) if isinstance(error, BaseException) else str(error)
    now = timezone.now()
    rows = type(row).objects.filter(pk=row.pk, status=QUEUED)
    if row.queued_at + retry_window() <= now:
        rows.update(status=FAILED, last_error=reason, lease_until=None, updated_at=now)
        logger.error("%s failed for good after %d attempts: %s", row, row.attempts, reason)
        return True
    rows.update(
        last_error=reason, due_at=now + backoff(row.attempts), lease_until=None, updated_at=now
    )
    logger.warning("%s failed (attempt %d), will retry: %s", row, row.attempts, reason)
    return False


def give_up(row, reason):
    """Fail a queued row that must not be sent (it no longer applies), with the reason."""
    type(row).objects.filter(pk=row.pk, status=QUEUED).update(
        status=FAILED, last_error=reason, lease_until=None, updated_at=timezone.now()
    )


def requeue(queryset):
    """Queue rows again, due now, with a fresh retry window; the number requeued."""
    now = timezone.now()
    return queryset.update(
        status=QUEUED,
        attempts=0,
        queued_at=now,
        due_at=now,
        lease_until=None,
        last_error="",
        updated_at=now,
    )


# --- hints to the worker --------------------------------------------------------------------


class Hint:
    """Enqueue ``task`` once the transaction commits. A broker that cannot be reached is
    logged, not raised: the row waits for the sweep."""

    def __init__(self, task, args):
        self.task = task
        self.args = args

    def __eq__(self, other):
        return isinstance(other, Hint) and (self.task, self.args) == (other.task, other.args)

    __hash__ = None

    def __call__(self):
        from django_q.tasks import async_task

        try:
            async_task(
                self.task,
                *self.args,
                group="outbox",
                # The rows are the record; a crash must not make the broker run it again.
                q_options={"ack_failure": True},
            )
        except Exception as error:  # noqa: BLE001 - each broker raises its client's errors
            logger.warning(
                "Could not reach the task broker (%s); the outbox sweep will send the mail.",
                error,
            )


def hint(task, *args):
    """Ask the worker to run ``task(*args)`` when the current transaction commits (at once
    outside one): at most once per task and arguments in a transaction."""
    wanted = Hint(task, args)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback == wanted for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(wanted)


# --- rendered e-mail ------------------------------------------------------------------------


def post(message, *, kind, key=None, sensitive=False):
    """Put ``message`` (a Django EmailMessage) in the outbox, to be sent by the worker once
    the current transaction commits. With ``key``, posting the same key again does nothing
    (None is returned). ``sensitive``: the content is erased once sent."""
    message.extra_headers.setdefault("Message-ID", make_msgid(domain=_domain()))
    fields = {
        "kind": kind,
        "recipients": ", ".join(message.recipients())[:2000],
        "subject": message.subject[:998],
        "payload": serialize(message),
        "sensitive": sensitive,
        "due_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            row = OutgoingMail.objects.create(key=key, **fields)
    except IntegrityError:
        if key is None:
            raise
        return None
    hint(SEND_DUE)
    return row


def message_id(row):
    """A Message-ID for ``row`` as queued now: the same for every attempt, new on requeue."""
    stamp = int(row.queued_at.timestamp() * 1000)
    return f"<{row._meta.model_name}.{row.pk}.{stamp}@{_domain()}>"


def _domain():
    from urllib.parse import urlsplit

    return urlsplit(settings.BASE_URL).hostname or "localhost"


def _encode(content):
    if isinstance(content, bytes):
        return {"base64": base64.b64encode(content).decode("ascii")}
    return {"text": content}


def _decode(data):
    return base64.b64decode(data["base64"]) if "base64" in data else data["text"]


def serialize(message):
    """A JSON-able copy of ``message`` that ``deserialize`` turns back into one."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError("Outbox messages take (filename, content, mimetype) attachments.")
        filename, content, mimetype = attachment
        attachments.append({"filename": filename, "mimetype": mimetype, **_encode(content)})
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            {"mimetype": mimetype, **_encode(content)}
            for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
    }


def deserialize(data):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for alternative in data["alternatives"]:
        message.attach_alternative(_decode(alternative), alternative["mimetype"])
    for attachment in data["attachments"]:
        message.attach(attachment["filename"], _decode(attachment), attachment["mimetype"])
    return message


def send_due():
    """Send the outbox's due e-mail (the worker's task and the every-minute sweep); the
    number sent. Safe to run any number of times at once."""
    rows = list(due(OutgoingMail.objects.all()).order_by("due_at", "pk")[:BATCH])
    sent = 0
    with emails.connection() as connection:
        for row in rows:
            if not claim(row):
                continue
            try:
                emails.send(deserialize(row.payload), connection)
            # Refused, timed out, connection lost, a bad address...: retried later.
            except Exception as error:  # noqa: BLE001
                mark_failed(row, error)
                emails.reset(connection)  # the next message reconnects, not on a dead link
                continue
            mark_sent(row, **({"payload": {}} if row.sensitive else {}))
            sent += 1
    return sent
