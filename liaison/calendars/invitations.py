"""E-mailed calendar invitations (iTIP over iMIP, RFC 5546 and 6047) for meetings.

What triggers what (receivers below, connected when this module is imported, which
``LiaisonConfig.ready`` does at start-up):

* a meeting becomes **confirmed** (or is created confirmed), or a confirmed meeting's time,
  place or status changes (``Meeting.save`` raised its ``sequence``): a **REQUEST**;
* a **postponed** meeting whose invitations went out changes: a REQUEST (the calendar shows
  it as tentative and "Postponed: ...");
* a meeting whose invitations went out (or that was confirmed or postponed) is **cancelled**:
  a **CANCEL**;
* someone joins the delegation or the external attendees of a confirmed meeting: a REQUEST
  for the current sequence, which only the newcomers receive (the others have it already);
* someone who was sent an invitation leaves the delegation or the attendees of a confirmed
  or postponed meeting: a **CANCEL** to that person alone, so the meeting leaves their
  calendar (RFC 5546, 3.2.5: how an organiser uninvites an attendee). Whoever is invited
  again later gets the current version again.

Planned and held meetings send nothing, nor does a change of title or agenda alone.

The task is enqueued with ``transaction.on_commit``, so it never runs for a change that was
rolled back, and it reads the meeting, delegation and attendees as committed. It sends to
the delegation (active users with an e-mail address) and the external attendees with an
e-mail address; never to the organiser, who is the ORGANIZER of every invite (a mail whose
ORGANIZER is its recipient is dropped by Outlook). Delegation members get the DELEGATION
calendar, external attendees the INVITEE one, which leaves out confidential agenda items,
objectives and asks (see ``liaison.calendars.ics``).

Each (meeting, recipient, sequence, method) has one ``InviteDelivery`` row, the log and the
guard: a row is claimed by a conditional UPDATE (queued with the attempts the worker read →
one more attempt) before its e-mail is sent, so a task run twice, or by two workers at
once, sends a recipient a given version once. When sending fails the error is recorded and
a retry is scheduled (a django-q2 ``Schedule.ONCE``: it works with the ORM and Redis
brokers, since schedules live in the database) after 2, then 4 minutes; after
``MAX_ATTEMPTS`` attempts the row is marked failed with the reason. The Secretariat can
resend a sent or failed delivery from the admin (or one stuck in the queue, see
``resendable``): that, on purpose, is the one case where a recipient gets the same version
twice.
"""

import dataclasses
import datetime
import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.db import transaction
from django.db.models import F, ProtectedError, Q
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from cms import emails
from liaison import visibility
from liaison.calendars import ics as ical
from liaison.calendars.models import InviteDelivery
from liaison.meetings.models import Meeting

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A queued delivery untouched this long is stuck (retries come within minutes): resendable.
STUCK_AFTER = datetime.timedelta(minutes=30)
TASK = "liaison.tasks.send_invitations"
RETRY_TASK = "liaison.tasks.retry_delivery"
NO_ORGANISER = "The meeting has no organiser with an e-mail address."

REQUEST = InviteDelivery.Method.REQUEST
CANCEL = InviteDelivery.Method.CANCEL
QUEUED = InviteDelivery.Status.QUEUED
SENT = InviteDelivery.Status.SENT
FAILED = InviteDelivery.Status.FAILED
S = Meeting.Status


def backoff(attempts):
    """How long to wait after the ``attempts``-th failed attempt: 2, 4, 8... minutes."""
    return datetime.timedelta(minutes=2**attempts)


# --- who gets what --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    audience: ical.Audience

    @property
    def person(self):
        return ical.Person(self.name, self.email)


def organiser_of(meeting):
    user = meeting.organiser
    if user is None or not user.email or "@" not in user.email:
        return None
    return ical.Person(ical.display_name(user.get_full_name() or user.get_username()), user.email)


