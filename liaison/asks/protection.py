"""The ledger is never lost to a delete elsewhere: a regulator, organisation, topic, position
or meeting that an ask (or one of its events) names cannot be deleted; `dependants` says
why, for the admin's hooks, and the pre_delete signals refuse everywhere else."""

from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from advocacy.models import PositionPage, Topic
from liaison.asks.models import Ask, AskEvent
from liaison.meetings.models import Meeting, Organisation, Regulator


def dependants(obj):
    """A sentence saying which asks depend on ``obj``, or None when none do."""
    if isinstance(obj, Meeting):
        count = AskEvent.objects.filter(meeting=obj).values("ask").distinct().count()
        what = "the history of"
    elif isinstance(obj, Regulator):
        count, what = Ask.objects.filter(regulators=obj).count(), "are put to it:"
    elif isinstance(obj, Organisation):
        count, what = Ask.objects.filter(organisation=obj).count(), "came from it:"
    elif isinstance(obj, Topic):
        count, what = Ask.objects.filter(topics=obj).count(), "are filed under it:"
    elif isinstance(obj, PositionPage):
        count, what = Ask.objects.filter(positions=obj).count(), "rest on it:"
    else:
        return None
    if not count:
        return None
    asks = f"{count} ask{'' if count == 1 else 's'}"
    if isinstance(obj, Meeting):
        return f"“{obj}” cannot be deleted: it is in the history of {asks} in the ledger."
    return f"“{obj}” cannot be deleted: {asks} in the ledger {what.removesuffix(':')}."


@receiver(pre_delete, sender=Meeting, dispatch_uid="liaison.asks.protection.meeting")
@receiver(pre_delete, sender=Regulator, dispatch_uid="liaison.asks.protection.regulator")
@receiver(pre_delete, sender=Organisation, dispatch_uid="liaison.asks.protection.organisation")
@receiver(pre_delete, sender=Topic, dispatch_uid="liaison.asks.protection.topic")
@receiver(pre_delete, sender=PositionPage, dispatch_uid="liaison.asks.protection.position")
def refuse_to_orphan_asks(sender, instance, **kwargs):
    reason = dependants(instance)
    if reason:
        raise ProtectedError(reason, {instance})
