import datetime
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager, PageViewRestriction, Site
from wagtail.query import PageQuerySet
from wagtail.search import index

from advocacy.blocks import PositionBodyBlock
from advocacy.rich_text import RICH_TEXT_FEATURES, CleanRichTextField
from advocacy.serializers import NameListSerializer
from cms.widgets import Checklist


def in_private_section():
    """Pages at or under a page with a view restriction, as a condition the page query
    itself checks in a subquery."""
    return Q(
        Exists(
            PageViewRestriction.objects.filter(
                page__path=Substr(OuterRef("path"), 1, Length("page__path"))
            )
        )
    )


class SocietyPageQuerySet(PageQuerySet):
    def private_q(self):
        # Wagtail's own reads every view restriction in a query of its own, once per
        # public(): the home page, which lists positions and responses beside the menu,
        # asked five times.
        return in_private_section()


SocietyPageManager = PageManager.from_queryset(SocietyPageQuerySet)


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

    objects = SocietyPageManager()

    intro = CleanRichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["advocacy.PositionIndexPage", "advocacy.ResponseIndexPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        positions = PositionPage.objects.live().public()
        context["featured_positions"] = positions.filter(
            policy_status=PositionPage.Status.ADOPTED
        ).order_by("-adopted_on", "-first_published_at")[:3]
        sections = site_sections(request)
        context["position_index"] = sections.get(PositionIndexPage)
        context["recent_responses"] = (
            ConsultationResponsePage.objects.live().public().order_by("-submitted_on")[:3]
        )
        context["response_index"] = sections.get(ResponseIndexPage)
        return context


class ListingPage(Page):
    """A section of the site that lists its children, a page at a time."""

    objects = SocietyPageManager()

    intro = CleanRichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["advocacy.HomePage"]
    max_count = 1
    PER_PAGE = 20

    class Meta:
        abstract = True

    def route(self, request, path_components):
        # A section's children are all of one type: read the child as that type in one
        # query, where Wagtail reads the page and then its specific row.
        models_ = self.allowed_subpage_models()
        if not path_components or len(models_) != 1:
            return super().route(request, path_components)
        try:
            child = models_[0].objects.child_of(self).get(slug=path_components[0])
        except models_[0].DoesNotExist as e:
            raise Http404 from e
        child._cached_parent_obj = self
        return child.route(request, path_components[1:])

    def paginate(self, request, items, context):
        context["page_obj"] = Paginator(items, self.PER_PAGE).get_page(request.GET.get("page"))
        return context["page_obj"].object_list


class PositionIndexPage(ListingPage):
    """Lists the society's policy positions."""

    subpage_types = ["advocacy.PositionPage"]

    def get_context(self, request, *args, **kwargs):
        from advocacy.filters import PositionFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = PositionFilterForm(request.GET or None, index=self)
        positions = form.filter(PositionPage.objects.live().public().descendant_of(self))
        context["filter_form"] = form
        context["positions"] = self.paginate(request, positions, context)
        return context


class PositionPage(Page):
    """A policy position of the society, quoted by briefings and cited in meeting agendas."""

    objects = SocietyPageManager()

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
            [
                FieldPanel("topics", widget=Checklist),
                FieldPanel("jurisdictions", widget=Checklist),
            ],
            heading="Classification",
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.SearchField("version_label"),
        index.SearchField("classification_terms"),
        index.AutocompleteField("summary"),
        index.FilterField("policy_status"),
        index.FilterField("adopted_on"),
    ]

    api_fields = [
        APIField("summary"),
        APIField("policy_status"),
        APIField("version_label"),
        APIField("adopted_on"),
        APIField("review_by"),
        APIField("topics", serializer=NameListSerializer()),
        APIField("jurisdictions", serializer=NameListSerializer()),
        APIField("supersedes_id"),
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
    def classification_terms(self):
        """Topics, jurisdictions and the regulators of those jurisdictions (name and acronym),
        for search: a visitor looks for "FDA" or "Health Canada", words the position's own
        text seldom uses, since the jurisdiction says where it applies. A change to a
        regulator reaches the index with the position's next save or `update_index`."""
        # Ids, not querysets: an unsaved page (or a revision being published) holds its
        # choices in memory, which a database subquery would not see. Regulators are reached
        # through their jurisdiction (liaison's model; advocacy does not import liaison).
        jurisdiction_ids = [j.pk for j in self.jurisdictions.all()]
        jurisdictions = Jurisdiction.objects.filter(pk__in=jurisdiction_ids).prefetch_related(
            "regulators"
        )
        words = [t.name for t in self.topics.all()]
        for jurisdiction in jurisdictions:
            words.append(jurisdiction.name)
            for regulator in jurisdiction.regulators.all():
                words += [regulator.name, regulator.acronym]
        return " ".join(words)

    @property
    def is_current(self):
        return self.policy_status in (self.Status.CONSULTATION, self.Status.ADOPTED)

    def is_past_review(self, on=None):
        on = on or timezone.localdate()
        return bool(self.review_by and self.review_by < on)

    def choice_label(self):
        """The title, and the status unless adopted: whoever cites a position among many
        should see that it is only in consultation, superseded or withdrawn."""
        if self.policy_status == self.Status.ADOPTED:
            return self.title
        return f"{self.title} ({self.get_policy_status_display().lower()})"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.pk is None:
            # A preview of a page not yet created: nothing can point at it.
            context["successor"] = None
            context["responses"] = ConsultationResponsePage.objects.none()
            return context
        context["successor"] = self.successors.live().public().first()
        context["responses"] = self.responses.live().public().order_by("-submitted_on")
        return context


def site_sections(request):
    """The live, public index pages under the request's site root, by model
    ({PositionIndexPage: page, ...}): the menu and the home page link to them, so they are
    read once per request."""
    sections = getattr(request, "_advocacy_sections", None)
    if sections is None:
        sections = {}
        site = Site.find_for_request(request)
        if site is not None:
            models_ = {
                ContentType.objects.get_for_model(model).pk: model
                for model in (PositionIndexPage, ResponseIndexPage)
            }
            pages = (
                Page.objects.live()
                .exclude(in_private_section())
                .descendant_of(site.root_page)
                .filter(content_type__in=models_)
                .order_by("path")
            )
            for page in pages:
                sections.setdefault(models_[page.content_type_id], page)
        request._advocacy_sections = sections
    return sections


def positions_due_for_review(on=None, within_days=30):
    """Return live, current positions whose review date is past or within `within_days`."""
    on = on or timezone.localdate()
    return (
        PositionPage.objects.live()
        .filter(
            policy_status__in=[PositionPage.Status.CONSULTATION, PositionPage.Status.ADOPTED],
            review_by__lte=on + datetime.timedelta(days=within_days),
        )
        .select_related("policy_owner")
        .order_by("review_by", "title")
    )


class ResponseIndexPage(ListingPage):
    """Lists the society's responses to regulators' consultations."""

    subpage_types = ["advocacy.ConsultationResponsePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        responses = (
            ConsultationResponsePage.objects.live()
            .public()
            .descendant_of(self)
            .order_by("-submitted_on", "title")
        )
        context["responses"] = self.paginate(request, responses, context)
        return context


class ConsultationResponsePage(Page):
    """A comment letter the society sent in reply to a regulator's consultation."""

    objects = SocietyPageManager()

    agency = models.CharField(
        "regulator or agency", max_length=200, help_text="e.g. FDA CBER, Health Canada, EMA."
    )
    consultation_title = models.CharField(max_length=300)
    consultation_url = models.URLField("link to the consultation", blank=True)
    reference_id = models.CharField(
        "docket or reference ID", max_length=100, blank=True, help_text="e.g. FDA-2024-D-1234."
    )
    comment_deadline = models.DateField(null=True, blank=True)
    submitted_on = models.DateField("date submitted", null=True, blank=True)
    summary = models.TextField(max_length=600, help_text="What we asked for, in two sentences.")
    body = CleanRichTextField(features=RICH_TEXT_FEATURES, blank=True)
    letter = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The letter as sent (PDF).",
    )
    relies_on = ParentalManyToManyField(
        PositionPage,
        blank=True,
        related_name="responses",
        verbose_name="positions it relies on",
    )
    topics = ParentalManyToManyField(Topic, blank=True, related_name="responses")
    jurisdictions = ParentalManyToManyField(Jurisdiction, blank=True, related_name="responses")

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("agency"), FieldPanel("reference_id")]),
                FieldPanel("consultation_title"),
                FieldPanel("consultation_url"),
                FieldRowPanel([FieldPanel("comment_deadline"), FieldPanel("submitted_on")]),
            ],
            heading="Consultation",
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("letter"),
        FieldPanel(
            "relies_on",
            widget=Checklist(
                legend="Positions it relies on",
                label_from_instance=PositionPage.choice_label,
            ),
        ),
        MultiFieldPanel(
            [
                FieldPanel("topics", widget=Checklist),
                FieldPanel("jurisdictions", widget=Checklist),
            ],
            heading="Classification",
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("consultation_title", boost=2),
        index.SearchField("reference_id"),
        index.SearchField("reference_terms"),
        index.SearchField("agency"),
        index.SearchField("body"),
        index.FilterField("submitted_on"),
    ]

    api_fields = [
        APIField("agency"),
        APIField("consultation_title"),
        APIField("consultation_url"),
        APIField("reference_id"),
        APIField("comment_deadline"),
        APIField("submitted_on"),
        APIField("summary"),
    ]

    parent_page_types = ["advocacy.ResponseIndexPage"]
    subpage_types = []

    @property
    def reference_terms(self):
        """The docket ID split into its parts, for search: PostgreSQL would index
        'FDA-2023-D-5027' as 'fda', '-2023', 'd', '-5027', which no search for 2023 finds."""
        return " ".join(re.split(r"[^\w]+", self.reference_id))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # In a preview the positions chosen in the form are not saved yet and modelcluster
        # holds them in a list-like FakeQuerySet that has no live() or public(): look them up
        # by id instead (a subquery when they are saved).
        chosen = self.relies_on.values_list("id", flat=True)
        context["positions_relied_on"] = PositionPage.objects.live().public().filter(pk__in=chosen)
        return context

    def clean(self):
        super().clean()
        if self.submitted_on and self.submitted_on > timezone.localdate():
            raise ValidationError({"submitted_on": "The submission date cannot be in the future."})


class ReviewReminder(models.Model):
    """One e-mail about one position on one day: the unique constraint keeps a second run of
    the daily job from sending it again."""

    position = models.ForeignKey(PositionPage, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["position", "sent_on"], name="one_reminder_a_day")
        ]

    def __str__(self):
        return f"{self.position} reminder on {self.sent_on}"
