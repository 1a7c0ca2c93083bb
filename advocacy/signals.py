"""Keep the search index of positions in step with the regulators it names.

A position is found by the names and acronyms of the regulators of its jurisdictions
(PositionPage.classification_terms), which live in liaison's table: when a regulator is
added, renamed, moved or deleted, the positions of its jurisdictions (before and after) are
indexed again. Regulators change rarely, and a jurisdiction holds a few dozen positions.
The sender is named by its label, since advocacy does not import liaison."""

from django.db.models.signals import post_delete, post_save, pre_save
from wagtail.search import index

REGULATOR = "liaison.Regulator"


def _remember_jurisdiction(sender, instance, **kwargs):
    previous = sender.objects.filter(pk=instance.pk).values_list("jurisdiction_id", flat=True)
    instance._indexed_jurisdiction_id = previous.first() if instance.pk else None


def _reindex_positions(sender, instance, **kwargs):
    from advocacy.models import PositionPage

    jurisdictions = {instance.jurisdiction_id, getattr(instance, "_indexed_jurisdiction_id", None)}
    positions = PositionPage.objects.live().filter(jurisdictions__in=jurisdictions - {None})
    for position in positions.distinct():
        index.insert_or_update_object(position)


def connect():
    pre_save.connect(_remember_jurisdiction, sender=REGULATOR, dispatch_uid="regulator-terms")
    post_save.connect(_reindex_positions, sender=REGULATOR, dispatch_uid="regulator-terms")
    post_delete.connect(_reindex_positions, sender=REGULATOR, dispatch_uid="regulator-terms")
