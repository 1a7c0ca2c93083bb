from django.db import migrations

from advocacy.roles import ensure_permissions, grant

ALL = ("add", "change", "delete", "view")


def grant_series_permissions(apps, schema_editor):
    """The Secretariat manages series; everyone who sees meetings sees them."""
    ensure_permissions(apps)
    grant(apps, "Secretariat", permissions=[f"liaison.{a}_meetingseries" for a in ALL])
    for group in ("Liaison delegates", "Policy editors", "Policy approvers"):
        grant(apps, group, permissions=["liaison.view_meetingseries"])


class Migration(migrations.Migration):
    dependencies = [("liaison", "0022_meeting_series")]

    operations = [migrations.RunPython(grant_series_permissions, migrations.RunPython.noop)]
