"""Meeting history is never lost to a delete elsewhere.

Meetings link to regulators, contacts and positions through many-to-many tables, which
Django would empty silently when one of those is deleted. `dependants` says what still uses
an object; the admin hooks refuse such deletes with that sentence, and the pre_delete
signals refuse them everywhere else (shell, bulk actions, scripts). Likewise a meeting whose
invitations are in people's calendars: it is cancelled first, so they hear of it.
"""

from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from advocacy.models import PositionPage
from liaison.models import (
    AgendaItem,
    Contact,
    InviteDelivery,
    Meeting,
    Organisation,
    Regulator,
)


def _count(n, noun):
    return f"{n} {noun}{'' if n == 1 else 's'}"


def dependants(obj):
    """A sentence naming what depends on `obj`, or None when it can go."""
    parts = []
    if isinstance(obj, Regulator):
        parts = [
            _count(Meeting.objects.filter(regulators=obj).count(), "meeting"),
            _count(obj.contacts.count(), "contact"),
            _count(obj.actions.count(), "action"),
        ]
    elif isinstance(obj, Organisation):
        parts = [_count(obj.contacts.count(), "contact"), _count(obj.actions.count(), "action")]
    elif isinstance(obj, Contact):
        parts = [_count(Meeting.objects.filter(attendees=obj).count(), "meeting")]
    elif isinstance(obj, PositionPage):
        parts = [_count(AgendaItem.objects.filter(cited_positions=obj).count(), "agenda item")]
    elif isinstance(obj, Meeting):
        return invited_meeting(obj)
    used = [p for p in parts if not p.startswith("0 ")]
    if not used:
        return None
    return f"“{obj}” cannot be deleted: {' and '.join(used)} refer to it."


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


def page_dependants(page):
    """Like `dependants`, for a page and everything below it."""
    cited = PositionPage.objects.descendant_of(page, inclusive=True).filter(
        agenda_items__isnull=False
    )
    titles = list(cited.values_list("title", flat=True).distinct()[:5])
    if not titles:
        return None
    named = ", ".join(f"“{t}”" for t in titles)
    return (
        f"“{page.title}” cannot be deleted: meeting agendas cite {named}. "
        "Mark a position withdrawn or superseded instead; it stays on record."
    )


@receiver(pre_delete, sender=Regulator)
@receiver(pre_delete, sender=Contact)
@receiver(pre_delete, sender=PositionPage)
@receiver(pre_delete, sender=Meeting)
def refuse_to_orphan_meetings(sender, instance, **kwargs):
    reason = dependants(instance)
    if reason:
        raise ProtectedError(reason, {instance})
