"""Background jobs for liaison, run daily by django-q2 schedules (migration 0006).

Both jobs are safe to run twice: each action or meeting is claimed with a conditional UPDATE
before it is mailed, so two runs (or a retry) never mention it twice. When sending fails the
claim is given back and the error re-raised, so django-q2 retries the task.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from liaison.models import ActionItem, Meeting
from liaison.permissions import manages_all_meetings

logger = logging.getLogger(__name__)

ACTION_HORIZON_DAYS = 7
MEETING_HORIZON = datetime.timedelta(days=7)
CARRIED_ACTIONS_SHOWN = 20


def admin_url(name, pk):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(name, args=[pk])


def send_email(template, context, to, connection):
    subject = render_to_string(f"liaison/emails/{template}-subject.txt", context)
    message = EmailMessage(
        subject=settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=render_to_string(f"liaison/emails/{template}-body.txt", context),
        to=[to],
        connection=connection,
    )
    # Connect on the first e-mail of a run (a run with nothing to send never connects) and
    # reuse the connection for the rest; open() does nothing when already connected.
    connection.open()
    message.send()


def close_quietly(connection):
    try:
        connection.close()
    except Exception:
        logger.debug("Could not close the mail connection", exc_info=True)


def can_receive(user):
    return user is not None and user.is_active and bool(user.email)


# --- Actions ------------------------------------------------------------------------------


@dataclass
class Reminder:
    action: ActionItem
    days_overdue: int  # negative: due in that many days
    owed_by: object  # the organisation or regulator that owes it to us, else None
    url: str

    @property
    def overdue(self):
        return self.days_overdue > 0

    @property
    def days_left(self):
        return -self.days_overdue


def send_action_reminders(today=None):
    """E-mail each owner their open actions that are overdue or due within 7 days, and each
    meeting organiser the actions owed to us by an organisation or regulator (to chase).

    One e-mail per recipient, an action at most once a day. Return the number of e-mails sent.
    """
    today = today or timezone.localdate()
    actions = (
        ActionItem.objects.open()
        .filter(due_date__lte=today + datetime.timedelta(days=ACTION_HORIZON_DAYS))
        .exclude(reminded_on=today)
        .select_related(
            "owner", "owner_organisation", "owner_regulator", "meeting", "meeting__organiser"
        )
        .order_by("due_date", "pk")
    )
    actions = list(actions)
    # Confidential meetings are seen only by their delegation and the Secretariat: an
    # organiser outside both is not told about the meeting's actions.
    confidential = {
        a.meeting_id for a in actions if a.meeting.visibility == Meeting.Visibility.CONFIDENTIAL
    }
    delegates = set(
        Meeting.delegation.through.objects.filter(meeting_id__in=confidential).values_list(
            "meeting_id", "user_id"
        )
    )

    recipients = {}  # user pk -> (user, [Reminder])
    unreachable = 0
    for action in actions:
        owed_by = None
        if action.owner_id:
            recipient = action.owner
        else:
            owed_by = action.owner_organisation or action.owner_regulator
            recipient = action.meeting.organiser
            if (
                can_receive(recipient)
                and action.meeting_id in confidential
                and (action.meeting_id, recipient.pk) not in delegates
                and not manages_all_meetings(recipient)
            ):
                recipient = None
        if not can_receive(recipient):
            unreachable += 1
            continue
        reminder = Reminder(
            action=action,
            days_overdue=(today - action.due_date).days,
            owed_by=owed_by,
            url=admin_url("actions:edit", action.pk),
        )
        recipients.setdefault(recipient.pk, (recipient, []))[1].append(reminder)

    sent = mentioned = 0
    connection = get_connection()
    try:
        for recipient, reminders in recipients.values():
            claimed = [r for r in reminders if claim_action(r.action, today)]
            if not claimed:
                continue
            context = {
                "recipient": recipient,
                "overdue": [r for r in claimed if r.overdue],
                "due_soon": [r for r in claimed if not r.overdue],
                "owns_some": any(r.owed_by is None for r in claimed),
                "chases_some": any(r.owed_by is not None for r in claimed),
                "today": today,
                "register_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
                + reverse("actions:index"),
            }
            try:
                send_email("action-reminder", context, recipient.email, connection)
            except Exception:
                for reminder in claimed:
                    release_action(reminder.action, today)
                raise
            sent += 1
            mentioned += len(claimed)
    finally:
        connection.close()
    logger.info(
        "Action reminders for %s: %d e-mail(s) sent about %d action(s); "
        "%d action(s) skipped for want of a recipient with an e-mail address",
        today,
        sent,
        mentioned,
        unreachable,
    )
    return sent


def claim_action(action, today):
    """Mark `action` as reminded today; True if this run did so (and so must mention it)."""
    claimed = (
        ActionItem.objects.filter(pk=action.pk)
        .exclude(reminded_on=today)
        .update(reminded_on=today)
    )
    return claimed == 1


def release_action(action, today):
    ActionItem.objects.filter(pk=action.pk, reminded_on=today).update(
        reminded_on=action.reminded_on
    )


# --- Meetings -----------------------------------------------------------------------------


def send_meeting_reminders(now=None):
    """E-mail each delegate of a planned or confirmed meeting starting within 7 days.

    A meeting's delegation is reminded once per start time: a meeting that moves is
    reminded of again. Return the number of e-mails sent.
    """
    now = now or timezone.now()
    User = get_user_model()
    meetings = (
        Meeting.objects.filter(
            status__in=[Meeting.Status.PLANNED, Meeting.Status.CONFIRMED],
            starts_at__gt=now,
            starts_at__lte=now + MEETING_HORIZON,
        )
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("starts_at")))
        .select_related("organiser")
        .prefetch_related(
            "regulators",
            "agenda_items",
            Prefetch(
                "delegation",
                queryset=User.objects.filter(is_active=True).exclude(email="").order_by("pk"),
                to_attr="reachable_delegates",
            ),
        )
        .order_by("starts_at", "pk")
    )
    sent = reminded = 0
    connection = get_connection()
    try:
        for meeting in meetings:
            delegates = meeting.reachable_delegates
            # Without anyone to tell, leave it unclaimed: delegates added later are reminded.
            if not delegates or not claim_meeting(meeting):
                continue
            try:
                regulators = list(meeting.regulators.all())
                carried, allowed = carried_actions(meeting, regulators, timezone.localdate(now))
                context = {
                    "meeting": meeting,
                    "regulators": regulators,
                    "agenda": list(meeting.agenda_items.all()),
                    "days_away": (
                        meeting.local_start.date() - now.astimezone(meeting.zone).date()
                    ).days,
                    "moved_from": meeting.reminded_for
                    and meeting.reminded_for.astimezone(meeting.zone),
                    "meeting_url": admin_url("wagtailsnippets_liaison_meeting:edit", meeting.pk),
                }
                failed = []
                for delegate in delegates:
                    theirs = [r for r in carried if allowed(r.action, delegate)]
                    context.update(
                        delegate=delegate,
                        carried=theirs[:CARRIED_ACTIONS_SHOWN],
                        carried_more=max(0, len(theirs) - CARRIED_ACTIONS_SHOWN),
                    )
                    try:
                        send_email("meeting-reminder", context, delegate.email, connection)
                    except Exception as error:  # noqa: BLE001  (SMTP refused, dropped...)
                        failed.append((delegate, error))
                        close_quietly(connection)  # the next e-mail reconnects
                        continue
                    sent += 1
            except Exception:
                release_meeting(meeting)
                raise
            if failed and len(failed) == len(delegates):
                # Nobody was reached: give the claim back, so a retry reminds them all.
                release_meeting(meeting)
                raise failed[0][1]
            if failed:
                # Some delegates have theirs: a retry would send them the same reminder
                # again, so those not reached are reported instead of retried.
                logger.error(
                    "Meeting reminder for meeting %s not sent to %s: %s",
                    meeting.pk,
                    ", ".join(d.email for d, _error in failed),
                    "; ".join(f"{type(e).__name__}: {e}" for _d, e in failed),
                )
            reminded += 1
    finally:
        connection.close()
    logger.info(
        "Meeting reminders at %s: %d e-mail(s) sent for %d meeting(s)",
        now.isoformat(timespec="minutes"),
        sent,
        reminded,
    )
    return sent


def claim_meeting(meeting):
    """Record that the delegation is reminded of the current start time; True if this run
    did so. A meeting moved in the meantime is not claimed (the next run sees the new time)."""
    claimed = (
        Meeting.objects.filter(pk=meeting.pk, starts_at=meeting.starts_at)
        .exclude(reminded_for=meeting.starts_at)
        .update(reminded_for=meeting.starts_at)
    )
    return claimed == 1


def release_meeting(meeting):
    Meeting.objects.filter(pk=meeting.pk, reminded_for=meeting.starts_at).update(
        reminded_for=meeting.reminded_for
    )


def carried_actions(meeting, regulators, today):
    """Open actions from earlier meetings with the same regulators, and a function telling
    whether a delegate may see one (confidential meetings: their delegation only)."""
    if not regulators:
        return [], lambda action, user: False
    actions = (
        ActionItem.objects.open()
        .filter(meeting__regulators__in=regulators, meeting__starts_at__lt=meeting.starts_at)
        .exclude(meeting=meeting)
        .select_related("meeting", "owner", "owner_organisation", "owner_regulator")
        .distinct()
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    reminders = [
        Reminder(
            action=action,
            days_overdue=(today - action.due_date).days if action.due_date else 0,
            owed_by=action.owner_organisation or action.owner_regulator,
            url=admin_url("actions:edit", action.pk),
        )
        for action in actions
    ]
    confidential = {
        r.action.meeting_id
        for r in reminders
        if r.action.meeting.visibility == Meeting.Visibility.CONFIDENTIAL
    }
    delegates = set(
        Meeting.delegation.through.objects.filter(meeting_id__in=confidential).values_list(
            "meeting_id", "user_id"
        )
    )

    def allowed(action, user):
        return (
            action.meeting_id not in confidential
            or (action.meeting_id, user.pk) in delegates
            or user.is_superuser
        )

    return reminders, allowed


def generate_briefing(briefing_id):
    """Build one queued briefing (liaison.briefing) and store it in private storage.

    The briefing is claimed queued → running with a conditional UPDATE, so a second run (or
    a redelivered task) does nothing. Any error ends as status "failed" with the reason, which
    the meeting form shows; nothing half-written is kept.
    """
    import hashlib

    from django.core.files.base import ContentFile

    from liaison import briefing as builder
    from liaison.models import Briefing

    if not Briefing.objects.filter(pk=briefing_id, status=Briefing.Status.QUEUED).update(
        status=Briefing.Status.RUNNING
    ):
        return None
    record = Briefing.objects.select_related("requested_by").get(pk=briefing_id)
    try:
        meeting = builder.load(record.meeting_id)
        data = builder.build(
            meeting,
            record.audience,
            reader_zone=reader_zone(record.requested_by),
            organisation=settings.SITE_NAME,
            base_url=settings.BASE_URL,
        )
        record.file.save(
            builder.download_filename(meeting, record.audience), ContentFile(data), save=False
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
        content_hash=hashlib.sha256(data).hexdigest(),
        meeting_changed_at=meeting.updated_at,
        finished_at=timezone.now(),
    )
    return record.file.name


def reader_zone(user):
    """The zone the reader chose in their Wagtail account settings, if any."""
    profile = getattr(user, "wagtail_userprofile", None) if user else None
    return getattr(profile, "current_time_zone", "") or None
