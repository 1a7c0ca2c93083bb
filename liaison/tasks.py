"""Every background job of liaison, as django-q2 runs it (by these dotted paths: schedules and
queued tasks name them, so they stay here). Each takes ids or dates, and calls the module that
does the work:

- ``send_action_reminders``, ``send_meeting_reminders``: daily (migration 0006);
  liaison.meetings.reminders.
- ``send_invitations``: after a meeting changes (a hint: the delivery rows are written with
  the change); ``send_due_invitations``: every minute (migration 0013), whatever is due;
  ``retry_delivery``: retries scheduled by earlier versions; liaison.calendars.invitations.
- ``generate_briefing``: when someone asks for a briefing; liaison.briefings.

All are safe to run twice (each claims its work with a conditional UPDATE first).
"""

import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from liaison.briefings import data, document
from liaison.briefings.models import Briefing
from liaison.calendars import invitations
from liaison.meetings import reminders

logger = logging.getLogger(__name__)


def send_action_reminders(today=None):
    return reminders.send_action_reminders(today)


def send_meeting_reminders(now=None):
    return reminders.send_meeting_reminders(now)


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
        body = document.build(
            meeting,
            record.audience,
            reader_zone=reader_zone(record.requested_by),
            organisation=settings.SITE_NAME,
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
    return record.file.name


def reader_zone(user):
    """The zone the reader chose in their Wagtail account settings, if any."""
    profile = getattr(user, "wagtail_userprofile", None) if user else None
    return getattr(profile, "current_time_zone", "") or None
