from django.db import migrations

from advocacy.roles import ensure_permissions, grant

ALL = ("add", "change", "delete", "view")


def grant_meeting_permissions(apps, schema_editor):
    ensure_permissions(apps)
    grant(
        apps,
        "Secretariat",
        permissions=[
            "liaison.change_any_meeting",
            *(f"liaison.{a}_meeting" for a in ALL),
            *(f"liaison.{a}_actionitem" for a in ALL),
        ],
    )
    # Delegates change only the meetings they are on (liaison/permissions.py decides).
    grant(
        apps,
        "Liaison delegates",
        permissions=[
            "liaison.view_meeting",
            "liaison.change_meeting",
            "liaison.add_actionitem",
            "liaison.change_actionitem",
            "liaison.view_actionitem",
        ],
    )
    for group in ("Policy editors", "Policy approvers"):
        grant(apps, group, permissions=["liaison.view_meeting", "liaison.view_actionitem"])


class Migration(migrations.Migration):
    dependencies = [("liaison", "0003_meetings")]

    operations = [migrations.RunPython(grant_meeting_permissions, migrations.RunPython.noop)]