def recipients(meeting):
    """The delegation (active, with an e-mail address), then the external attendees with an
    e-mail address, each once (delegation first), never the organiser; in a stable order."""
    organiser = organiser_of(meeting)
    seen = {organiser.email.lower()} if organiser else set()
    found = []
    delegates = sorted(
        (u for u in meeting.delegation.all() if u.is_active and u.email),
        key=lambda u: (u.get_full_name() or u.get_username(), u.email),
    )
    for user in delegates:
        name = user.get_full_name() or user.get_username()
        found.append((name, user.email, visibility.recipient_audience(True)))
    contacts = sorted(
        (c for c in meeting.attendees.all() if c.email), key=lambda c: (c.name, c.email)
    )
    found += [(c.name, c.email, visibility.recipient_audience(False)) for c in contacts]
    out = []
    for name, email, audience in found:
        email = email.strip()
        if "@" not in email or email.lower() in seen:
            continue
        seen.add(email.lower())
        out.append(Recipient(ical.display_name(name), email, audience))
    return out


def invitation_method(before, meeting):
    """The iTIP method a save of ``meeting`` calls for, or None. ``before`` is the stored
    row's ``{"status", "sequence"}`` before the save (None for a new meeting)."""
    old_status = before["status"] if before else None
    changed = before is not None and meeting.sequence > before["sequence"]
    status = meeting.status
    if status == S.CONFIRMED:
        return REQUEST if old_status != S.CONFIRMED or changed else None
    if status == S.POSTPONED and changed:
        return REQUEST if old_status == S.CONFIRMED or was_invited(meeting) else None
    if status == S.CANCELLED and old_status not in (None, S.CANCELLED):
        invited = old_status in (S.CONFIRMED, S.POSTPONED) or was_invited(meeting)
        return CANCEL if invited else None
    return None


def was_invited(meeting):
    return meeting.deliveries.filter(method=REQUEST).exclude(status=FAILED).exists()


# --- triggers -------------------------------------------------------------------------------


def enqueue(meeting_pk, sequence, method):
    """Send the invitations once the current transaction commits (at once outside one)."""

    def push():
        from django_q.tasks import async_task

        async_task(
            TASK,
            meeting_pk,
            sequence,
            str(method),
            task_name=f"invites-{meeting_pk}-{sequence}-{method}",
            group="invites",
            # The task retries sending itself; a crash must not make the broker run it again.
            q_options={"ack_failure": True},
        )

    transaction.on_commit(push, robust=True)


@receiver(pre_save, sender=Meeting, dispatch_uid="liaison.invitations.remember")
def remember_stored_state(sender, instance, raw=False, **kwargs):
    instance._invite_before = None
    if not raw and instance.pk:
        instance._invite_before = (
            Meeting.objects.filter(pk=instance.pk).values("status", "sequence").first()
        )


@receiver(post_save, sender=Meeting, dispatch_uid="liaison.invitations.on_save")
def invite_on_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    method = invitation_method(getattr(instance, "_invite_before", None), instance)
    if method:
        enqueue(instance.pk, instance.sequence, method)


