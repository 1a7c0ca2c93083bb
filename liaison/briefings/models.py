"""Generated briefing documents (the files live in private storage)."""

from django.conf import settings
from django.db import models

from liaison.meetings.models import Meeting


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


class Briefing(models.Model):
    """A Word briefing generated in the background for one meeting and one audience, and the
    PDF LibreOffice makes of it."""

    class Audience(models.TextChoices):
        DELEGATE = "delegate", "Delegate briefing"
        PRE_READ = "pre-read", "Stakeholder pre-read"
        RECORD = "record", "Meeting record"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class PdfStatus(models.TextChoices):
        """The PDF made from the Word file by LibreOffice (liaison.briefings.pdf) in the worker."""

        NONE = "none", "None"  # the Word file is not ready yet, or it predates PDFs
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Converting"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        UNAVAILABLE = "unavailable", "Unavailable"  # no LibreOffice on the worker

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="briefings")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    file = models.FileField(storage=private_storage, upload_to="briefings/%Y/%m/", blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(storage=private_storage, upload_to="briefings/%Y/%m/", blank=True)
    pdf_status = models.CharField(max_length=11, choices=PdfStatus.choices, default=PdfStatus.NONE)
    pdf_error = models.TextField(blank=True)
    meeting_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="The meeting's last change when this was generated."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_audience_display()} for {self.meeting}"

    @property
    def pdf_pending(self):
        return self.pdf_status in (self.PdfStatus.QUEUED, self.PdfStatus.RUNNING)

    def is_out_of_date(self):
        """The meeting changed after this briefing was generated."""
        return bool(
            self.status == self.Status.READY
            and self.meeting_changed_at
            and self.meeting.updated_at > self.meeting_changed_at
        )
