import datetime

from django.db import migrations

from advocacy.roles import ensure_permissions, grant

ALL = ("add", "change", "delete", "view")


def grant_ask_permissions(apps, schema_editor):
    """The Secretariat keeps the ledger (and merges asks); delegates add asks and record what
    regulators answer; policy staff read it."""
    ensure_permissions(apps)
    grant(
        apps,
        "Secretariat",
        permissions=[*(f"liaison.{a}_ask" for a in ALL), "liaison.merge_ask"],
    )
    grant(
        apps,
        "Liaison delegates",
        permissions=["liaison.view_ask", "liaison.add_ask", "liaison.change_ask"],
    )
    for group in ("Policy editors", "Policy approvers"):
        grant(apps, group, permissions=["liaison.view_ask"])


SCHEDULE = "Asks of past meetings"


def create_schedule(apps, schema_editor):
    """Daily, with the reminders: meetings that took place bring their asks into the ledger
    even when nobody saved them afterwards."""
    tomorrow = datetime.datetime.combine(
        datetime.date.today() + datetime.timedelta(days=1), datetime.time(7, 0), tzinfo=datetime.UTC
    )
    apps.get_model("django_q.Schedule").objects.update_or_create(
        name=SCHEDULE,
        defaults={
            "func": "liaison.tasks.record_asks_of_past_meetings",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": tomorrow,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q.Schedule").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0024_asks_ledger"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(grant_ask_permissions, migrations.RunPython.noop),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
