from django.db import migrations

from advocacy.roles import ensure_permissions, grant


def grant_briefing_permissions(apps, schema_editor):
    ensure_permissions(apps)
    # Which briefing of which meeting a user may generate or download is decided per object
    # (liaison/briefings_admin.py); these only open the door.
    grant(
        apps,
        "Secretariat",
        permissions=[f"liaison.{a}_briefing" for a in ("add", "view", "delete")],
    )
    grant(apps, "Liaison delegates", permissions=["liaison.add_briefing", "liaison.view_briefing"])


class Migration(migrations.Migration):
    dependencies = [("liaison", "0009_briefings")]

    operations = [migrations.RunPython(grant_briefing_permissions, migrations.RunPython.noop)]
