"""Meeting and action history moves to a log of its own, filtered by who may see the meeting;
background jobs are now all named liaison.tasks.*."""

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


LOGGED = ("meeting", "actionitem")
RENAMED_TASKS = {
    "liaison.invites.send_invitations": "liaison.tasks.send_invitations",
    "liaison.invites.retry_delivery": "liaison.tasks.retry_delivery",
}
FIELDS = (
    "content_type_id",
    "label",
    "action",
    "data",
    "timestamp",
    "uuid",
    "content_changed",
    "deleted",
    "object_id",
    "revision_id",
    "user_id",
)


def move_history(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes.ContentType")
    Source, Target = apps.get_model(*source.split(".")), apps.get_model(*target.split("."))
    types = ContentType.objects.filter(app_label="liaison", model__in=LOGGED)
    entries = Source.objects.filter(content_type__in=types).order_by("pk")
    Target.objects.bulk_create(
        [Target(**{f: getattr(e, f) for f in FIELDS}) for e in entries.iterator()],
        batch_size=500,
    )
    entries.delete()


def forwards(apps, schema_editor):
    move_history(apps, schema_editor, "wagtailcore.ModelLogEntry", "liaison.LiaisonLogEntry")
    Schedule = apps.get_model("django_q.Schedule")
    for old, new in RENAMED_TASKS.items():
        Schedule.objects.filter(func=old).update(func=new)


def backwards(apps, schema_editor):
    move_history(apps, schema_editor, "liaison.LiaisonLogEntry", "wagtailcore.ModelLogEntry")
    Schedule = apps.get_model("django_q.Schedule")
    for old, new in RENAMED_TASKS.items():
        Schedule.objects.filter(func=new).update(func=old)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("liaison", "0010_briefing_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LiaisonLogEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("label", models.TextField()),
                ("action", models.CharField(blank=True, db_index=True, max_length=255)),
                (
                    "data",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                    ),
                ),
                ("timestamp", models.DateTimeField(db_index=True, verbose_name="timestamp (UTC)")),
                (
                    "uuid",
                    models.UUIDField(
                        blank=True,
                        editable=False,
                        help_text="Log entries that happened as part of the same user action are assigned the same UUID",
                        null=True,
                    ),
                ),
                ("content_changed", models.BooleanField(db_index=True, default=False)),
                ("deleted", models.BooleanField(default=False)),
                ("object_id", models.CharField(db_index=True, max_length=255)),
                (
                    "content_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="content type",
                    ),
                ),
                (
                    "revision",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wagtailcore.revision",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "meeting history entry",
                "verbose_name_plural": "meeting history entries",
                "ordering": ["-timestamp", "-id"],
                "abstract": False,
                "indexes": [
                    models.Index(
                        fields=["uuid", "action", "-timestamp"], name="liaison_lia_uuid_b4de11_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
