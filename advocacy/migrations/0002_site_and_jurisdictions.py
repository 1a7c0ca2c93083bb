from django.db import migrations

JURISDICTIONS = [
    ("us", "United States"),
    ("ca", "Canada"),
    ("eu", "European Union"),
    ("uk", "United Kingdom"),
    ("jp", "Japan"),
    ("global", "Global"),
]


def create_site(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("advocacy.HomePage")
    Jurisdiction = apps.get_model("advocacy.Jurisdiction")
    Locale = apps.get_model("wagtailcore.Locale")

    # Replace Wagtail's "Welcome to your new Wagtail site!" page with our home page.
    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    Page.objects.filter(content_type=page_type, slug="home", depth=2).delete()
    home_type, _ = ContentType.objects.get_or_create(app_label="advocacy", model="homepage")
    home = HomePage.objects.create(
        title="Home",
        draft_title="Home",
        slug="home",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        live=True,
        locale=Locale.objects.order_by("pk").first(),
    )
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Liaise"
    )

    for code, name in JURISDICTIONS:
        Jurisdiction.objects.get_or_create(code=code, defaults={"name": name})


def remove_site(apps, schema_editor):
    apps.get_model("advocacy.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("advocacy", "0001_initial")]

    operations = [migrations.RunPython(create_site, remove_site)]
