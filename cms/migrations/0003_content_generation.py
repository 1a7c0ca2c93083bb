"""The content generation of cached public pages (cms.pagecache), and the rows it and
Settings ▸ Society read on every page: made here, so that the first visitor's request is not
the one that writes them (a write would itself be a change)."""

import uuid

from django.db import migrations, models


def make_rows(apps, schema_editor):
    apps.get_model("cms", "ContentGeneration").objects.get_or_create(
        pk=1, defaults={"token": uuid.uuid4().hex}
    )
    SocietySettings = apps.get_model("cms", "SocietySettings")
    if not SocietySettings.objects.exists():
        SocietySettings.objects.create()


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0002_society_settings'),
    ]

    operations = [
        migrations.CreateModel(
            name='ContentGeneration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(max_length=32)),
                ('changed_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.RunPython(make_rows, migrations.RunPython.noop),
    ]
