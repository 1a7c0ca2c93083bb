"""Meeting history is never lost to a delete elsewhere.

Meetings link to regulators, contacts and positions through many-to-many tables, which
Django would empty silently when one of those is deleted. `dependants` says what still uses
an object; the admin hooks refuse such deletes with that sentence, and the pre_delete
signals refuse them everywhere else (shell, bulk actions, scripts). A meeting whose invitations
are in people's calendars is guarded the same way by liaison.calendars.invitations.
"""

from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from advocacy.models import PositionPage
from liaison.meetings.models import AgendaItem, Contact, Meeting, Organisation, Regulator


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
    used = [p for p in parts if not p.startswith("0 ")]
    if not used:
        return None
    return f"“{obj}” cannot be deleted: {' and '.join(used)} refer to it."


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


@receiver(pre_delete, sender=Regulator, dispatch_uid="liaison.protection.regulator")
@receiver(pre_delete, sender=Contact, dispatch_uid="liaison.protection.contact")
@receiver(pre_delete, sender=PositionPage, dispatch_uid="liaison.protection.position")
def refuse_to_orphan_meetings(sender, instance, **kwargs):
    reason = dependants(instance)
    if reason:
        raise ProtectedError(reason, {instance})
