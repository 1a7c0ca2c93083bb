"""Reminders by e-mail: action owners of their open actions, delegations of their coming meetings.
Run daily by django-q2 schedules (migration 0006) through liaison.tasks.

Both jobs are safe to run twice: each action or meeting is claimed with a conditional UPDATE
and its e-mails are put in the outbox (``cms.outbox``) in the same transaction, so two runs
(or a retry) never mention it twice, and an e-mail the mail server refuses is retried by the
outbox, not lost.
"""

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from cms import emails, outbox
from liaison import visibility
from liaison.meetings.models import ActionItem, Meeting

logger = logging.getLogger(__name__)

ACTION_HORIZON_DAYS = 7
MEETING_HORIZON = datetime.timedelta(days=7)
CARRIED_ACTIONS_SHOWN = 20


def admin_url(name, pk):
    return emails.absolute_url(reverse(name, args=[pk]))


def send_email(template, context, to):
    """Queue one reminder in the outbox, in the caller's transaction."""
    outbox.post(emails.message(f"liaison/emails/{template}", context, to=[to]), kind="reminder")


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


@emails.batch()
def send_action_reminders(today=None):
    """E-mail each owner their open actions that are overdue or due within 7 days, and each
    meeting organiser the actions owed to us by an organisation or regulator (to chase).

    One e-mail per recipient, an action at most once a day. Return the number of e-mails queued.
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
    # Nobody is told about an action of a meeting they may not see (an owner dropped from a
    # confidential meeting's delegation, an organiser outside it): liaison.visibility decides,
    # for everyone at once.
    readers = visibility.Readers(
        [a.owner or a.meeting.organiser for a in actions], {a.meeting_id for a in actions}
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
        if can_receive(recipient) and not readers.may_view_meeting(recipient, action.meeting):
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
    for recipient, reminders in recipients.values():
        with transaction.atomic():
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
                "register_url": emails.absolute_url(reverse("actions:index")),
            }
            send_email("action-reminder", context, recipient.email)
        sent += 1
        mentioned += len(claimed)
    logger.info(
        "Action reminders for %s: %d e-mail(s) queued about %d action(s); "
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


# --- Meetings -----------------------------------------------------------------------------


@emails.batch()
def send_meeting_reminders(now=None):
    """E-mail each delegate of a planned or confirmed meeting starting within 7 days.

    A meeting's delegation is reminded once per start time: a meeting that moves is
    reminded of again. Return the number of e-mails queued.
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
    for meeting in meetings:
        delegates = meeting.reachable_delegates
        if not delegates:
            # Without anyone to tell, leave it unclaimed: delegates added later are reminded.
            continue
        with transaction.atomic():
            if not claim_meeting(meeting):
                continue
            regulators = list(meeting.regulators.all())
            carried = carried_reminders(meeting, delegates, timezone.localdate(now))
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
            for delegate in delegates:
                theirs = carried[delegate.pk]
                context.update(
                    delegate=delegate,
                    carried=theirs[:CARRIED_ACTIONS_SHOWN],
                    carried_more=max(0, len(theirs) - CARRIED_ACTIONS_SHOWN),
                )
                send_email("meeting-reminder", context, delegate.email)
                sent += 1
        reminded += 1
    logger.info(
        "Meeting reminders at %s: %d e-mail(s) queued for %d meeting(s)",
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


def carried_reminders(meeting, delegates, today):
    """For each delegate (by id), the open actions from earlier meetings with the same
    regulators that they may see (liaison.visibility), as Reminders."""

    def reminder(action):
        return Reminder(
            action=action,
            days_overdue=(today - action.due_date).days if action.due_date else 0,
            owed_by=action.owner_organisation or action.owner_regulator,
            url=admin_url("actions:edit", action.pk),
        )

    carried = visibility.carried_forward_actions_for(meeting, delegates)
    made = {}
    return {
        pk: [made.setdefault(a.pk, reminder(a)) for a in actions]
        for pk, actions in carried.items()
    }
