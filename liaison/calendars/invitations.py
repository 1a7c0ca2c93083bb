"""E-mailed calendar invitations (iTIP over iMIP, RFC 5546 and 6047) for meetings.

Invitations are sent on purpose, never as a side effect of saving: the Secretariat opens
"Send invitations" on a meeting, sees what each audience will get (``plan``), and confirms,
which queues the e-mails (``queue``) with who sent them and what the meeting was then. What
a send contains:

* a **confirmed** meeting: a **REQUEST** of the current version (``sequence``, raised by
  ``Meeting.save`` when time, place or status change) to everyone invited who has not got
  it: everyone at first, everyone again after such a change, newcomers otherwise;
* a **postponed** meeting whose invitations went out: a REQUEST (the calendar shows it as
  tentative and "Postponed: ...");
* a **cancelled** meeting: a **CANCEL**, with the organiser's message, to those who hold an
  invitation, and to nobody else;
* whoever holds an invitation and is no longer in the delegation or the attendees: a CANCEL
  to that person alone, so the meeting leaves their calendar (RFC 5546, 3.2.5: how an
  organiser uninvites an attendee). Whoever is invited again later gets the current version.

Planned and held meetings send nothing. Pressing Send twice queues nothing the second time.

The delivery rows are the invitations' outbox (``cms.outbox``): written in the transaction
of the send, so a send that commits has its invitations on record; once it commits, one hint
asks the worker to send them, and a sweep every minute sends whatever a lost hint, a broker
outage or a killed worker left due. Delivery reads the meeting, delegation and attendees as
they are when it runs, and sends to the delegation (active users with an e-mail address) and
the external attendees with an e-mail address; never to the organiser, who is the ORGANIZER
of every invite (a mail whose ORGANIZER is its recipient is dropped by Outlook). Delegation
members get the DELEGATION calendar, external attendees the INVITEE one, which leaves out
confidential agenda items, objectives and asks (see ``liaison.calendars.ics``).

Each (meeting, recipient, sequence, method) has one ``InviteDelivery`` row, the log and the
guard: a worker claims a row (``cms.outbox.claim``) before its e-mail is sent, so a task run
twice, or by two workers at once, sends a recipient a given version once. When sending
fails the row is due again after a growing wait, for ``OUTBOX_RETRY_HOURS``, then marked
failed with the reason. A row that no longer applies when its turn comes (the meeting
changed again, the recipient left) is closed with the reason, not sent. The Secretariat can
resend a sent or failed delivery, or retry every failed one, from the admin: that, on
purpose, is the one case where a recipient gets the same version twice.
"""

import dataclasses
import logging
from email.utils import formataddr

from django.db.models import F, Prefetch, ProtectedError, prefetch_related_objects
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from cms import emails, outbox
from liaison import visibility
from liaison.calendars import ics as ical
from liaison.calendars.models import InviteDelivery
from liaison.meetings import materials
from liaison.meetings.models import Meeting, MeetingMaterial

logger = logging.getLogger(__name__)

TASK = "liaison.tasks.send_invitations"
NO_ORGANISER = "The meeting has no organiser with an e-mail address."

REQUEST = InviteDelivery.Method.REQUEST
CANCEL = InviteDelivery.Method.CANCEL
QUEUED = InviteDelivery.Status.QUEUED
SENT = InviteDelivery.Status.SENT
FAILED = InviteDelivery.Status.FAILED
S = Meeting.Status


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


# --- sending on purpose: what "Send" would queue, and queueing it ---------------------------


@dataclasses.dataclass(frozen=True)
class Send:
    """One e-mail the next send of a meeting would queue."""

    recipient: Recipient
    method: str
    update: bool = False  # they hold an earlier version of the invitation
    removed: bool = False  # a CANCEL telling someone they are no longer invited

    @property
    def what(self):
        if self.removed:
            return "No longer invited (cancellation)"
        if self.method == CANCEL:
            return "Cancellation"
        return "Update" if self.update else "Invitation"


def method_for(meeting, holding=None):
    """What a send of ``meeting`` as it is now is: REQUEST (confirmed; postponed, once anyone
    holds an invitation), CANCEL (cancelled), or None (planned, held: nothing to send).
    ``holding``: ``holders(meeting)``, when the caller has it."""
    if meeting.status == S.CONFIRMED:
        return REQUEST
    if meeting.status == S.POSTPONED:
        return REQUEST if (holders(meeting) if holding is None else holding) else None
    if meeting.status == S.CANCELLED:
        return CANCEL
    return None


