"""What the site keeps for its own operation: the outbox of e-mail that must be sent, and the
rate-limit counters used when the cache (Redis) is unavailable."""

from django.db import models
from django.utils import timezone


class OutboxRow(models.Model):
    """A message that must leave the building: written in the same transaction as the change
    that calls for it, then sent by a worker (see ``cms.outbox``). ``due_at`` says when it
    may next be tried; a worker that takes it holds it until ``lease_until``; a row whose
    lease ran out while still queued (its worker died) is due again."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # When it was (last) put in the queue: retries stop OUTBOX_RETRY_HOURS after this.
    queued_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class OutgoingMail(OutboxRow):
    """One rendered e-mail (subscription links, reminders, error reports...) waiting to be
    sent, or the record that it was. ``key`` makes posting it twice harmless. A
    ``sensitive`` message (one that carries a secret link) has its content erased once sent."""

    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=50)
    recipients = models.TextField(blank=True)
    subject = models.CharField(max_length=998, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outgoing e-mail"
        verbose_name_plural = "outgoing e-mail"
        indexes = [models.Index(fields=["status", "due_at"], name="outgoing_mail_due")]

    def __str__(self):
        return f"{self.kind}: {self.subject} to {self.recipients}"


class RateCounter(models.Model):
    """A request count for one limited key in one window, kept in the database when the
    cache cannot be reached (see ``cms.ratelimit``)."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"
