from django.db import migrations

from advocacy.roles import ensure_permissions, grant

DIRECTORY = ["regulator", "organisation", "contact"]


def create_roles(apps, schema_editor):
    ensure_permissions(apps)
    # Delegates look people up and record the contacts they meet.
    grant(
        apps,
        "Liaison delegates",
        permissions=[
            "wagtailadmin.access_admin",
            *(f"liaison.view_{model}" for model in DIRECTORY),
            "liaison.add_contact",
            "liaison.change_contact",
            "advocacy.view_topic",
        ],
    )
    # The Secretariat runs meetings, the directory and subscriptions.
    grant(
        apps,
        "Secretariat",
        permissions=[
            "wagtailadmin.access_admin",
            *(
                f"liaison.{action}_{model}"
                for model in DIRECTORY
                for action in ("add", "change", "delete", "view")
            ),
            "advocacy.view_topic",
            "advocacy.view_jurisdiction",
        ],
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(
        name__in=["Liaison delegates", "Secretariat"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0001_initial"),
        ("advocacy", "0003_policy_roles"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