def holders(meeting, last=None):
    """The addresses (lower case) that were sent an invitation (any version) and were not
    sent a cancellation since: those whose calendars hold the meeting."""
    last = last_words(meeting) if last is None else last
    return {
        email
        for email, delivery in last.items()
        if delivery.method == REQUEST and delivery.status == SENT
    }


def plan(meeting):
    """The e-mails that pressing Send now would queue (``Send``s), in a stable order: the
    current version to everyone invited who has not got it (newcomers, or everyone after a
    change of time, place or status); a CANCEL to everyone who holds an invitation and is no
    longer invited; when the meeting is cancelled, a CANCEL to those who hold an invitation,
    and nobody else. Empty when there is nothing to send. The delivery log is read once."""
    rows = live_rows(meeting)
    last = last_words(meeting, rows)
    holding = holders(meeting, last)
    method = method_for(meeting, holding)
    if method is None:
        return []
    people = recipients(meeting)
    if method == CANCEL:
        wanted = [Send(p, CANCEL) for p in people if p.email.lower() in holding]
    else:
        earlier = {
            d.recipient_email.lower() for d in rows if (d.method, d.status) == (REQUEST, SENT)
        }
        wanted = [Send(p, REQUEST, update=p.email.lower() in earlier) for p in people]
    wanted += [
        Send(former, CANCEL, removed=method == REQUEST)
        for former in former_invitees(meeting, people, last)
    ]
    done = {(d.recipient_email.lower(), d.method) for d in rows if d.sequence == meeting.sequence}
    return [
        send
        for send in wanted
        if (send.recipient.email.lower(), send.method) not in done
        or _said_otherwise(last.get(send.recipient.email.lower()), send.method)
    ]


def _said_otherwise(last, method):
    """Uninvited and invited again (or the reverse) within one version: the row for this
    method was sent before the other one, so it must go out again."""
    return last is not None and last.status == SENT and last.method != method


def queue(meeting, *, sent_by=None, note=""):
    """Queue what ``plan(meeting)`` lists, in the caller's transaction, and ask the worker to
    send it once that commits; the number of e-mails queued. Sending twice (a double click)
    queues nothing the second time: each (recipient, version, method) has one row."""
    now = timezone.now()
    fields = {
        "sent_by": sent_by,
        "note": note,
        "snapshot": snapshot_of(meeting),
        "due_at": now,
        "queued_at": now,
    }
    queued = 0
    for send in plan(meeting):
        delivery, created = InviteDelivery.objects.get_or_create(
            meeting=meeting,
            recipient_email=send.recipient.email,
            sequence=meeting.sequence,
            method=send.method,
            defaults={"recipient_name": send.recipient.name[:200], **fields},
        )
        if created:
            queued += 1
        elif delivery.status in (SENT, FAILED):
            # Sent before the other method (uninvited and invited again), or failed: the
            # send queues it again.
            rows = InviteDelivery.objects.filter(pk=delivery.pk, status=delivery.status)
            if outbox.requeue(rows):
                rows.update(sent_by=sent_by, note=note)
                queued += 1
    if queued:
        outbox.hint(TASK, meeting.pk)
    return queued


# --- what invitees hold -----------------------------------------------------------------------

SNAPSHOT_FIELDS = {
    "title": "Title",
    "status": "Status",
    "starts_at": "Start",
    "ends_at": "End",
    "time_zone": "Time zone",
    "location": "Place",
    "join_url": "Online link",
}


def snapshot_of(meeting):
    """What invitees are told about the meeting, as stored with each version sent."""
    return {
        "title": meeting.title,
        "status": meeting.get_status_display(),
        "starts_at": _local(meeting, meeting.starts_at),
        "ends_at": _local(meeting, meeting.ends_at),
        "time_zone": meeting.time_zone,
        "location": meeting.location,
        "join_url": meeting.join_url,
    }


def _local(meeting, moment):
    local = moment.astimezone(meeting.zone)
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname()}"


def held_version(meeting):
    """The last version invitees were sent (a sent REQUEST), or None."""
    return (
        meeting.deliveries.filter(method=REQUEST, status=SENT)
        .order_by("-sequence", "-sent_at")
        .first()
    )


def changes_since(meeting, delivery):
    """[(label, then, now)] for what invitees were told in ``delivery`` and has changed."""
    if delivery is None or not delivery.snapshot:
        return []
    now = snapshot_of(meeting)
    return [
        (label, delivery.snapshot.get(key, ""), now[key])
        for key, label in SNAPSHOT_FIELDS.items()
        if delivery.snapshot.get(key, "") != now[key]
    ]


