"""What calendars keep: stakeholder subscribers, feed tokens and the invitation delivery log."""

from django.conf import settings
from django.db import models

from cms.models import OutboxRow
from liaison.meetings.models import Meeting, Regulator


class Subscriber(models.Model):
    """A stakeholder who follows public meetings in their own calendar (double opt-in)."""

    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    organisation = models.CharField(max_length=200, blank=True)
    all_regulators = models.BooleanField(
        default=True, help_text="All public meetings, or only those with the chosen regulators."
    )
    regulators = models.ManyToManyField(Regulator, blank=True, related_name="subscribers")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    feed_revoked_at = models.DateTimeField(
        "calendar address revoked",
        null=True,
        blank=True,
        editable=False,
        help_text="When the Secretariat switched off their calendar address. Until the "
        "Secretariat allows it again, the subscriber cannot get a new one.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class FeedToken(models.Model):
    """The secret in a personal calendar feed address. Only a SHA-256 hash of it is stored;
    it belongs to a staff user or to a subscriber, and can be revoked or rotated."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feed_tokens",
    )
    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) ^ models.Q(subscriber__isnull=True),
                name="feed_token_has_one_holder",
            )
        ]

    def __str__(self):
        return f"Feed token of {self.user or self.subscriber}"


class InviteDelivery(OutboxRow):
    """One calendar invitation (iTIP REQUEST or CANCEL) to one recipient for one version
    (sequence) of a meeting: the invitations' outbox (``cms.outbox``), their delivery log, and
    the guard against sending one twice."""

    class Method(models.TextChoices):
        REQUEST = "REQUEST", "Invitation or update"
        CANCEL = "CANCEL", "Cancellation"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="deliveries")
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=200, blank=True)
    sequence = models.PositiveIntegerField()
    method = models.CharField(max_length=10, choices=Method.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who pressed Send for this version.",
    )
    # The organiser's message to invitees (with a cancellation), and what the meeting was
    # when this version was queued: what changed since is worked out against it.
    note = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "invite deliveries"
        indexes = [models.Index(fields=["status", "due_at"], name="invite_delivery_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "recipient_email", "sequence", "method"],
                name="one_delivery_per_recipient_and_version",
            )
        ]

    def __str__(self):
        return f"{self.method} #{self.sequence} of {self.meeting} to {self.recipient_email}"


class InvitationReply(models.Model):
    """An invitee's answer to a meeting's invitation, given through the signed links in the
    e-mail (no account needed): the latest answer of each address counts."""

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        TENTATIVE = "tentative", "Tentative"
        DECLINED = "declined", "Declined"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="replies")
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=200, blank=True)
    answer = models.CharField(max_length=10, choices=Answer.choices)
    replied_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["recipient_name", "recipient_email"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "recipient_email"], name="one_reply_per_invitee"
            )
        ]

    def __str__(self):
        return f"{self.recipient_email}: {self.get_answer_display()} ({self.meeting})"
