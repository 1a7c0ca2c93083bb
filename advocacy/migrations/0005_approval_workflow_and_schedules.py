import datetime

from django.db import migrations


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Group = apps.get_model("auth.Group")
    Site = apps.get_model("wagtailcore.Site")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")

    # Wagtail ships a "Moderators approval" workflow and Editors/Moderators groups; the
    # society's roles replace them, and two sets of roles would only confuse admins.
    Workflow.objects.filter(name="Moderators approval").update(active=False)
    WorkflowPage.objects.filter(workflow__name="Moderators approval").delete()
    Group.objects.filter(name__in=["Editors", "Moderators"]).delete()

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task, _ = GroupApprovalTask.objects.get_or_create(
        name="Policy committee review", defaults={"content_type": task_type, "active": True}
    )
    task.groups.set([Group.objects.get(name="Policy approvers")])
    workflow, _ = Workflow.objects.get_or_create(
        name="Policy committee approval", defaults={"active": True}
    )
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    # On the home page, so every position and response below it goes through the committee.
    home_id = Site.objects.get(is_default_site=True).root_page_id
    WorkflowPage.objects.update_or_create(page_id=home_id, defaults={"workflow": workflow})


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q.Schedule")
    # Wagtail only publishes and unpublishes scheduled pages when this command runs.
    Schedule.objects.update_or_create(
        name="Publish scheduled pages",
        defaults={
            "func": "django.core.management.call_command",
            "args": "'publish_scheduled'",
            "schedule_type": "I",
            "minutes": 5,
            "repeats": -1,
        },
    )
    tomorrow = datetime.datetime.combine(
        datetime.date.today() + datetime.timedelta(days=1),
        datetime.time(7, 0),
        tzinfo=datetime.UTC,
    )
    Schedule.objects.update_or_create(
        name="Position review reminders",
        defaults={
            "func": "advocacy.tasks.send_review_reminders",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": tomorrow,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_q.Schedule").objects.filter(
        name__in=["Publish scheduled pages", "Position review reminders"]
    ).delete()
    apps.get_model("wagtailcore.Workflow").objects.filter(
        name="Policy committee approval"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("advocacy", "0004_responses_and_reminders"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(create_workflow, remove),
        migrations.RunPython(create_schedules, migrations.RunPython.noop),
    ]
