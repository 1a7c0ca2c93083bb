"""Grant Django groups their permissions from data migrations.

Every function takes the migration's `apps` registry, so it works on historical models.
"""

from django.contrib.auth.management import create_permissions


def ensure_permissions(apps):
    # Permissions are normally created after `migrate` finishes; a data migration that
    # grants them must create them first.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def get_permissions(apps, names):
    """Return Permission rows for names like "advocacy.change_topic"."""
    Permission = apps.get_model("auth.Permission")
    permissions = []
    for name in names:
        app_label, codename = name.split(".")
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return permissions


def grant(apps, group_name, permissions=(), page_permissions=(), collection_permissions=()):
    """Create the group if needed and add model, page (on the site root) and collection
    (on the root collection) permissions to it. Running it twice changes nothing."""
    Group = apps.get_model("auth.Group")
    group, _ = Group.objects.get_or_create(name=group_name)
    group.permissions.add(*get_permissions(apps, permissions))

    if page_permissions:
        Site = apps.get_model("wagtailcore.Site")
        GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
        site = Site.objects.get(is_default_site=True)
        for permission in get_permissions(apps, page_permissions):
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=site.root_page_id, permission=permission
            )

    if collection_permissions:
        Collection = apps.get_model("wagtailcore.Collection")
        GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
        root = Collection.objects.get(depth=1)
        for permission in get_permissions(apps, collection_permissions):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root, permission=permission
            )
    return group
