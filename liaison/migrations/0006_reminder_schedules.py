import datetime

from django.db import migrations

SCHEDULES = {
    "Action reminders": "liaison.tasks.send_action_reminders",
    "Meeting reminders": "liaison.tasks.send_meeting_reminders",
}


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q.Schedule")
    # Daily from tomorrow 07:00 UTC, with the position review reminders.
    tomorrow = datetime.datetime.combine(
        datetime.date.today() + datetime.timedelta(days=1),
        datetime.time(7, 0),
        tzinfo=datetime.UTC,
    )
    for name, func in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": "D", "repeats": -1, "next_run": tomorrow},
        )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_q.Schedule").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0005_meeting_reminders"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
