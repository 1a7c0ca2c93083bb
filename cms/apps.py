from urllib.parse import urlsplit

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def point_site_at_base_url(**kwargs):
    """Keep Wagtail's default Site on BASE_URL's host and port.

    Wagtail builds absolute links (e-mails, the API, full_url) from the Site record, which
    the migrations create as localhost:80. BASE_URL is the deployment's public address.
    """
    from django.conf import settings
    from wagtail.models import Site

    base = urlsplit(settings.BASE_URL)
    port = base.port or (443 if base.scheme == "https" else 80)
    updated = (
        Site.objects.filter(is_default_site=True)
        .exclude(hostname=base.hostname, port=port)
        .update(hostname=base.hostname, port=port)
    )
    if updated:
        Site.clear_site_root_paths_cache()
        from cms import pagecache

        pagecache.bump()


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site operations"

    def ready(self):
        post_migrate.connect(point_site_at_base_url, sender=self)
        from cms.emails import send_workflow_notices_through_our_mail

        send_workflow_notices_through_our_mail()
        # Cached public pages are dropped whenever something they show changes.
        from cms import pagecache

        pagecache.connect()
        # Every many-to-many field in an admin form (meeting regulators and delegation,
        # position topics...) refuses ids too large for the database with a form error.
        from django.db.models import ManyToManyField
        from wagtail.admin.forms.models import register_form_field_override

        from liaison.meetings.forms import CheckedModelMultipleChoiceField

        register_form_field_override(
            ManyToManyField, override={"form_class": CheckedModelMultipleChoiceField}
        )