def invite_newcomers(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    """Someone joined or left the delegation or the attendees (from either side of the
    relation). Joining a confirmed meeting: send the current version, which only the
    newcomers receive (the others are in the delivery log for it already). Leaving a
    confirmed or postponed one: the same task sends those who left a CANCEL (see
    ``former_invitees``)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    meetings = Meeting.objects.filter(pk__in=[instance.pk] if not reverse else pk_set or ())
    wanted = Q(status=S.CONFIRMED)
    if action != "post_add":
        # A postponed meeting keeps the invitations it had: those who left must hear.
        sent = InviteDelivery.objects.filter(method=REQUEST, status=SENT)
        wanted |= Q(status=S.POSTPONED, pk__in=sent.values("meeting"))
    for pk, sequence in meetings.filter(wanted).values_list("pk", "sequence"):
        enqueue(pk, sequence, REQUEST)


m2m_changed.connect(
    invite_newcomers,
    sender=Meeting.delegation.through,
    dispatch_uid="liaison.invitations.delegation",
)
m2m_changed.connect(
    invite_newcomers,
    sender=Meeting.attendees.through,
    dispatch_uid="liaison.invitations.attendees",
)


def invited_meeting(meeting):
    """A meeting whose invitations went out and was not cancelled is in its invitees'
    calendars: deleting it would leave it there for ever, so it must be cancelled first
    (which sends them a CANCEL)."""
    if meeting.status not in (Meeting.Status.CONFIRMED, Meeting.Status.POSTPONED):
        return None
    invited = (
        meeting.deliveries.filter(
            method=InviteDelivery.Method.REQUEST, status=InviteDelivery.Status.SENT
        )
        .values("recipient_email")
        .distinct()
        .count()
    )
    if not invited:
        return None
    people = "1 person" if invited == 1 else f"{invited} people"
    return (
        f"“{meeting}” cannot be deleted: {people} received its invitation and would keep it "
        "in their calendar. Cancel the meeting first (they are sent a cancellation), then "
        "delete it."
    )


@receiver(pre_delete, sender=Meeting, dispatch_uid="liaison.invitations.protect")
def refuse_to_delete_invited_meetings(sender, instance, **kwargs):
    reason = invited_meeting(instance)
    if reason:
        raise ProtectedError(reason, {instance})


# --- the message ----------------------------------------------------------------------------


def meeting_url(meeting, audience):
    """The admin page for the delegation; the public page, if any, for everyone else."""
    if audience == ical.Audience.DELEGATION:
        return emails.absolute_url(
            reverse("wagtailsnippets_liaison_meeting:edit", args=[meeting.pk])
        )
    if meeting.visibility == Meeting.Visibility.PUBLIC:
        return emails.absolute_url(reverse("liaison:public_meeting", args=[meeting.uuid]))
    return None


def from_address(organiser):
    """The site's sender address, under the organiser's name ("Sam Lee via Liaise")."""
    site_name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = f"{organiser.name} via {settings.SITE_NAME}" if organiser.name else site_name
    return formataddr((name, address))


def build_message(
    meeting, recipient, people, method, organiser, connection=None, update=False, removed=False
):
    """One e-mail: multipart/mixed [multipart/alternative [text/plain, text/calendar;
    method=...], invite.ics (application/ics)]: the layout Google and Thunderbird send, with
    the iMIP part inside the first child, where Outlook looks for it. ``removed``: a CANCEL
    telling the recipient they are no longer invited to a meeting that goes ahead."""
    url = meeting_url(meeting, recipient.audience)
    calendar = ical.calendar_bytes(
        [meeting],
        recipient.audience,
        method=str(method),
        attendees=people,
        url_for=lambda m: url,
    )
    shows_confidential = recipient.audience == ical.Audience.DELEGATION
    context = {
        "meeting": meeting,
        "recipient": recipient,
        "organiser": organiser,
        "method": str(method),
        "cancelled": method == CANCEL,
        "removed": removed,
        "update": update,
        "delegation": shows_confidential,
        "agenda": [
            item
            for item in sorted(meeting.agenda_items.all(), key=lambda i: (i.sort_order or 0, i.pk))
            if shows_confidential or not item.confidential
        ],
        "regulators": ", ".join(sorted(r.acronym for r in meeting.regulators.all())),
        "url": url,
        "join_url": meeting.join_url if meeting.join_url else "",
    }
    message = emails.message(
        "liaison/emails/invite",
        context,
        from_email=from_address(organiser),
        to=[formataddr((recipient.name, recipient.email))],
        reply_to=[formataddr((organiser.name, organiser.email))],
        connection=connection,
    )
    message.attach_alternative(calendar.decode("utf-8"), f"text/calendar; method={method}")
    message.attach("invite.ics", calendar, "application/ics")
    return message


# --- the tasks ------------------------------------------------------------------------------


def _load(meeting_pk):
    return ical.for_calendar(Meeting.objects.filter(pk=meeting_pk)).first()


def send_invitations(meeting_pk, sequence, method):
    """Send version ``sequence`` of the meeting as ``method`` (REQUEST or CANCEL) to every
    recipient not sent it yet; with REQUEST, also a CANCEL to everyone who was sent an
    invitation and is no longer invited. Return the number of e-mails sent.

    Does nothing when the meeting is gone or has changed again since (the task for the
    newer sequence sends that one).
    """
    meeting = _load(meeting_pk)
    if meeting is None or meeting.sequence != sequence:
        return 0
    if (method == CANCEL) != (meeting.status == S.CANCELLED):
        return 0
    people = recipients(meeting)
    wanted = [(recipient, method) for recipient in people]
    if method == REQUEST:
        wanted += [(former, CANCEL) for former in former_invitees(meeting, people)]
    last = last_words(meeting)
    pending = []
    for recipient, wanted_method in wanted:
        delivery, _ = InviteDelivery.objects.get_or_create(
            meeting=meeting,
            recipient_email=recipient.email,
            sequence=sequence,
            method=wanted_method,
            defaults={"recipient_name": recipient.name[:200]},
        )
        said = last.get(recipient.email.lower())
        if delivery.status == SENT and said is not None and said.method != wanted_method:
            # Uninvited and invited again (or the reverse) within one version: this row
            # was sent before the other one, so it must go out again.
            delivery = _requeue(delivery)
        if delivery is not None and delivery.status == QUEUED and delivery.attempts == 0:
            pending.append((delivery, recipient))
    return _send_all(meeting, people, pending)


def last_words(meeting):
    """The last delivery sent (or being sent) to each address, by version then time."""
    last = {}
    rows = meeting.deliveries.exclude(status=FAILED).order_by("sequence", "updated_at", "pk")
    for delivery in rows:
        last[delivery.recipient_email.lower()] = delivery
    return last


def former_invitees(meeting, people):
    """Everyone whose last word from us is an invitation they received, who is no longer
    among ``people``: each must be sent a CANCEL. As INVITEE: what they get leaves out the
    confidential parts whatever they were."""
    current = {p.email.lower() for p in people}
    return [
        Recipient(delivery.recipient_name, delivery.recipient_email, ical.Audience.INVITEE)
        for email, delivery in sorted(last_words(meeting).items())
        if email not in current and delivery.method == REQUEST and delivery.status == SENT
    ]


def _requeue(delivery):
    """Queue a sent delivery again with fresh attempts; the row, or None if another worker
    took it meanwhile."""
    requeued = InviteDelivery.objects.filter(pk=delivery.pk, status=SENT).update(
        status=QUEUED, attempts=0, last_error="", updated_at=timezone.now()
    )
    if not requeued:
        return None
    delivery.refresh_from_db()
    return delivery


def retry_delivery(delivery_pk, attempts):
    """Try a queued delivery again (a scheduled retry or a resend). ``attempts`` is the count
    the retry was scheduled for: a delivery tried or sent meanwhile is left alone."""
    delivery = InviteDelivery.objects.filter(pk=delivery_pk, status=QUEUED).first()
    if delivery is None or delivery.attempts != attempts:
        return 0
    meeting = _load(delivery.meeting_id)
    if meeting.sequence != delivery.sequence:
        _give_up(
            delivery,
            f"Superseded: the meeting changed (version {meeting.sequence}) before this "
            "version could be sent.",
        )
        return 0
    people = recipients(meeting)
    recipient = next(
        (p for p in people if p.email.lower() == delivery.recipient_email.lower()), None
    )
    if delivery.method == CANCEL and meeting.status != S.CANCELLED:
        # A CANCEL telling someone they are no longer invited.
        if recipient is not None:
            _give_up(delivery, "The recipient was invited to the meeting again.")
            return 0
        recipient = Recipient(
            delivery.recipient_name, delivery.recipient_email, ical.Audience.INVITEE
        )
    elif recipient is None:
        _give_up(delivery, "The recipient is no longer invited to the meeting.")
        return 0
    return _send_all(meeting, people, [(delivery, recipient)])


def resendable(delivery, now=None):
    """Sent or failed; or queued but untouched for ``STUCK_AFTER`` (its worker died between
    claiming and recording the outcome, or its task was lost): the log shows it as queued
    for ever otherwise."""
    if delivery.status in (SENT, FAILED):
        return True
    return delivery.updated_at < (now or timezone.now()) - STUCK_AFTER


def resend(delivery):
    """Queue a delivery again (see ``resendable``), with a fresh set of attempts: the
    Secretariat's deliberate resend. Return False if it is not resendable or out of date."""
    if delivery.meeting.sequence != delivery.sequence:
        return False
    now = timezone.now()
    queued = (
        InviteDelivery.objects.filter(pk=delivery.pk)
        .filter(Q(status__in=[SENT, FAILED]) | Q(status=QUEUED, updated_at__lt=now - STUCK_AFTER))
        .exclude(meeting__sequence__gt=delivery.sequence)
        .update(status=QUEUED, attempts=0, last_error="", updated_at=now)
    )
    if not queued:
        return False

    def push():
        from django_q.tasks import async_task

        async_task(
            RETRY_TASK,
            delivery.pk,
            0,
            task_name=f"invite-resend-{delivery.pk}",
            group="invites",
            q_options={"ack_failure": True},
        )

    transaction.on_commit(push, robust=True)
    return True


def _give_up(delivery, reason):
    InviteDelivery.objects.filter(pk=delivery.pk, status=QUEUED).update(
        status=FAILED, last_error=reason, updated_at=timezone.now()
    )


def _claim(delivery):
    """Take ``delivery`` for one attempt; True if this worker did (and so must send it)."""
    claimed = InviteDelivery.objects.filter(
        pk=delivery.pk, status=QUEUED, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    if claimed:
        delivery.attempts += 1
    return claimed == 1


def _send_all(meeting, people, pending):
    organiser = organiser_of(meeting)
    if organiser is None:
        for delivery, _recipient in pending:
            _give_up(delivery, NO_ORGANISER)
        if pending:
            logger.warning("Invitations for meeting %s not sent: %s", meeting.pk, NO_ORGANISER)
        return 0
    attendees = [p.person for p in people]
    invited_before = {
        email.lower()
        for email in meeting.deliveries.filter(
            method=REQUEST, status=SENT, sequence__lt=meeting.sequence
        ).values_list("recipient_email", flat=True)
    }
    sent = 0
    with emails.connection() as connection:
        for delivery, recipient in pending:
            if not _claim(delivery):
                continue
            removed = delivery.method == CANCEL and meeting.status != S.CANCELLED
            try:
                message = build_message(
                    meeting,
                    recipient,
                    [recipient.person] if removed else attendees,
                    delivery.method,
                    organiser,
                    connection,
                    update=recipient.email.lower() in invited_before,
                    removed=removed,
                )
                emails.send(message, connection)  # connects on the first e-mail only
            # SMTP refused, timed out, connection lost, a bad address...: logged and retried.
            except Exception as error:  # noqa: BLE001
                _failed(delivery, error)
                emails.reset(connection)  # the next e-mail reconnects, not on a dead link
                continue
            InviteDelivery.objects.filter(pk=delivery.pk).update(
                status=SENT, sent_at=timezone.now(), last_error="", updated_at=timezone.now()
            )
            sent += 1
    logger.info(
        "Invitations for meeting %s: %d of %d e-mail(s) sent", meeting.pk, sent, len(pending)
    )
    return sent


def _failed(delivery, error):
    # PostgreSQL cannot store NUL, which a server's reply could carry.
    reason = f"{type(error).__name__}: {error}".replace("\x00", "")[:2000]
    now = timezone.now()
    if delivery.attempts >= MAX_ATTEMPTS:
        InviteDelivery.objects.filter(pk=delivery.pk).update(
            status=FAILED, last_error=reason, updated_at=now
        )
        logger.error("Invitation %s failed after %d attempts: %s", delivery, MAX_ATTEMPTS, reason)
        return
    InviteDelivery.objects.filter(pk=delivery.pk).update(last_error=reason, updated_at=now)
    from django_q.models import Schedule
    from django_q.tasks import schedule

    name = f"invite-retry-{delivery.pk}-{delivery.attempts}"
    if not Schedule.objects.filter(name=name).exists():
        schedule(
            RETRY_TASK,
            delivery.pk,
            delivery.attempts,
            name=name,
            schedule_type=Schedule.ONCE,
            next_run=now + backoff(delivery.attempts),
        )
    logger.warning(
        "Invitation %s failed (attempt %d of %d), retrying: %s",
        delivery,
        delivery.attempts,
        MAX_ATTEMPTS,
        reason,
    )
