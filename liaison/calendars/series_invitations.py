"""Invitations to a whole series (iTIP REQUEST of the series' event: its RRULE, EXDATEs and
overrides), sent on purpose from Liaison ▸ Series ▸ Send invitations to the series'
delegation. One e-mail per recipient and version of the series, through the outbox
(``cms.outbox.post`` with a key): a second press, or a page sent twice, queues nothing.

A change to one meeting of the series goes out from that meeting's own send page as an
update or cancellation of that occurrence (``liaison.calendars.invitations``); a new rule
from a day on ends the old series (its version rises: send it again, and its calendars stop
at the day before) and starts a new one, with its own UID, to be sent in turn.
"""

from email.utils import formataddr

from django.urls import reverse

from cms import emails, outbox
from liaison import visibility
from liaison.calendars import ics as ical
from liaison.calendars.ics_writer import calendar_bytes
from liaison.meetings.models import Meeting

KIND = "series-invitation"
NO_ORGANISER = "The series has no organiser with an e-mail address: choose one first."
NO_MEETINGS = "The series has no meetings made by a rule yet."


def organiser_of(series):
    user = series.organiser
    if user is None or not user.email or "@" not in user.email:
        return None
    return ical.Person(ical.display_name(user.get_full_name() or user.get_username()), user.email)


def recipients(series):
    """The series' delegation (active, with an e-mail address), never the organiser."""
    organiser = organiser_of(series)
    seen = {organiser.email.lower()} if organiser else set()
    out = []
    for user in sorted(
        series.delegation.all(), key=lambda u: (u.get_full_name() or u.get_username(), u.email)
    ):
        email = (user.email or "").strip()
        if not user.is_active or "@" not in email or email.lower() in seen:
            continue
        seen.add(email.lower())
        name = ical.display_name(user.get_full_name() or user.get_username())
        out.append((name, email))
    return out


def problem(series):
    """Why the series cannot be sent, or None."""
    if organiser_of(series) is None:
        return NO_ORGANISER
    if not series.has_rule or not series.meetings.filter(recurrence_id__isnull=False).exists():
        return NO_MEETINGS
    return None


def key(series, email):
    return f"{KIND}:{series.uuid}:{series.sequence}:{email.lower()}"


def series_url(series):
    if series.visibility == Meeting.Visibility.PUBLIC:
        return emails.absolute_url(reverse("liaison:public_series", args=[series.uuid]))
    return emails.absolute_url(
        reverse("wagtailsnippets_liaison_meetingseries:edit", args=[series.pk])
    )


def calendar(series):
    """The REQUEST: the series' event and an override for each meeting that differs, as
    the delegation sees them."""
    representative = series.meetings.filter(recurrence_id__isnull=False).first()
    events, _written = ical._series_events(
        {series.pk: representative}, lambda meeting: visibility.Audience.DELEGATION
    )
    return calendar_bytes(events, method="REQUEST")


def build_message(series, name, email, organiser, body):
    url = series_url(series)
    message = emails.message(
        "liaison/emails/series-invite",
        {
            "series": series,
            "recipient_name": name,
            "organiser": organiser,
            "rule": series.rule.describe() if series.rule else "",
            "first": series.first_start.astimezone(series.rule_zone),
            "zone_name": series.time_zone.replace("_", " "),
            "url": url,
        },
        from_email=emails.sender(organiser.name),
        to=[formataddr((name, email))],
        reply_to=[formataddr((organiser.name, organiser.email))],
    )
    message.attach_alternative(body.decode("utf-8"), "text/calendar; method=REQUEST")
    message.attach("invite.ics", body, "application/ics")
    return message


def queue(series):
    """Queue the series' invitation to each recipient who has not had this version; the
    number queued."""
    reason = problem(series)
    if reason:
        raise ValueError(reason)
    organiser = organiser_of(series)
    body = calendar(series)
    queued = 0
    for name, email in recipients(series):
        message = build_message(series, name, email, organiser, body)
        if outbox.post(message, kind=KIND, key=key(series, email)) is not None:
            queued += 1
    return queued


def sent_to(series):
    """The addresses that hold this version of the series' invitation."""
    from cms.models import OutgoingMail

    prefix = f"{KIND}:{series.uuid}:{series.sequence}:"
    return {
        k.removeprefix(prefix)
        for k in OutgoingMail.objects.filter(key__startswith=prefix).values_list("key", flat=True)
    }
