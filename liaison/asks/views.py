"""The public impact page (/impact/): what the society asked regulators and what came of it,
built only from public events of public asks (liaison.visibility.ask_events_for). An ask's
status here is the replay of its public events alone, so a confidential answer or closing
never shows through, not even as a status."""

from collections import Counter, defaultdict

from django.core.paginator import Paginator
from django.db.models import Exists, Min, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from advocacy.models import Topic
from cms import emails
from liaison import visibility
from liaison.asks import ledger
from liaison.asks.models import REFERENCE_RE, Ask
from liaison.meetings import views as meeting_views
from liaison.visibility import Audience

PER_PAGE = 25
REGULATOR_ASKS_SHOWN = 10
# The columns of the summary: open asks together, then each way an ask ends.
COLUMNS = [("open", "Open"), *((s, ledger.STATUS_LABELS[s]) for s in ledger.STATUSES_CLOSING)]


def public_events():
    return visibility.ask_events_for(Audience.PUBLIC)


def public_asks(asks=None):
    """Public, current asks with at least one public event, each annotated with its state as
    the public events alone give it: ``public_status`` (the last public event that moved it;
    None when none did), ``public_raised_on``, ``public_answered_on``, ``public_last_on``.
    One query, however many asks and events."""
    asks = Ask.objects.current() if asks is None else asks
    events = public_events().filter(ask=OuterRef("pk"))
    latest_move = events.exclude(moves_to="").order_by("-occurred_on", "-pk").values("moves_to")

    def first(kind):
        return Subquery(
            events.filter(kind=kind)
            .order_by()
            .values("ask")
            .annotate(on=Min("occurred_on"))
            .values("on")
        )

    return (
        visibility.asks_for(Audience.PUBLIC, asks)
        .filter(Exists(events))
        .annotate(
            public_status=Subquery(latest_move[:1]),
            public_raised_on=first(ledger.K_RAISED),
            public_answered_on=first(ledger.K_ANSWERED),
            public_last_on=Subquery(
                events.order_by("-occurred_on", "-pk").values("occurred_on")[:1]
            ),
        )
    )


def column_of(status):
    return status if status in ledger.CLOSED else "open"


def public_label(status):
    return ledger.STATUS_LABELS.get(status) or "Under way"


def _summary(rows, names):
    """[(name, [count per column], total)] from ``rows`` of (key, status), by name."""
    counts = defaultdict(Counter)
    for key, status in rows:
        if key in names:
            counts[key][column_of(status)] += 1
    return [
        (names[key], [counts[key][c] for c, _ in COLUMNS], sum(counts[key].values()), key)
        for key in sorted(counts, key=lambda k: str(names[k]).lower())
    ]


