"""What the site keeps for its own operation: the outbox of e-mail that must be sent, the
rate-limit counters used when the cache (Redis) is unavailable, and the society's own
settings (name, logo, paper, markings)."""

from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


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


# --- the society that runs this site --------------------------------------------------------

PAPER_SIZES = [("a4", "A4"), ("letter", "US Letter")]


@register_setting(icon="group")
class SocietySettings(BaseGenericSetting):
    """Who publishes this site and sends its mail: the society's name, logo, address, the paper
    its documents print on and the wording of each classification marking. Set once in
    Settings ▸ Society; briefings, e-mails, calendars and the admin read it through
    ``cms.society.current()``. One society per installation, hence a generic setting."""

    name = models.CharField(
        max_length=200,
        blank=True,
        help_text="In full, as on your letterhead, e.g. “Society for Cell and Gene Therapy Policy”.",
    )
    short_name = models.CharField(
        max_length=40,
        blank=True,
        help_text="For e-mail subjects and calendar names, e.g. “SCGTP”. The full name if empty.",
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="PNG or JPEG, on a white or transparent background. Printed on document covers.",
    )
    postal_address = models.TextField(
        blank=True, help_text="Printed on document covers and e-mails."
    )
    website = models.URLField(blank=True, help_text="Your society's own website.")
    paper_size = models.CharField(
        max_length=10,
        choices=PAPER_SIZES,
        default="a4",
        help_text="The paper briefings are laid out for.",
    )
    marking_confidential = models.CharField(
        "confidential marking",
        max_length=120,
        default="CONFIDENTIAL — delegation only",
        help_text="Printed on every page of delegate briefings and confidential records.",
    )
    marking_members = models.CharField(
        "members' marking",
        max_length=120,
        default="MEMBERS ONLY",
        help_text="Printed on every page of the record of a meeting without confidential content.",
    )
    marking_participants = models.CharField(
        "participants' marking",
        max_length=120,
        default="FOR MEETING PARTICIPANTS — not for publication",
        help_text="Printed on every page of the pre-read of a meeting that is not public.",
    )
    marking_public = models.CharField(
        "public marking",
        max_length=120,
        default="PUBLIC",
        help_text="Printed on every page of the pre-read of a public meeting.",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("short_name"), FieldPanel("logo")],
            heading="Your society",
        ),
        MultiFieldPanel(
            [FieldPanel("postal_address"), FieldPanel("website")], heading="Where to find you"
        ),
        MultiFieldPanel(
            [
                FieldPanel("paper_size"),
                FieldPanel("marking_confidential"),
                FieldPanel("marking_members"),
                FieldPanel("marking_participants"),
                FieldPanel("marking_public"),
            ],
            heading="Documents",
        ),
    ]

    class Meta:
        verbose_name = "society"


class ContentGeneration(models.Model):
    """One row: a random token replaced whenever something public pages show changes, so
    that every page cached under the old token is stale (cms.pagecache)."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
