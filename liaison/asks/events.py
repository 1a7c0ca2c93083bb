"""Every change to an ask's history goes through here: an event is recorded, and the ask's
copy of its state (status, dates) is set to what replaying all its events gives, in one
transaction with the ask's row locked, so two people recording at once never leave a state
that the events do not give.

Meetings feed the ledger through ``sync_meeting``: once a meeting has taken place, each ask
on its agenda is raised there (again: a follow-up), and each answer written against an ask
is recorded as the regulator's answer.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from liaison.asks import ledger
from liaison.asks.ledger import RefusedError
from liaison.asks.models import AgendaAsk, Ask, AskEvent, Visibility
from liaison.meetings.models import Meeting

__all__ = ["RefusedError", "create", "record", "close", "reopen", "merge", "sync_meeting"]


def _replay(ask):
    events = AskEvent.objects.filter(ask=ask).order_by("occurred_on", "pk")
    return ledger.replay(
        e.as_ledger_event() for e in events.only("kind", "moves_to", "occurred_on")
    )


def _store(ask, state, **extra):
    fields = dict(
        status=state.status,
        raised_on=state.raised_on,
        answered_on=state.answered_on,
        closed_on=state.closed_on,
        last_event_on=state.last_event_on,
        updated_at=timezone.now(),
        **extra,
    )
    Ask.objects.filter(pk=ask.pk).update(**fields)
    for name, value in fields.items():
        setattr(ask, name, value)


def _locked(ask):
    return Ask.objects.select_for_update().get(pk=ask.pk)


def _last_move(ask):
    return (
        AskEvent.objects.filter(ask=ask)
        .exclude(moves_to="")
        .aggregate(on=Max("occurred_on"))["on"]
    )


def next_reference(prefix, year):
    pattern = re.compile(rf"^{re.escape(prefix)}-ASK-{year}-(\d+)$")
    taken = Ask.objects.filter(reference__startswith=f"{prefix}-ASK-{year}-").values_list(
        "reference", flat=True
    )
    numbers = [int(m.group(1)) for r in taken if (m := pattern.match(r))]
    return f"{prefix}-ASK-{year}-{max(numbers, default=0) + 1:03d}"


def assign_reference(ask, regulator=None, year=None):
    """Give a new ask its reference (FDA-ASK-2026-007): the prefix of its first regulator,
    the year, the next number. Saved at once; a clash with someone saving at the same moment
    takes the next number."""
    year = year or timezone.localdate().year
    prefix = Ask.prefix_for(regulator)
    for _ in range(20):
        ask.reference = next_reference(prefix, year)
        try:
            with transaction.atomic():
                ask.save()
            return ask
        except IntegrityError:
            continue
    raise IntegrityError("Could not find a free reference for the ask.")


def create(*, title, regulators, desired_outcome="", user=None, year=None, **fields):
    """A new ask (not yet raised), with its reference, for code (demo data, topic intake)."""
    ask = Ask(title=title, desired_outcome=desired_outcome, created_by=user, **fields)
    regulators = list(regulators)
    assign_reference(ask, regulators[0] if regulators else None, year)
    ask.regulators.set(regulators)
    ask.save()
    return ask


def record(
    ask,
    kind,
    *,
    on=None,
    text="",
    visibility=Visibility.MEMBERS,
    user=None,
    meeting=None,
    agenda_item=None,
    link=None,
    url="",
    document_title="",
    outcome="",
    other_ask=None,
    strict=True,
):
    """Record an event of ``kind`` on ``ask`` and bring its state up to date; the event.

    RefusedError when the ledger refuses it (an answer on a closed ask...). With ``strict``
    (a person recording), an event that moves the ask may not be dated before its last
    move, since the order of the events is the order of the dates; meetings recorded late
    (``strict=False``) add theirs without moving it."""
    on = on or timezone.localdate()
    with transaction.atomic():
        ask = _locked(ask)
        state = _replay(ask)
        target = ledger.moves_to(kind, state.status, outcome)
        last = _last_move(ask)
        if target and last and on < last:
            if strict:
                raise RefusedError(
                    f"The ask last changed on {last:%-d %B %Y}: an event that changes it "
                    "cannot be dated earlier."
                )
            target = ""
        event = AskEvent.objects.create(
            ask=ask,
            kind=kind,
            moves_to=target,
            occurred_on=on,
            text=text,
            visibility=visibility,
            meeting=meeting,
            agenda_item=agenda_item,
            link=link,
            url=url,
            document_title=document_title,
            other_ask=other_ask,
            recorded_by=user,
        )
        extra = {}
        if kind == ledger.K_CLOSED:
            extra["superseded_by"] = other_ask if outcome == ledger.SUPERSEDED else None
        elif kind == ledger.K_REOPENED:
            extra["superseded_by"] = None
        _store(ask, _replay(ask), **extra)
    return event


def has_evidence(ask):
    return AskEvent.objects.filter(ask=ask, kind=ledger.K_EVIDENCE).exists()


def close(
    ask,
    outcome,
    *,
    on=None,
    text="",
    visibility=Visibility.MEMBERS,
    user=None,
    superseded_by=None,
    evidence=None,
):
    """Close ``ask`` as ``outcome``. Met needs evidence: an evidence event already recorded,
    or ``evidence`` (a dict of url, document_title, on, text, visibility) recorded with it.
    Superseded needs the ask that supersedes it."""
    on = on or timezone.localdate()
    with transaction.atomic():
        ask = _locked(ask)
        if outcome == ledger.SUPERSEDED:
            if superseded_by is None:
                raise RefusedError("Say which ask supersedes this one.")
            if superseded_by.pk == ask.pk:
                raise RefusedError("An ask cannot supersede itself.")
        if evidence and evidence.get("url"):
            record(
                ask,
                ledger.K_EVIDENCE,
                on=evidence.get("on") or on,
                text=evidence.get("text", ""),
                url=evidence["url"],
                document_title=evidence.get("document_title", ""),
                visibility=evidence.get("visibility", visibility),
                user=user,
            )
        if outcome == ledger.MET and not has_evidence(ask):
            raise RefusedError(
                "Closing an ask as met needs evidence: the guidance, notice or letter that "
                "shows it, with its address and date."
            )
        return record(
            ask,
            ledger.K_CLOSED,
            on=on,
            text=text,
            visibility=visibility,
            user=user,
            outcome=outcome,
            other_ask=superseded_by if outcome == ledger.SUPERSEDED else None,
        )


def reopen(ask, *, note, on=None, visibility=Visibility.MEMBERS, user=None):
    if not (note or "").strip():
        raise RefusedError("Say why the ask is reopened: a note is needed.")
    return record(
        ask, ledger.K_REOPENED, on=on, text=note.strip(), visibility=visibility, user=user
    )


def resolve(ask):
    """The ask ``ask`` lives on in: itself, or the one it was merged into (and so on)."""
    seen = set()
    while ask.merged_into_id and ask.pk not in seen:
        seen.add(ask.pk)
        ask = Ask.objects.get(pk=ask.merged_into_id)
    return ask


def merge(source, into, *, note="", user=None, on=None):
    """Merge ``source`` into ``into``: ``source`` keeps its reference and events and leads to
    ``into`` from then on (its address, the listing's search); ``into`` takes its regulators,
    topics and positions. Both histories record the merge."""
    on = on or timezone.localdate()
    with transaction.atomic():
        source, into = _locked(source), _locked(into)
        if source.pk == into.pk or resolve(into).pk == source.pk:
            raise RefusedError("An ask cannot be merged into itself.")
        if source.merged_into_id:
            raise RefusedError(f"{source.reference} is already merged into another ask.")
        if into.merged_into_id:
            raise RefusedError(
                f"{into.reference} is itself merged into another ask: merge into that one."
            )
        record(source, ledger.K_MERGED, on=on, text=note, user=user, other_ask=into)
        record(into, ledger.K_MERGED, on=on, text=note, user=user, other_ask=source)
        Ask.objects.filter(pk=source.pk).update(merged_into=into, updated_at=timezone.now())
        source.merged_into = into
        into.regulators.add(*source.regulators.all())
        into.topics.add(*source.topics.all())
        into.positions.add(*source.positions.all())
        into.save()
    return into


# --- meetings --------------------------------------------------------------------------------

NOT_HELD = (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED)


def _event_visibility(meeting, item, public_wanted):
    """An event of a meeting is as visible as the meeting and its item allow."""
    if meeting.visibility == Meeting.Visibility.CONFIDENTIAL or item.confidential:
        return Visibility.CONFIDENTIAL
    if public_wanted and meeting.visibility == Meeting.Visibility.PUBLIC:
        return Visibility.PUBLIC
    return Visibility.MEMBERS


def sync_meeting(meeting, user=None, now=None):
    """Bring the ledger up to date with ``meeting``: once it has started (and was not
    cancelled or postponed), each ask on its agenda is raised at it, once per agenda item,
    and each answer written against an ask is recorded, once per text. Running it again
    records nothing new. Returns the events recorded."""
    now = now or timezone.now()
    if meeting.starts_at > now or meeting.status in NOT_HELD:
        return []
    day = meeting.local_start.date()
    links = (
        AgendaAsk.objects.filter(agenda_item__meeting=meeting)
        .select_related("ask", "agenda_item")
        .order_by("agenda_item__sort_order", "pk")
    )
    recorded = []
    for link in links:
        item = link.agenda_item
        done = AskEvent.objects.filter(link=link)
        if not done.filter(kind=ledger.K_RAISED).exists():
            recorded.append(
                record(
                    link.ask,
                    ledger.K_RAISED,
                    on=day,
                    text=item.title,
                    visibility=_event_visibility(meeting, item, True),
                    user=user,
                    meeting=meeting,
                    agenda_item=item,
                    link=link,
                    strict=False,
                )
            )
        answer = link.answer.strip()
        answered = done.filter(kind=ledger.K_ANSWERED).order_by("-pk").first()
        if answer and (answered is None or answered.text != answer):
            try:
                recorded.append(
                    record(
                        link.ask,
                        ledger.K_ANSWERED,
                        on=day,
                        text=answer,
                        visibility=_event_visibility(meeting, item, link.answer_public),
                        user=user,
                        meeting=meeting,
                        agenda_item=item,
                        link=link,
                        strict=False,
                    )
                )
            except RefusedError:
                # A closed ask: the answer is kept on record without reopening it.
                recorded.append(
                    record(
                        link.ask,
                        ledger.K_NOTE,
                        on=day,
                        text=f"Answer given at the meeting: {answer}",
                        visibility=_event_visibility(meeting, item, link.answer_public),
                        user=user,
                        meeting=meeting,
                        agenda_item=item,
                        link=link,
                    )
                )
    return recorded


def sync_meetings_since(start, now=None):
    """``sync_meeting`` for every meeting that started between ``start`` and now: the daily
    job catches meetings that took place without anyone saving them afterwards."""
    now = now or timezone.now()
    meetings = Meeting.objects.filter(
        starts_at__gte=start, starts_at__lte=now, agenda_items__ask_links__isnull=False
    ).distinct()
    return [event for meeting in meetings for event in sync_meeting(meeting, now=now)]
