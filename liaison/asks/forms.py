"""The forms of the ledger: an ask, an event recorded by hand, closing, reopening, merging."""

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from liaison.asks import events, ledger
from liaison.asks.models import Ask, Visibility
from liaison.meetings.forms import FIRST_YEAR, LAST_YEAR


class AskForm(WagtailAdminModelForm):
    """An ask's description. Its status is not here: it follows from its events."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organisation" in self.fields:
            field = self.fields["organisation"]
            field.queryset = field.queryset.order_by("kind", "name")
            field.label_from_instance = lambda o: f"{o.name} ({o.get_kind_display().lower()})"

    def save(self, commit=True):
        ask = self.instance
        if ask.reference or not commit:
            return super().save(commit=commit)
        regulators = list(self.cleaned_data.get("regulators") or [])
        prefix = Ask.prefix_for(regulators[0] if regulators else None)
        year = timezone.localdate().year
        for _ in range(20):
            ask.reference = events.next_reference(prefix, year)
            try:
                with transaction.atomic():
                    return super().save(commit=commit)
            except IntegrityError:
                ask.pk = None  # someone took that number a moment ago: the next one
        raise IntegrityError("Could not find a free reference for the ask.")


def _date_in_range(value):
    if value and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise forms.ValidationError(f"Give a date between {FIRST_YEAR} and {LAST_YEAR}.")
    return value


class EventForm(forms.Form):
    """An event recorded by hand: the regulator acknowledged, answered (by letter), a
    follow-up went out, evidence appeared, or a note."""

    kind = forms.ChoiceField(
        label="What happened",
        choices=[(k, ledger.KIND_LABELS[k]) for k in ledger.RECORDED_BY_HAND],
        widget=forms.RadioSelect,
    )
    occurred_on = forms.DateField(
        label="On", widget=AdminDateInput, help_text="For evidence: the document's date."
    )
    text = forms.CharField(
        label="What it says",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="The answer in the regulator's words, what the follow-up asked, the note.",
    )
    url = forms.URLField(
        label="Address (URL)",
        assume_scheme="https",
        max_length=500,
        required=False,
        help_text="For evidence: where the guidance, notice or letter is published.",
    )
    document_title = forms.CharField(
        label="Document title",
        max_length=255,
        required=False,
        help_text="For evidence, e.g. “Potency Assurance for Cellular and Gene Therapy "
        "Products; Draft Guidance”.",
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.MEMBERS,
        help_text="Public events of a public ask are shown on the impact page.",
    )

    def __init__(self, *args, ask=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ask = ask
        self.fields["occurred_on"].initial = timezone.localdate()

    def clean_occurred_on(self):
        return _date_in_range(self.cleaned_data["occurred_on"])

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == ledger.K_EVIDENCE and not cleaned.get("url"):
            self.add_error("url", "Evidence needs the address where it is published.")
        if (
            kind in (ledger.K_ANSWERED, ledger.K_NOTE, ledger.K_FOLLOW_UP)
            and not (cleaned.get("text") or "").strip()
        ):
            self.add_error("text", "Write what it says.")
        return cleaned


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="How it ended",
        choices=[(s, ledger.STATUS_LABELS[s]) for s in ledger.STATUSES_CLOSING],
        widget=forms.RadioSelect,
    )
    occurred_on = forms.DateField(label="On", widget=AdminDateInput)
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What came of it, in a sentence or two.",
    )
    superseded_by = forms.ModelChoiceField(
        label="Superseded by",
        queryset=Ask.objects.none(),
        required=False,
        help_text="Only when it is superseded: the ask that takes its place.",
    )
    evidence_url = forms.URLField(
        label="Evidence: address (URL)",
        assume_scheme="https",
        max_length=500,
        required=False,
        help_text="Closing as met needs evidence: the guidance, notice or letter that shows "
        "it. Not needed when the ask's history already has evidence.",
    )
    evidence_title = forms.CharField(
        label="Evidence: document title", max_length=255, required=False
    )
    evidence_on = forms.DateField(
        label="Evidence: date of the document", widget=AdminDateInput, required=False
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.MEMBERS,
        help_text="For the closing and its evidence: public ones are on the impact page.",
    )

    def __init__(self, *args, ask, asks, **kwargs):
        super().__init__(*args, **kwargs)
        self.ask = ask
        self.fields["occurred_on"].initial = timezone.localdate()
        self.fields["superseded_by"].queryset = (
            asks.current().exclude(pk=ask.pk).order_by("reference")
        )
        self.has_evidence = events.has_evidence(ask)

    def clean_occurred_on(self):
        return _date_in_range(self.cleaned_data["occurred_on"])

    def clean_evidence_on(self):
        return _date_in_range(self.cleaned_data.get("evidence_on"))

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == ledger.SUPERSEDED and not cleaned.get("superseded_by"):
            self.add_error("superseded_by", "Choose the ask that supersedes this one.")
        if outcome == ledger.MET and not self.has_evidence and not cleaned.get("evidence_url"):
            self.add_error(
                "evidence_url",
                "Closing an ask as met needs evidence: give the address of the guidance, "
                "notice or letter that shows it.",
            )
        if cleaned.get("evidence_url") and not cleaned.get("evidence_on"):
            self.add_error("evidence_on", "Give the date of the document.")
        return cleaned


class ReopenForm(forms.Form):
    note = forms.CharField(
        label="Why it is reopened",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required: the history says why the ask came back.",
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.MEMBERS)

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Say why the ask is reopened.")
        return note


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label="Merge into",
        queryset=Ask.objects.none(),
        help_text="The ask that stays. This ask's reference will lead to it, and both "
        "histories show the merge.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, ask, asks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = asks.current().exclude(pk=ask.pk).order_by("reference")
