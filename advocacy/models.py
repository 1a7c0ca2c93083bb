from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from advocacy.blocks import RICH_TEXT_FEATURES, PositionBodyBlock


class Topic(models.Model):
    """A policy theme positions are filed under, e.g. potency assays."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Jurisdiction(models.Model):
    """Where a position applies: a country, a region, or global."""

    code = models.SlugField(max_length=20, unique=True, help_text="Short code, e.g. us, eu, jp.")
    name = models.CharField(max_length=100, unique=True)

    panels = [FieldPanel("name"), FieldPanel("code")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class HomePage(Page):
    """The site root: what the society stands for, and what is new."""

    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["advocacy.PositionIndexPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        positions = PositionPage.objects.live().public().select_related("policy_owner")
        context["featured_positions"] = positions.filter(
            policy_status=PositionPage.Status.ADOPTED
        ).order_by("-adopted_on", "-first_published_at")[:3]
        context["position_index"] = PositionIndexPage.objects.live().public().first()
        return context


class PositionIndexPage(Page):
    """Lists the society's policy positions."""

    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["advocacy.HomePage"]
    subpage_types = ["advocacy.PositionPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["positions"] = (
            PositionPage.objects.live()
            .public()
            .descendant_of(self)
            .order_by("-adopted_on", "title")
        )
        return context


class PositionPage(Page):
    """A policy position of the society, quoted by briefings and cited in meeting agendas."""

    class Status(models.TextChoices):
        CONSULTATION = "consultation", "In consultation"
        ADOPTED = "adopted", "Adopted"
        SUPERSEDED = "superseded", "Superseded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    summary = models.TextField(
        max_length=600,
        help_text="Two or three plain sentences. Briefings and listings quote this.",
    )
    body = StreamField(PositionBodyBlock(), blank=True)
    topics = ParentalManyToManyField(Topic, blank=True, related_name="positions")
    jurisdictions = ParentalManyToManyField(Jurisdiction, blank=True, related_name="positions")
    policy_status = models.CharField(
        "policy status", max_length=20, choices=Status.choices, default=Status.CONSULTATION
    )
    adopted_on = models.DateField("adopted on", null=True, blank=True)
    review_by = models.DateField("review by", null=True, blank=True)
    version_label = models.CharField(
        max_length=20, blank=True, help_text="As the committee numbers it, e.g. 2.1."
    )
    policy_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="owner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_positions",
        help_text="The staff member responsible for keeping this position current.",
    )
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        help_text="The earlier position this one replaces.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("policy_status"),
                FieldRowPanel([FieldPanel("adopted_on"), FieldPanel("review_by")]),
                FieldRowPanel([FieldPanel("version_label"), FieldPanel("policy_owner")]),
                FieldPanel("supersedes"),
            ],
            heading="Status",
        ),
        MultiFieldPanel(
            [FieldPanel("topics"), FieldPanel("jurisdictions")], heading="Classification"
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("policy_status"),
        index.FilterField("adopted_on"),
    ]

    parent_page_types = ["advocacy.PositionIndexPage"]
    subpage_types = []

    def clean(self):
        super().clean()
        if self.policy_status == self.Status.ADOPTED and not self.adopted_on:
            raise ValidationError({"adopted_on": "An adopted position needs its adoption date."})
        if self.supersedes_id and self.supersedes_id == self.pk:
            raise ValidationError({"supersedes": "A position cannot supersede itself."})
        if self.review_by and self.adopted_on and self.review_by < self.adopted_on:
            raise ValidationError({"review_by": "The review date must be after adoption."})

    @property
    def is_current(self):
        return self.policy_status in (self.Status.CONSULTATION, self.Status.ADOPTED)

    def is_past_review(self, on=None):
        on = on or timezone.localdate()
        return bool(self.review_by and self.review_by < on)
