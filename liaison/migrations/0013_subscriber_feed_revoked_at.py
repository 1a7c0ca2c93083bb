"""The Secretariat's revocation of a subscriber's calendar address is recorded, so that the
subscriber's manage link cannot simply get a new address."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0012_meeting_materials_collection"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="feed_revoked_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the Secretariat switched off their calendar address. Until "
                "the Secretariat allows it again, the subscriber cannot get a new one.",
                null=True,
                verbose_name="calendar address revoked",
            ),
        ),
    ]
