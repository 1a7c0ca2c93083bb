"""The "Meeting materials" collection, where meeting papers are uploaded: documents in it (or
under it) are served only to those liaison.visibility.may_download_material allows
(liaison/meetings/materials.py). The Secretariat uploads and edits them there; delegates may
choose and download them.

Running it twice changes nothing; reversing it leaves the collection (and its documents) alone.
"""

from django.db import migrations

from advocacy.roles import ensure_permissions, get_permissions

NAME = "Meeting materials"  # liaison.meetings.materials.NAME, frozen here
STEPLEN = 4  # treebeard's MP_Node defaults, which Collection uses
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

GRANTS = {
    "Secretariat": [
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    "Liaison delegates": ["wagtaildocs.choose_document"],
}


def _step(number):
    digits = ""
    while number:
        number, digit = divmod(number, len(ALPHABET))
        digits = ALPHABET[digit] + digits
    return digits.rjust(STEPLEN, "0")


def create_collection(apps, schema_editor):
    Collection = apps.get_model("wagtailcore.Collection")
    root = Collection.objects.get(depth=1)
    collection = Collection.objects.filter(depth=2, name=NAME).first()
    if collection is None:
        # The historical model has no treebeard methods: append a child to the root by hand.
        last = (
            Collection.objects.filter(depth=2, path__startswith=root.path)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        position = int(last[-STEPLEN:], len(ALPHABET)) + 1 if last else 1
        collection = Collection.objects.create(
            name=NAME, path=root.path + _step(position), depth=2, numchild=0
        )
        root.numchild = Collection.objects.filter(depth=2, path__startswith=root.path).count()
        root.save(update_fields=["numchild"])

    ensure_permissions(apps)
    Group = apps.get_model("auth.Group")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    for group in Group.objects.filter(name__in=GRANTS):
        for permission in get_permissions(apps, GRANTS[group.name]):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=permission
            )


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0011_liaison_log"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_collection, migrations.RunPython.noop)]
