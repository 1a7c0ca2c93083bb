"""Every background job of liaison, as django-q2 runs it (by these dotted paths: schedules and
queued tasks name them, so they stay here). Each takes ids or dates, and calls the module that
does the work:

- ``send_action_reminders``, ``send_meeting_reminders``: daily (migration 0006);
  liaison.meetings.reminders.
- ``send_invitations``: after a meeting changes (a hint: the delivery rows are written with
  the change); ``send_due_invitations``: every minute (migration 0013), whatever is due;
  ``retry_delivery``: retries scheduled by earlier versions; liaison.calendars.invitations.
- ``generate_briefing``: when someone asks for a briefing; liaison.briefings.
- ``convert_briefing_pdf``: after a briefing's Word file is ready (queued by
  generate_briefing); liaison.briefings.pdf.
- ``record_asks_of_past_meetings``: daily (migration 0025); the meetings of the last week
  that took place bring their asks into the ledger (liaison.asks.events), saved or not.

All are safe to run twice (each claims its work with a conditional UPDATE first).
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from cms import society
from liaison.asks import events as ask_events
from liaison.briefings import data, document, pdf
from liaison.briefings.models import Briefing
from liaison.calendars import invitations
from liaison.meetings import reminders

logger = logging.getLogger(__name__)


def send_action_reminders(today=None):
    return reminders.send_action_reminders(today)


def send_meeting_reminders(now=None):
    return reminders.send_meeting_reminders(now)


def record_asks_of_past_meetings(now=None):
    now = now or timezone.now()
    return len(ask_events.sync_meetings_since(now - datetime.timedelta(days=7), now=now))


def send_invitations(meeting_pk, *legacy):
    return invitations.send_invitations(meeting_pk, *legacy)


def send_due_invitations():
    return invitations.send_due_invitations()


def retry_delivery(delivery_pk, *legacy):
    return invitations.retry_delivery(delivery_pk, *legacy)


def generate_briefing(briefing_id):
    """Build one queued briefing (liaison.briefings.document) and store it in private storage.

    The briefing is claimed queued → running with a conditional UPDATE, so a second run (or
    a redelivered task) does nothing. Any error ends as status "failed" with the reason, which
    the meeting form shows; nothing half-written is kept.
    """
    if not Briefing.objects.filter(pk=briefing_id, status=Briefing.Status.QUEUED).update(
        status=Briefing.Status.RUNNING
    ):
        return None
    record = Briefing.objects.select_related("requested_by").get(pk=briefing_id)
    try:
        meeting = data.load(record.meeting_id, base_url=settings.BASE_URL)
        org = society.current()
        body = document.build(
            meeting,
            record.audience,
            society=org,
            logo=society.logo_png(org),
            version=Briefing.objects.filter(
                meeting_id=record.meeting_id, audience=record.audience, pk__lte=record.pk
            ).count(),
        )
        record.file.save(
            document.download_filename(meeting, record.audience), ContentFile(body), save=False
        )
    except Exception as exc:
        logger.exception("Briefing %s failed", briefing_id)
        Briefing.objects.filter(pk=briefing_id).update(
            status=Briefing.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return None
    Briefing.objects.filter(pk=briefing_id).update(
        status=Briefing.Status.READY,
        file=record.file.name,
        content_hash=hashlib.sha256(body).hexdigest(),
        meeting_changed_at=meeting.updated_at,
        finished_at=timezone.now(),
    )
    queue_briefing_pdf(briefing_id)
    return record.file.name


def queue_briefing_pdf(briefing_id):
    """Queue the PDF of a ready briefing, once the current transaction commits."""
    if not Briefing.objects.filter(
        pk=briefing_id, status=Briefing.Status.READY, pdf_status=Briefing.PdfStatus.NONE
    ).update(pdf_status=Briefing.PdfStatus.QUEUED, pdf_error=""):
        return

    def enqueue():
        try:
            async_task("liaison.tasks.convert_briefing_pdf", briefing_id)
        except Exception as exc:  # the broker is down: the Word file still works
            logger.exception("Briefing %s: its PDF could not be queued", briefing_id)
            Briefing.objects.filter(pk=briefing_id, pdf_status=Briefing.PdfStatus.QUEUED).update(
                pdf_status=Briefing.PdfStatus.FAILED,
                pdf_error=f"Not queued: {type(exc).__name__}: {exc}"[:2000],
            )

    transaction.on_commit(enqueue)


def convert_briefing_pdf(briefing_id):
    """Make the PDF of a ready briefing from its stored Word file (liaison.briefings.pdf).

    Claimed queued → running with a conditional UPDATE, so a second run (or a redelivered
    task) does nothing. Without LibreOffice the PDF is "unavailable"; any other error ends
    as "failed" with the reason. The PDF and its status are stored by one UPDATE, and a PDF
    saved for a briefing that could not take it is deleted again.
    """
    claimed = Briefing.objects.filter(
        pk=briefing_id, status=Briefing.Status.READY, pdf_status=Briefing.PdfStatus.QUEUED
    ).update(pdf_status=Briefing.PdfStatus.RUNNING, pdf_error="")
    if not claimed:
        return None
    running = Briefing.objects.filter(pk=briefing_id, pdf_status=Briefing.PdfStatus.RUNNING)
    record = Briefing.objects.select_related("meeting").filter(pk=briefing_id).first()
    if record is None:  # deleted since
        return None
    storage, saved, stored = record.pdf.storage, None, 0
    try:
        if not pdf.available():
            raise pdf.Unavailable(pdf.unavailable_reason())
        with record.file.open("rb") as handle:
            body = pdf.convert(handle.read())
        name = document.download_filename(record.meeting, record.audience)
        saved = storage.save(
            record.pdf.field.generate_filename(record, name.removesuffix(".docx") + ".pdf"),
            ContentFile(body),
        )
        stored = running.update(pdf_status=Briefing.PdfStatus.READY, pdf=saved, pdf_error="")
    except pdf.Unavailable as exc:
        logger.warning("Briefing %s: no PDF: %s", briefing_id, exc)
        running.update(pdf_status=Briefing.PdfStatus.UNAVAILABLE, pdf_error=str(exc)[:2000])
    except Exception as exc:
        logger.exception("Briefing %s: its PDF failed", briefing_id)
        running.update(
            pdf_status=Briefing.PdfStatus.FAILED, pdf_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
    if saved and not stored:  # the briefing was deleted meanwhile, or the UPDATE failed
        storage.delete(saved)
        return None
    return saved if stored else None
