from django.db import migrations

from advocacy.roles import ensure_permissions, grant

DOCUMENTS_AND_IMAGES = [
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
]


def create_roles(apps, schema_editor):
    ensure_permissions(apps)
    # Editors draft and submit positions for approval; they cannot publish.
    grant(
        apps,
        "Policy editors",
        permissions=[
            "wagtailadmin.access_admin",
            "advocacy.add_topic",
            "advocacy.change_topic",
            "advocacy.view_topic",
            "advocacy.view_jurisdiction",
        ],
        page_permissions=["wagtailcore.add_page", "wagtailcore.change_page"],
        collection_permissions=DOCUMENTS_AND_IMAGES,
    )
    # Approvers sit on the policy committee: they approve and publish.
    grant(
        apps,
        "Policy approvers",
        permissions=[
            "wagtailadmin.access_admin",
            "advocacy.add_topic",
            "advocacy.change_topic",
            "advocacy.delete_topic",
            "advocacy.view_topic",
            "advocacy.add_jurisdiction",
            "advocacy.change_jurisdiction",
            "advocacy.view_jurisdiction",
        ],
        page_permissions=[
            "wagtailcore.add_page",
            "wagtailcore.change_page",
            "wagtailcore.publish_page",
            "wagtailcore.lock_page",
            "wagtailcore.unlock_page",
        ],
        collection_permissions=DOCUMENTS_AND_IMAGES,
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(
        name__in=["Policy editors", "Policy approvers"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("advocacy", "0002_site_and_jurisdictions"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