def invited_meeting(meeting):
    """A meeting in its invitees' calendars (an invitation sent, or its cancellation not
    sent yet) would stay there for ever if it were deleted: it must be cancelled, and the
    cancellation sent, first. A held meeting is history and may go."""
    if meeting.status == S.HELD:
        return None
    invited = sum(
        1
        for delivery in last_words(meeting).values()
        if (delivery.method, delivery.status) in ((REQUEST, SENT), (CANCEL, QUEUED))
    )
    if not invited:
        return None
    people = "1 person" if invited == 1 else f"{invited} people"
    return (
        f"“{meeting}” cannot be deleted: {people} received its invitation and would keep it "
        "in their calendar. Cancel the meeting and send the cancellation first, then delete "
        "it."
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


def reply_links(meeting, recipient, method, removed):
    """[(label, url)]: the signed Accept / Tentative / Decline links of an invitation."""
    if method == CANCEL or removed:
        return []
    from liaison.calendars import replies

    return [
        (label, replies.reply_url(meeting, recipient.email, value))
        for value, label in replies.Answer.choices
    ]


def _papers_of(meeting):
    """The meeting's materials, meeting papers first, then by agenda item; read once per
    meeting object (every e-mail of a send is built from the same one)."""
    papers = MeetingMaterial.objects.select_related("document", "agenda_item")
    prefetch_related_objects([meeting], Prefetch("materials", queryset=papers))
    return sorted(meeting.materials.all(), key=materials.agenda_order)


def material_links(meeting, recipient, method, removed):
    """[(material, url)]: the papers of ``meeting`` the recipient's audience is shown
    (visibility.material_shown_to), meeting papers first. Invitees, who have no account, get
    signed download links (liaison.calendars.replies); the delegation gets the admin sign-in
    page going on to the document, so that a forwarded e-mail opens none of the delegation's
    papers (those of confidential items among them) for whoever it reaches."""
    if method == CANCEL or removed:
        return []
    from liaison.calendars import replies

    shown = [m for m in _papers_of(meeting) if visibility.material_shown_to(recipient.audience, m)]
    if recipient.audience == ical.Audience.DELEGATION:
        return [(m, emails.absolute_url(materials.sign_in_url(m.document))) for m in shown]
    return [(m, replies.material_url(m, recipient.email)) for m in shown]


def from_address(organiser):
    """The site's sender address, under the organiser's name and the society's ("Sam Lee via
    SCGTP"), or the site's own sender name when the organiser has none (``cms.emails``)."""
    return emails.sender(organiser.name)


def build_message(
    meeting,
    recipient,
    people,
    method,
    organiser,
    connection=None,
    update=False,
    removed=False,
    note="",
):
    """One e-mail: multipart/mixed [multipart/alternative [text/plain, text/calendar;
    method=...], invite.ics (application/ics)]: the layout Google and Thunderbird send, with
    the iMIP part inside the first child, where Outlook looks for it. ``removed``: a CANCEL
    telling the recipient they are no longer invited to a meeting that goes ahead."""
    url = meeting_url(meeting, recipient.audience)
    calendar = ical.invitation_bytes(
        meeting, recipient.audience, method=str(method), attendees=people, url=url
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
        "note": note,
        "reply_urls": reply_links(meeting, recipient, method, removed),
        "materials": material_links(meeting, recipient, method, removed),
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


def send_invitations(meeting_pk, *_legacy):
    """Send the meeting's due deliveries (the hint after a change); the number sent. Tasks
    queued by earlier versions carried a sequence and method, which the rows now hold."""
    return deliver(outbox.due(InviteDelivery.objects.filter(meeting_id=meeting_pk)))


def send_due_invitations():
    """Send every due delivery (the sweep, every minute); the number sent."""
    return deliver(outbox.due(InviteDelivery.objects.all()))


@emails.batch()
def deliver(rows):
    """Send ``rows`` (due deliveries), a meeting at a time on one mail connection. A row
    that no longer applies is closed with the reason instead."""
    rows = list(rows.order_by("meeting_id", "sequence", "pk")[: outbox.BATCH])
    sent = 0
    for meeting_pk in dict.fromkeys(d.meeting_id for d in rows):
        meeting = _load(meeting_pk)
        if meeting is None:  # deleted meanwhile, and its rows with it
            continue
        people = recipients(meeting)
        pending = []
        for delivery in (d for d in rows if d.meeting_id == meeting_pk):
            recipient, reason = applies(meeting, people, delivery)
            if reason:
                outbox.give_up(delivery, reason)
            else:
                pending.append((delivery, recipient))
        sent += _send_all(meeting, people, pending)
    return sent


def applies(meeting, people, delivery):
    """(recipient, None) if ``delivery`` is still to be sent, or (None, why not)."""
    if meeting.sequence != delivery.sequence:
        return None, (
            f"Superseded: the meeting changed (version {meeting.sequence}) before this "
            "version could be sent."
        )
    if delivery.method == REQUEST and meeting.status == S.CANCELLED:
        return None, "The meeting was cancelled before this invitation could be sent."
    recipient = next(
        (p for p in people if p.email.lower() == delivery.recipient_email.lower()), None
    )
    if delivery.method == CANCEL and (meeting.status != S.CANCELLED or recipient is None):
        # A CANCEL telling someone they are no longer invited.
        if recipient is not None:
            return None, "The recipient was invited to the meeting again."
        return Recipient(
            delivery.recipient_name, delivery.recipient_email, ical.Audience.INVITEE
        ), None
    if recipient is None:
        return None, "The recipient is no longer invited to the meeting."
    return recipient, None


def live_rows(meeting):
    """The meeting's deliveries sent or on their way (not failed), oldest version first."""
    return list(meeting.deliveries.exclude(status=FAILED).order_by("sequence", "updated_at", "pk"))


def last_words(meeting, rows=None):
    """The last delivery sent (or being sent) to each address, by version then time."""
    return {d.recipient_email.lower(): d for d in (live_rows(meeting) if rows is None else rows)}


def former_invitees(meeting, people, last=None):
    """Everyone whose last word from us is an invitation they received (or the CANCEL of it,
    still on its way), who is no longer among ``people``: each must be sent a CANCEL. As
    INVITEE: what they get leaves out the confidential parts whatever they were."""
    current = {p.email.lower() for p in people}
    last = last_words(meeting) if last is None else last
    return [
        Recipient(delivery.recipient_name, delivery.recipient_email, ical.Audience.INVITEE)
        for email, delivery in sorted(last.items())
        if email not in current
        and (delivery.method, delivery.status) in ((REQUEST, SENT), (CANCEL, QUEUED))
    ]


def retry_delivery(delivery_pk, *_legacy):
    """Send the due deliveries of this delivery's meeting (retries scheduled by earlier
    versions named a delivery; the sweep covers them now)."""
    meeting_pk = (
        InviteDelivery.objects.filter(pk=delivery_pk).values_list("meeting_id", flat=True).first()
    )
    return send_invitations(meeting_pk) if meeting_pk else 0


def resendable(delivery):
    """Sent or failed (a queued one is still on its way, and is resent by itself)."""
    return delivery.status in (SENT, FAILED)


def resend(delivery):
    """Queue a sent or failed delivery of the meeting's current version again: the
    Secretariat's deliberate resend. False if it is not resendable or out of date."""
    if delivery.meeting.sequence != delivery.sequence:
        return False
    queued = outbox.requeue(
        InviteDelivery.objects.filter(pk=delivery.pk, status__in=[SENT, FAILED]).exclude(
            meeting__sequence__gt=delivery.sequence
        )
    )
    if queued:
        outbox.hint(TASK, delivery.meeting_id)
    return bool(queued)


def failed_and_current(deliveries):
    """The failed deliveries among ``deliveries`` that are of their meeting's current
    version: those a retry would send (an older version would be superseded at once)."""
    return deliveries.filter(status=FAILED, sequence=F("meeting__sequence"))


def retry_failed(deliveries):
    """Queue the failed deliveries of current versions among ``deliveries`` again, at once
    (after a mail outage longer than the retry window); the number queued."""
    rows = failed_and_current(deliveries)
    meetings = set(rows.values_list("meeting_id", flat=True))
    queued = outbox.requeue(
        InviteDelivery.objects.filter(pk__in=list(rows.values_list("pk", flat=True)))
    )
    for meeting_pk in sorted(meetings):
        outbox.hint(TASK, meeting_pk)
    return queued


def _send_all(meeting, people, pending):
    organiser = organiser_of(meeting)
    if organiser is None:
        for delivery, _recipient in pending:
            outbox.give_up(delivery, NO_ORGANISER)
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
            if not outbox.claim(delivery):
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
                    note=delivery.note,
                )
                # One Message-ID per row and queueing: a copy sent again after a crash is
                # recognisably the same message; a deliberate resend is a new one.
                message.extra_headers["Message-ID"] = outbox.message_id(delivery)
                emails.send(message, connection)  # connects on the first e-mail only
            # SMTP refused, timed out, connection lost, a bad address...: logged and retried.
            except Exception as error:  # noqa: BLE001
                outbox.mark_failed(delivery, error)
                emails.reset(connection)  # the next e-mail reconnects, not on a dead link
                continue
            outbox.mark_sent(delivery)
            sent += 1
    logger.info(
        "Invitations for meeting %s: %d of %d e-mail(s) sent", meeting.pk, sent, len(pending)
    )
    return sent
