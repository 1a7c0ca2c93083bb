import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from advocacy.models import Jurisdiction


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a known IANA time zone.") from None


class Regulator(index.Indexed, models.Model):
    """A regulatory agency (or an office of one) the society meets."""

    name = models.CharField(max_length=200, unique=True)
    acronym = models.CharField(max_length=30, help_text="As delegates say it, e.g. FDA CBER.")
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="regulators"
    )
    website = models.URLField(blank=True)
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        validators=[validate_time_zone],
        help_text="Meetings with this regulator default to this zone.",
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("acronym")]),
        FieldRowPanel([FieldPanel("jurisdiction"), FieldPanel("time_zone")]),
        FieldPanel("website"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("acronym"),
        index.AutocompleteField("name"),
        index.AutocompleteField("acronym"),
    ]

    class Meta:
        ordering = ["acronym"]

    def __str__(self):
        return self.acronym


class Organisation(index.Indexed, models.Model):
    """A stakeholder or member organisation: a company, a patient group, a society."""

    class Kind(models.TextChoices):
        MEMBER = "member", "Member organisation"
        STAKEHOLDER = "stakeholder", "Stakeholder"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STAKEHOLDER)
    website = models.URLField(blank=True)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]), FieldPanel("website")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Contact(index.Indexed, models.Model):
    """A person outside the society's staff: at a regulator or at an organisation."""

    name = models.CharField(max_length=200)
    job_title = models.CharField("title", max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    regulator = models.ForeignKey(
        Regulator, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("job_title")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        MultiFieldPanel(
            [FieldPanel("regulator"), FieldPanel("organisation")],
            heading="Works at",
            help_text="A regulator or an organisation, not both.",
        ),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("email"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(regulator__isnull=True) | models.Q(organisation__isnull=True),
                name="contact_works_at_one_place",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.regulator_id and self.organisation_id:
            raise ValidationError("A contact works at a regulator or an organisation, not both.")

    @property
    def affiliation(self):
        return self.regulator or self.organisation
