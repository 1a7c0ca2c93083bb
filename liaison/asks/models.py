"""Asks, their events, and the asks an agenda item puts (with the regulator's answer to each).

An ask's history is its events, each with its own visibility, never edited or deleted: a
correction is a new event. The status and dates on the ask are a copy of what replaying its
events gives (liaison.asks.ledger), kept by liaison.asks.events, which records every event.
"""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from advocacy.models import PositionPage, Topic
from cms.widgets import Checklist
from liaison.asks import ledger
from liaison.meetings.models import AgendaItem, Meeting, Organisation, Regulator

REFERENCE_RE = re.compile(r"^[A-Z0-9]+-ASK-\d{4}-\d{3,}$")


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public (the impact page)"
    MEMBERS = "members", "Members and staff"
    CONFIDENTIAL = "confidential", "Confidential"


class AskQuerySet(models.QuerySet):
    def visible_to(self, user):
        from liaison import visibility

        return visibility.asks_visible_to(user, self)

    def current(self):
        """Asks not merged into another (a merged ask lives on in the one it joined)."""
        return self.filter(merged_into__isnull=True)

    def open(self):
        return self.filter(status__in=ledger.OPEN)


class Ask(index.Indexed, ClusterableModel):
    """Something specific the society wants from one or more regulators."""

    reference = models.CharField(
        max_length=40,
        unique=True,
        editable=False,
        help_text="Given when the ask is made, e.g. FDA-ASK-2026-007; it never changes.",
    )
    title = models.CharField(
        max_length=255, help_text="The ask in a line, e.g. “Accept a potency assay matrix”."
    )
    regulators = ParentalManyToManyField(
        Regulator, related_name="asks", help_text="Who it is put to."
    )
    topics = ParentalManyToManyField(Topic, blank=True, related_name="asks")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asks",
        verbose_name="raised by",
        help_text="The member organisation it came from, if not the society itself.",
    )
    positions = ParentalManyToManyField(
        PositionPage,
        blank=True,
        related_name="asks",
        verbose_name="positions it rests on",
    )
    desired_outcome = models.TextField(
        "the outcome we want",
        help_text="What the regulator would do if the ask were met.",
    )
    visibility = models.CharField(
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
        help_text="Public: the ask, with its public events, is on the impact page. "
        "Confidential: the Secretariat and the delegations of the meetings it is put at.",
    )
    # What replaying the events gives (liaison.asks.events keeps it): for listing and filters.
    status = models.CharField(
        max_length=20, choices=ledger.STATUSES, blank=True, editable=False, db_index=True
    )
    raised_on = models.DateField(null=True, blank=True, editable=False, db_index=True)
    answered_on = models.DateField(null=True, blank=True, editable=False)
    closed_on = models.DateField(null=True, blank=True, editable=False)
    last_event_on = models.DateField(null=True, blank=True, editable=False)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        editable=False,
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_asks",
        editable=False,
        help_text="This ask was merged into that one: its reference leads there.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AskQuerySet.as_manager()

    # What of a public ask the public sees (the impact page, the topic list for a regulator).
    PUBLIC_FIELDS = ("reference", "title", "regulators", "topics", "positions", "desired_outcome")

    panels = [
        FieldPanel("title"),
        FieldPanel("regulators", widget=Checklist),
        FieldPanel("desired_outcome"),
        MultiFieldPanel(
            [
                FieldPanel("organisation"),
                FieldPanel("topics", widget=Checklist),
                FieldPanel(
                    "positions",
                    widget=Checklist(label_from_instance=PositionPage.choice_label),
                ),
            ],
            heading="Where it comes from",
        ),
        FieldPanel("visibility"),
    ]
    search_fields = [
        index.SearchField("reference", boost=3),
        index.SearchField("title", boost=2),
        index.AutocompleteField("reference"),
        index.AutocompleteField("title"),
        index.SearchField("desired_outcome"),
        index.FilterField("status"),
        index.FilterField("visibility"),
        index.FilterField("merged_into"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["-raised_on", "-pk"]
        permissions = [("merge_ask", "Merge two asks into one")]

    def __str__(self):
        return f"{self.reference}: {self.title}" if self.reference else self.title

    # The ledger's copy of the replay (liaison.asks.events writes it, with UPDATE): a save of
    # an ask loaded earlier (an edit form opened before an event was recorded) never writes
    # it back.
    LEDGER_FIELDS = frozenset(
        {"status", "raised_on", "answered_on", "closed_on", "last_event_on", "superseded_by",
         "merged_into"}
    )  # fmt: skip

    def save(self, **kwargs):
        if self.pk and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.LEDGER_FIELDS
            ] + [f.name for f in self._meta.many_to_many]
        super().save(**kwargs)

    @property
    def state(self):
        return ledger.State(
            self.status, self.raised_on, self.answered_on, self.closed_on, self.last_event_on
        )

    @property
    def status_label(self):
        return self.state.label

    @property
    def is_open(self):
        return self.status in ledger.OPEN

    @property
    def is_closed(self):
        return self.status in ledger.CLOSED

    def regulator_names(self):
        return ", ".join(r.acronym for r in self.regulators.all())

    def days_open(self, today=None):
        """Days since the ask was first raised: until it closed, for a closed one."""
        if not self.raised_on:
            return None
        end = self.closed_on or today or timezone.localdate()
        return (end - self.raised_on).days

    @classmethod
    def prefix_for(cls, regulator):
        """The start of the references of asks put to ``regulator``: the first word of its
        acronym when that is in capitals (FDA CBER OTP → FDA), else the initials of the
        words before the first such word (Health Canada BRDD → HC)."""
        words = re.findall(r"[A-Za-z0-9]+", regulator.acronym if regulator else "")
        if not words:
            return "ASK"
        if words[0].isupper() or words[0].isdigit():
            return words[0].upper()
        initials = ""
        for word in words:
            if word.isupper():
                break
            initials += word[0]
        return initials.upper() or "ASK"


class AskEvent(models.Model):
    """One thing that happened to an ask. Never changed or deleted once recorded."""

    ask = models.ForeignKey(Ask, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=ledger.KINDS)
    moves_to = models.CharField(
        max_length=20,
        choices=ledger.STATUSES,
        blank=True,
        help_text="The status this event moved the ask to; empty when it left it as it was.",
    )
    occurred_on = models.DateField(
        help_text="When it happened: the meeting's day, the letter's, the document's."
    )
    text = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="ask_events"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="ask_events"
    )
    # The link (agenda item, ask) an event of a meeting came from: each is raised once, and
    # each answer text recorded once.
    link = models.ForeignKey(
        "AgendaAsk", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    url = models.URLField("address", max_length=500, blank=True)
    document_title = models.CharField(max_length=255, blank=True)
    other_ask = models.ForeignKey(
        Ask,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The ask that superseded this one, or the other ask of a merge.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "pk"]
        indexes = [models.Index(fields=["ask", "occurred_on", "id"], name="ask_event_order")]

    def __str__(self):
        return f"{self.ask.reference}: {self.get_kind_display()} on {self.occurred_on}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("An ask's events are never changed: record a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An ask's events are never deleted.")

    def as_ledger_event(self):
        return ledger.Event(self.kind, self.moves_to, self.occurred_on)

    @property
    def status_label(self):
        return ledger.STATUS_LABELS.get(self.moves_to, "")


class AgendaAsk(models.Model):
    """An ask put at an agenda item, and the regulator's answer to it there."""

    agenda_item = ParentalKey(AgendaItem, on_delete=models.CASCADE, related_name="ask_links")
    ask = models.ForeignKey(Ask, on_delete=models.PROTECT, related_name="agenda_links")
    answer = models.TextField(
        "the regulator's answer",
        blank=True,
        help_text="After the meeting: what the regulator said to this ask. Recorded in the "
        "ask's history when saved; a later change is recorded as a new answer.",
    )
    answer_public = models.BooleanField(
        "answer may be public",
        default=False,
        help_text="Shown on the impact page (a public ask at a public meeting).",
    )

    panels = [
        FieldPanel("ask"),
        FieldPanel("answer"),
        FieldPanel("answer_public"),
    ]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agenda_item", "ask"], name="ask_once_per_item")
        ]

    def __str__(self):
        return str(self.ask)
