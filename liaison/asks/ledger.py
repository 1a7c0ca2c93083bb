"""The ledger's rules as plain data: statuses, what each event moves an ask to, and the
replay that gives an ask's state from its events. No Django, no database: the models keep
a copy of ``replay``'s answer for listing and filtering, and the tests check that the copy is
always what replaying the events gives.

An ask moves raised → acknowledged → answered → follow-up, and ends met, partly met,
declined, parked or superseded (by another ask). Each event that moves it says where to
(``moves_to``, fixed when the event is recorded); the others (evidence, notes, merges) leave
it where it is. So an ask's state, for any reader, is the replay of the events that reader
may see: the public impact page replays the public events alone.
"""

import dataclasses
import datetime
import statistics

RAISED = "raised"
ACKNOWLEDGED = "acknowledged"
ANSWERED = "answered"
FOLLOW_UP = "follow_up"
MET = "met"
PARTLY_MET = "partly_met"
DECLINED = "declined"
PARKED = "parked"
SUPERSEDED = "superseded"

STATUSES = [
    (RAISED, "Raised"),
    (ACKNOWLEDGED, "Acknowledged"),
    (ANSWERED, "Answered"),
    (FOLLOW_UP, "Follow-up"),
    (MET, "Met"),
    (PARTLY_MET, "Partly met"),
    (DECLINED, "Declined"),
    (PARKED, "Parked"),
    (SUPERSEDED, "Superseded"),
]
STATUS_LABELS = dict(STATUSES)
STATUSES_CLOSING = (MET, PARTLY_MET, DECLINED, PARKED, SUPERSEDED)
OPEN = frozenset({RAISED, ACKNOWLEDGED, ANSWERED, FOLLOW_UP})
CLOSED = frozenset(STATUSES_CLOSING)
# An ask not yet raised anywhere: drafted, or put on the agenda of a meeting still to come.
DRAFT = ""

# Kinds of event.
K_RAISED = "raised"  # put to the regulator at a meeting (again: a follow-up)
K_ACKNOWLEDGED = "acknowledged"
K_ANSWERED = "answered"  # the regulator's answer recorded
K_FOLLOW_UP = "follow_up"  # a follow-up sent (letter, e-mail, call)
K_EVIDENCE = "evidence"  # a guidance document, a Federal Register notice... with URL and date
K_NOTE = "note"
K_CLOSED = "closed"
K_REOPENED = "reopened"
K_MERGED = "merged"  # another ask merged into this one, or this one into another

KINDS = [
    (K_RAISED, "Raised at a meeting"),
    (K_ACKNOWLEDGED, "Acknowledged by the regulator"),
    (K_ANSWERED, "Answer recorded"),
    (K_FOLLOW_UP, "Follow-up sent"),
    (K_EVIDENCE, "Evidence"),
    (K_NOTE, "Note"),
    (K_CLOSED, "Closed"),
    (K_REOPENED, "Reopened"),
    (K_MERGED, "Merged"),
]
KIND_LABELS = dict(KINDS)
# The kinds a person records by hand on an ask's page (closing, reopening and merging have
# their own forms; raising and answers come from meetings, or by hand for a letter).
RECORDED_BY_HAND = (K_ACKNOWLEDGED, K_ANSWERED, K_FOLLOW_UP, K_EVIDENCE, K_NOTE)


class RefusedError(ValueError):
    """An event the ledger does not take, with the reason in words for the person."""


def moves_to(kind, status, outcome=""):
    """Where an event of ``kind`` moves an ask now at ``status`` ("" for one that leaves it),
    or RefusedError. ``outcome`` is the closing status of a K_CLOSED event."""
    closed = status in CLOSED
    if kind == K_RAISED:
        if closed:
            return ""  # on a later agenda for the record; reopening is a decision of its own
        return RAISED if status == DRAFT else FOLLOW_UP
    if kind in (K_ACKNOWLEDGED, K_ANSWERED, K_FOLLOW_UP):
        if closed:
            raise RefusedError(
                f"The ask is closed ({STATUS_LABELS[status].lower()}): reopen it first, "
                "with a note saying why."
            )
        return {K_ACKNOWLEDGED: ACKNOWLEDGED, K_ANSWERED: ANSWERED, K_FOLLOW_UP: FOLLOW_UP}[kind]
    if kind == K_CLOSED:
        if outcome not in CLOSED:
            raise RefusedError(
                "Choose how the ask ended: met, partly met, declined, parked or superseded."
            )
        if closed:
            raise RefusedError(f"The ask is already closed ({STATUS_LABELS[status].lower()}).")
        return outcome
    if kind == K_REOPENED:
        if not closed:
            raise RefusedError("Only a closed ask can be reopened.")
        return FOLLOW_UP
    return ""


@dataclasses.dataclass(frozen=True)
class Event:
    """What replay needs of an event."""

    kind: str
    moves_to: str
    occurred_on: datetime.date


@dataclasses.dataclass(frozen=True)
class State:
    status: str = DRAFT
    raised_on: datetime.date | None = None  # first raised
    answered_on: datetime.date | None = None  # first answer recorded
    closed_on: datetime.date | None = None  # when it closed, while it is closed
    last_event_on: datetime.date | None = None

    @property
    def is_open(self):
        return self.status in OPEN

    @property
    def is_closed(self):
        return self.status in CLOSED

    @property
    def label(self):
        return STATUS_LABELS.get(self.status, "Not yet raised")


def replay(events):
    """The state ``events`` (in the order they happened) leave an ask in."""
    status, raised, answered, closed, last = DRAFT, None, None, None, None
    for event in events:
        if event.moves_to:
            status = event.moves_to
            closed = event.occurred_on if status in CLOSED else None
        if event.kind == K_RAISED and raised is None:
            raised = event.occurred_on
        if event.kind == K_ANSWERED and answered is None:
            answered = event.occurred_on
        last = event.occurred_on
    return State(status, raised, answered, closed, last)


def median_days_to_answer(pairs):
    """The median number of days from raising to the first answer, over (raised_on,
    answered_on) pairs; pairs missing either, or answered before raised (a letter answered
    before the meeting noted it), count as not answered yet. None when there is none."""
    days = [(a - r).days for r, a in pairs if r and a and a >= r]
    return statistics.median(days) if days else None
