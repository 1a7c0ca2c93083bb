from django.db import migrations

from advocacy.roles import ensure_permissions, grant


def grant_calendar_permissions(apps, schema_editor):
    ensure_permissions(apps)
    # The Secretariat sees subscribers and can revoke them, and reads (and resends from) the
    # invitation delivery log. Nobody adds deliveries or tokens by hand.
    grant(
        apps,
        "Secretariat",
        permissions=[
            "liaison.view_subscriber",
            "liaison.change_subscriber",
            "liaison.delete_subscriber",
            "liaison.view_invitedelivery",
            "liaison.change_invitedelivery",
            "liaison.view_feedtoken",
            "liaison.change_feedtoken",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("liaison", "0007_calendar_subscriptions_and_invites")]

    operations = [migrations.RunPython(grant_calendar_permissions, migrations.RunPython.noop)]
