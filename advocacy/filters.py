"""Filters for the position index. Whatever the query string holds, the index answers with
a normal page: invalid values are dropped, never raised."""

import re

from django import forms
from django.db.models import F
from django.utils import timezone

from advocacy.models import Jurisdiction, PositionPage, Topic

MAX_QUERY_LENGTH = 200


def clean_search_query(text):
    """Reduce user input to plain words for the search backend.

    SQLite's FTS5 and PostgreSQL's tsquery both have query syntax of their own; quotes,
    brackets or operators typed by a visitor must not reach it (a stray "<" is a syntax
    error there). Words, numbers and letters of any script are kept.
    """
    text = re.sub(r"[^\w\s]|_", " ", text[:MAX_QUERY_LENGTH])
    return " ".join(text.split())


class PositionFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=MAX_QUERY_LENGTH, strip=True)
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), to_field_name="slug", required=False, empty_label="All"
    )
    jurisdiction = forms.ModelChoiceField(
        queryset=Jurisdiction.objects.all(),
        to_field_name="code",
        required=False,
        empty_label="All",
        label="Applies to",
    )
    status = forms.ChoiceField(
        choices=[("", "All"), *PositionPage.Status.choices], required=False, label="Status"
    )
    year = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Adopted in")

    def __init__(self, *args, index=None, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = PositionPage.objects.live().filter(adopted_on__isnull=False)
        if index is not None:
            years = years.descendant_of(index)
        years = sorted({d.year for d in years.dates("adopted_on", "year")}, reverse=True)
        self.fields["year"].choices = [("", "Any year")] + [
            (y, str(y)) for y in years if y <= this_year + 1
        ]

    def valid_data(self):
        """Cleaned values of the fields that validated; invalid ones are ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def filter(self, positions):
        data = self.valid_data()
        # Many-to-many filters as subqueries: a join would need DISTINCT over every column.
        if "topic" in data:
            tagged = PositionPage.topics.through.objects.filter(topic=data["topic"])
            positions = positions.filter(pk__in=tagged.values("positionpage_id"))
        if "jurisdiction" in data:
            tagged = PositionPage.jurisdictions.through.objects.filter(
                jurisdiction=data["jurisdiction"]
            )
            positions = positions.filter(pk__in=tagged.values("positionpage_id"))
        if "status" in data:
            positions = positions.filter(policy_status=data["status"])
        if "year" in data:
            positions = positions.filter(adopted_on__year=data["year"])
        query = data.get("q", "")
        if query:
            # Full-text search narrows the filtered set and the index keeps its own order,
            # so relevance ranking (costly on SQLite) is skipped and the matches stay a
            # subquery instead of being loaded as pages.
            matches = PositionPage.objects.live().search(query, order_by_relevance=False)
            positions = positions.filter(pk__in=matches.get_queryset().values("pk"))
        return positions.order_by(F("adopted_on").desc(nulls_last=True), "title")

    @property
    def is_filtered(self):
        return bool(self.valid_data())