def impact(request):
    """/impact/: a summary per regulator and per topic, and the asks themselves, newest
    first, with their public history. ?regulator=<key> and ?topic=<slug> narrow it; an
    unknown one is a 404, like an unknown meeting."""
    asks = public_asks()
    choices = meeting_views.regulator_filter_choices()  # listed publicly only
    listed = {regulator.pk: (key, regulator) for key, regulator in choices}
    topics = {t.pk: t for t in Topic.objects.all()}

    asked_regulator = request.GET.get("regulator", "").strip()[:200]
    asked_topic = request.GET.get("topic", "").strip()[:200]
    regulator = topic = None
    if asked_regulator:
        key, regulator = meeting_views.find_regulator(choices, asked_regulator)
        if regulator is None:
            raise Http404("No such regulator.")
        asks = asks.filter(
            pk__in=Ask.regulators.through.objects.filter(regulator=regulator).values("ask_id")
        )
    if asked_topic:
        topic = next((t for t in topics.values() if t.slug == asked_topic), None)
        if topic is None:
            raise Http404("No such topic.")
        asks = asks.filter(pk__in=Ask.topics.through.objects.filter(topic=topic).values("ask_id"))

    states = dict(asks.values_list("pk", "public_status"))
    by_regulator = Ask.regulators.through.objects.filter(ask_id__in=asks.values("pk")).values_list(
        "regulator_id", "ask_id"
    )
    by_topic = Ask.topics.through.objects.filter(ask_id__in=asks.values("pk")).values_list(
        "topic_id", "ask_id"
    )
    regulator_rows = _summary(
        ((reg, states[ask]) for reg, ask in by_regulator if ask in states),
        {pk: r.acronym for pk, (_, r) in listed.items()},
    )
    topic_rows = _summary(
        ((t, states[ask]) for t, ask in by_topic if ask in states),
        {pk: t.name for pk, t in topics.items()},
    )
    totals = Counter(column_of(s) for s in states.values())

    page_obj = Paginator(
        asks.order_by("-public_last_on", "-pk").prefetch_related(
            Prefetch("regulators", queryset=visibility.regulators_for(Audience.PUBLIC)),
            "topics",
            Prefetch(
                "events",
                queryset=public_events().select_related("meeting").order_by("occurred_on", "pk"),
                to_attr="public_events",
            ),
        ),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    for ask in page_obj.object_list:
        ask.public_label = public_label(ask.public_status)
        ask.public_closed = ask.public_status in ledger.CLOSED
    query = {k: v for k, v in (("regulator", asked_regulator), ("topic", asked_topic)) if v}
    return render(
        request,
        "liaison/public/impact.html",
        {
            "page_obj": page_obj,
            "asks": page_obj.object_list,
            "columns": [label for _, label in COLUMNS],
            "regulator_rows": [(n, c, t, listed[k][0]) for n, c, t, k in regulator_rows],
            "topic_rows": [(n, c, t, topics[k].slug) for n, c, t, k in topic_rows],
            "totals": [totals[c] for c, _ in COLUMNS],
            "total": sum(totals.values()),
            "regulator": regulator,
            "topic": topic,
            "query": urlencode(query),
            "canonical_url": emails.absolute_url(reverse("liaison:impact")),
        },
    )


def impact_ask(request, reference):
    """/impact/<reference>/: one public ask and its public history. A merged ask's reference
    leads to the ask it joined (when that one is public too)."""
    reference = reference.upper()
    if not REFERENCE_RE.match(reference):
        raise Http404("No such ask.")
    named = visibility.asks_for(Audience.PUBLIC).filter(reference=reference).first()
    if named is None:
        raise Http404("No such ask.")
    if named.merged_into_id:
        target = named
        seen = set()
        while target.merged_into_id and target.pk not in seen:
            seen.add(target.pk)
            target = Ask.objects.filter(pk=target.merged_into_id).first()
        if target and public_asks(Ask.objects.filter(pk=target.pk)).exists():
            return redirect("liaison:impact_ask", reference=target.reference, permanent=True)
        raise Http404("No such ask.")
    ask = (
        public_asks(Ask.objects.filter(pk=named.pk))
        .prefetch_related(
            Prefetch("regulators", queryset=visibility.regulators_for(Audience.PUBLIC)),
            "topics",
            "positions",
        )
        .first()
    )
    if ask is None:
        raise Http404("No such ask.")
    merged = list(
        visibility.asks_for(Audience.PUBLIC, ask.merged_asks.all()).values_list(
            "reference", flat=True
        )
    )
    timeline = list(
        public_events()
        .filter(
            ask__in=[ask.pk, *Ask.objects.filter(merged_into=ask).values_list("pk", flat=True)]
        )
        .select_related("meeting", "ask")
        .order_by("occurred_on", "pk")
    )
    positions = [p for p in ask.positions.all() if p.live]
    return render(
        request,
        "liaison/public/impact_ask.html",
        {
            "ask": ask,
            "label": public_label(ask.public_status),
            "closed": ask.public_status in ledger.CLOSED,
            "timeline": timeline,
            "merged": merged,
            "positions": positions,
            "canonical_url": emails.absolute_url(
                reverse("liaison:impact_ask", args=[ask.reference])
            ),
        },
    )


def regulator_section(request, regulator, key):
    """For a regulator's public page: its open public asks and the median days from raising
    to a first answer, both from public events alone."""
    asks = public_asks(Ask.objects.current().filter(regulators=regulator))
    rows = list(asks.values_list("public_status", "public_raised_on", "public_answered_on"))
    if not rows:
        return ""
    open_asks = list(
        asks.exclude(public_status__in=ledger.CLOSED).order_by("-public_last_on", "-pk")[
            :REGULATOR_ASKS_SHOWN
        ]
    )
    for ask in open_asks:
        ask.public_label = public_label(ask.public_status)
    return render_to_string(
        "liaison/public/regulator_asks.html",
        {
            "regulator": regulator,
            "open_asks": open_asks,
            "open_count": sum(1 for s, _, _ in rows if s not in ledger.CLOSED),
            "closed_count": sum(1 for s, _, _ in rows if s in ledger.CLOSED),
            "median": ledger.median_days_to_answer((r, a) for _, r, a in rows),
            "impact_url": reverse("liaison:impact") + "?" + urlencode({"regulator": key}),
        },
        request=request,
    )
