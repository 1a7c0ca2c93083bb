"""What a briefing shows of a meeting, loaded once into plain frozen data.

``load(meeting_id)`` fetches everything in a fixed number of queries, whatever the number of
agenda items or people, and returns a ``Meeting`` (a frozen dataclass, not the model). The
builder (liaison.briefings.document) takes only this: it runs no query and changes nothing.
What each audience may see of it is the builder's choice; which earlier meetings and
carried-forward actions are here at all is liaison.visibility's (``SHARED``: what the whole
delegation may see).
"""

import dataclasses
import datetime
import urllib.parse
import zoneinfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.utils import timezone

from advocacy.models import PositionPage
from liaison import visibility
from liaison.briefings import richtext
from liaison.meetings import materials, models
from liaison.meetings.checks import position_warning

EARLIER_MEETINGS = 5


@dataclasses.dataclass(frozen=True)
class Position:
    """A position an agenda item cites."""

    pk: int
    title: str
    status: str  # e.g. "Adopted on 4 March 2025", "Superseded, adopted on 2 May 2023"
    summary: str
    url: str
    public: bool  # live and public: it may go in a stakeholder pre-read
    warning: str | None  # superseded, withdrawn or past review, on the day of loading
    published: bool = False  # live: ``body`` is its text as published
    body: tuple[richtext.Block, ...] = ()  # the text as published (empty when not live)


@dataclasses.dataclass(frozen=True)
class AskStep:
    """One event in an ask's history, as the delegate briefing lists it."""

    occurred_on: datetime.date
    what: str  # "Raised at a meeting", "Answer recorded", "Closed: met"...
    text: str
    meeting_title: str  # "" when not at a meeting
    url: str  # evidence: where the document is published
    here: bool  # at this very meeting


@dataclasses.dataclass(frozen=True)
class AskHistory:
    """An ask of the ledger an agenda item puts, with its history so far: delegation only."""

    reference: str
    title: str
    status: str
    desired_outcome: str
    steps: tuple[AskStep, ...] = ()


@dataclasses.dataclass(frozen=True)
class Item:
    title: str
    duration_minutes: int
    presenter: str
    confidential: bool
    ask: str
    background: str
    talking_points: str
    regulator_response: str
    decision: str
    outcome_notes: str
    positions: tuple[Position, ...] = ()
    day: datetime.date | None = None  # the day it is on, of a meeting over several days
    asks: tuple[AskHistory, ...] = ()  # the ledger's asks it puts: the delegation's only

    def for_outsiders(self):
        """What of this item may reach invitees and stakeholders: the fields the agenda item
        form marks "shared with invitees and stakeholders" (AgendaItem.SHARED_WITH_OUTSIDERS),
        the positions that are live and public. None for a confidential item."""
        if self.confidential:
            return None
        return SharedItem(
            title=self.title,
            duration_minutes=self.duration_minutes,
            presenter=self.presenter,
            background=self.background,
            positions=tuple(p for p in self.positions if p.public),
            day=self.day,
        )


@dataclasses.dataclass(frozen=True)
class SharedItem:
    """An agenda item as a stakeholder pre-read may show it; nothing else is here to leak."""

    title: str
    duration_minutes: int
    presenter: str
    background: str
    positions: tuple[Position, ...] = ()
    day: datetime.date | None = None


@dataclasses.dataclass(frozen=True)
class Action:
    description: str
    owner: str
    due_date: datetime.date | None
    status: str
    meeting_title: str
    meeting_day: datetime.date  # the day its meeting started, in the meeting's zone


@dataclasses.dataclass(frozen=True)
class Delegate:
    name: str
    email: str
    organiser: bool
    present: bool = False  # ticked as attended
    time_zone: str = ""  # chosen in their account settings, if any


@dataclasses.dataclass(frozen=True)
class Attendee:
    name: str
    job_title: str
    works_at: str
    email: str
    phone: str
    present: bool = False  # ticked as attended


@dataclasses.dataclass(frozen=True)
class Outcome:
    title: str
    regulator_response: str
    decision: str


@dataclasses.dataclass(frozen=True)
class EarlierMeeting:
    title: str
    local_start: datetime.datetime
    outcomes: tuple[Outcome, ...]


@dataclasses.dataclass(frozen=True)
class Material:
    """A paper of the meeting (a MeetingMaterial)."""

    title: str
    item: str  # the agenda item's title; "" for a paper of the whole meeting
    shared_with: str  # who may open it, in words
    file_type: str  # "PDF", "DOCX"...
    size: int | None  # bytes, when known
    url: str  # the document's address (anyone may open a public paper there)
    sign_in_url: str  # the admin sign-in page going on to it: for staff
    public: bool  # shown to the public (visibility): it may go in a stakeholder pre-read


@dataclasses.dataclass(frozen=True)
class Meeting:
    """One meeting as a briefing may show it."""

    pk: int
    title: str
    regulators: tuple[str, ...]  # full names
    time_zone: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    when_local: str
    when_utc: str
    status: str
    location: str
    join_url: str
    public: bool
    confidential_content: bool  # confidential, or with a confidential agenda item
    objectives: str
    delegation: tuple[Delegate, ...]
    attendees: tuple[Attendee, ...]
    items: tuple[Item, ...]
    actions: tuple[Action, ...]
    carried: tuple[Action, ...]  # open, from earlier meetings with the same regulators
    history: tuple[EarlierMeeting, ...]  # the last few of those meetings
    updated_at: datetime.datetime
    attendance_recorded: bool = False  # someone was ticked as attended
    materials: tuple[Material, ...] = ()  # meeting papers first, then by agenda item
    description: str = ""  # what the meeting is for: public, every audience may see it
    all_day: bool = False  # held on whole days: no clock times
    days: tuple[datetime.date, ...] = ()  # the days it runs on, in its zone

    @property
    def local_start(self):
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))

    @property
    def duration_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def _positions_prefetch():
    return Prefetch(
        "cited_positions",
        queryset=PositionPage.objects.prefetch_related(
            Prefetch("successors", queryset=PositionPage.objects.filter(live=True))
        ),
    )


def _status(position):
    status = position.get_policy_status_display()
    if position.adopted_on and position.policy_status == position.Status.ADOPTED:
        return f"Adopted on {position.adopted_on:%-d %B %Y}"
    if position.adopted_on:
        return f"{status}, adopted on {position.adopted_on:%-d %B %Y}"
    return status


def _absolute(url, base_url):
    """``url`` on ``base_url`` (BASE_URL): an absolute address keeps only its path, query and
    fragment, so that no other host (a Wagtail Site's, a request's) reaches a document."""
    if not url:
        return ""
    if not base_url:
        return url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return url
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return base_url.rstrip("/") + path


def _position_links(positions, base_url):
    """{("page" | "document", id): (title, url)} for every link in the positions' text, in two
    queries whatever their number. Only live, public pages keep their address."""
    from wagtail.documents import get_document_model
    from wagtail.models import Page

    wanted = set()
    for position in positions:
        wanted |= richtext.wanted(position.body.raw_data)
    page_ids = [pk for kind, pk in wanted if kind == "page"]
    document_ids = [pk for kind, pk in wanted if kind == "document"]
    links = {}
    if page_ids:
        for page in Page.objects.live().public().filter(pk__in=page_ids).specific():
            links[("page", page.pk)] = (page.title, _absolute(page.get_full_url() or "", base_url))
    if document_ids:
        for document in get_document_model().objects.filter(pk__in=document_ids):
            links[("document", document.pk)] = (document.title, _absolute(document.url, base_url))
    return links


def _action(action):
    return Action(
        description=action.description,
        owner=action.owner_name,
        due_date=action.due_date,
        status=action.get_status_display(),
        meeting_title=action.meeting.title,
        meeting_day=action.meeting.local_start.date(),
    )


def _name(user):
    return user.get_full_name() or user.get_username()


def _time_zone(user):
    """The zone ``user`` chose in their Wagtail account settings ("" if none or unknown)."""
    try:
        zone = user.wagtail_userprofile.current_time_zone
    except ObjectDoesNotExist:
        return ""
    try:
        return zoneinfo.ZoneInfo(zone).key if zone else ""
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""


def _material(material, base_url):
    document = material.document
    return Material(
        title=document.title,
        item=material.agenda_item.title if material.agenda_item else "",
        shared_with=materials.shared_with(material),
        file_type=document.file_extension.upper(),
        size=document.file_size,
        url=_absolute(document.url, base_url),
        sign_in_url=_absolute(materials.sign_in_url(document), base_url),
        public=visibility.material_shown_to(visibility.Audience.PUBLIC, material),
    )


def _step(event, meeting_pk):
    what = event.get_kind_display()
    if event.kind == "closed":
        what = f"Closed: {event.status_label.lower()}"
    text = event.text if event.kind != "raised" else ""
    if event.other_ask_id:
        other = event.other_ask.reference
        if event.kind == "merged":
            joined = event.other_ask.merged_into_id == event.ask_id
            other = f"{other} merged into this ask" if joined else f"Merged into {other}"
        else:
            other = f"Superseded by {other}"
        text = ". ".join(v for v in (other, text) if v)
    if event.document_title:
        text = ". ".join(v for v in (event.document_title, text) if v)
    return AskStep(
        occurred_on=event.occurred_on,
        what=what,
        text=text,
        meeting_title=event.meeting.title if event.meeting_id else "",
        url=event.url,
        here=event.meeting_id == meeting_pk,
    )


def _ask_histories(meeting, items):
    """{agenda item id: (AskHistory, ...)} for the asks the items put, each with the events
    the whole delegation may see (visibility.ask_history_for). Two queries."""
    from liaison.asks.models import AgendaAsk, AskEvent

    links = list(
        AgendaAsk.objects.filter(agenda_item__in=[i.pk for i in items])
        .select_related("ask")
        .order_by("pk")
    )
    if not links:
        return {}
    steps = {}
    events = visibility.ask_history_for(
        meeting, AskEvent.objects.filter(ask__in={link.ask_id for link in links})
    )
    for event in events.select_related("meeting", "other_ask").order_by("occurred_on", "pk"):
        steps.setdefault(event.ask_id, []).append(_step(event, meeting.pk))
    histories = {}
    for link in links:
        ask = link.ask
        histories.setdefault(link.agenda_item_id, []).append(
            AskHistory(
                reference=ask.reference,
                title=ask.title,
                status=ask.status_label,
                desired_outcome=ask.desired_outcome,
                steps=tuple(steps.get(ask.pk, ())),
            )
        )
    return {pk: tuple(found) for pk, found in histories.items()}


def load(meeting, *, today=None, base_url=""):
    """The briefing data of ``meeting`` (a pk, a Meeting or a queryset naming one).

    :param today: the day position warnings (past review) are judged on; today by default.
    :param base_url: makes relative position links absolute.
    """
    from wagtail.models import Site

    today = today or timezone.localdate()
    if isinstance(meeting, models.Meeting):
        meeting = meeting.pk
    queryset = meeting if hasattr(meeting, "model") else models.Meeting.objects.filter(pk=meeting)
    meeting = (
        queryset.select_related("organiser")
        .prefetch_related(
            "regulators",
            Prefetch(
                "delegation",
                queryset=get_user_model().objects.select_related("wagtail_userprofile"),
            ),
            "delegates_present",
            "attendees_present",
            Prefetch(
                "attendees",
                queryset=models.Contact.objects.select_related(
                    "organisation", "regulator"
                ).order_by("name", "pk"),
            ),
            Prefetch(
                "agenda_items",
                queryset=models.AgendaItem.objects.order_by("sort_order", "pk").prefetch_related(
                    _positions_prefetch()
                ),
            ),
            Prefetch(
                "actions",
                queryset=models.ActionItem.objects.select_related(
                    "owner", "owner_organisation", "owner_regulator", "agenda_item"
                ).order_by("due_date", "pk"),
            ),
            Prefetch(
                "materials",
                queryset=models.MeetingMaterial.objects.select_related("document", "agenda_item"),
            ),
        )
        .get()
    )
    items = list(meeting.agenda_items.all())
    # A meeting over several days lists its items under their days (Meeting.agenda_by_day).
    item_days = {
        item.pk: day for day, group in meeting.agenda_by_day(items) if day for item in group
    }
    if item_days:
        items.sort(key=lambda item: item_days[item.pk])
    cited = {p.pk: p for item in items for p in item.cited_positions.all()}
    public = set(
        PositionPage.objects.live()
        .public()
        .filter(pk__in=list(cited))
        .values_list("pk", flat=True)
    )
    Site.get_site_root_paths()  # once, cached: page URLs below need no query of their own
    links = _position_links([p for p in cited.values() if p.live], base_url)
    positions = {
        pk: Position(
            pk=pk,
            title=p.title,
            status=_status(p),
            summary=p.summary,
            url=_absolute(p.get_full_url() or "", base_url) if p.live else "",
            public=p.live and pk in public,
            warning=position_warning(p, today),
            published=p.live,
            body=richtext.position_blocks(p.body.raw_data, links) if p.live else (),
        )
        for pk, p in cited.items()
    }
    carried = visibility.carried_forward_actions(meeting, visibility.SHARED)
    history = (
        visibility.earlier_meetings(meeting, visibility.SHARED)
        .order_by("-starts_at", "-pk")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                # Each delegate may see an earlier meeting's open items, not its confidential
                # ones (visibility.SHARED reads them as members would).
                queryset=visibility.agenda_items_for(visibility.Audience.MEMBERS).order_by(
                    "sort_order", "pk"
                ),
            )
        )[:EARLIER_MEETINGS]
    )
    asks = _ask_histories(meeting, items)
    came = {u.pk for u in meeting.delegates_present.all()}
    came_from_outside = {c.pk for c in meeting.attendees_present.all()}
    return Meeting(
        pk=meeting.pk,
        title=meeting.title,
        regulators=tuple(r.name for r in meeting.regulators.all()),
        time_zone=meeting.time_zone,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        when_local=meeting.when_local(),
        when_utc=meeting.when_utc(),
        all_day=meeting.all_day,
        days=tuple(meeting.days()),
        status=meeting.get_status_display(),
        location=meeting.location,
        join_url=meeting.join_url,
        public=meeting.is_public,
        confidential_content=visibility.has_confidential_content(meeting),
        description=meeting.description,
        objectives=meeting.objectives,
        delegation=tuple(
            Delegate(
                _name(u),
                u.email,
                u.pk == meeting.organiser_id,
                u.pk in came,
                _time_zone(u),
            )
            for u in meeting.delegation.all()
        ),
        attendees=tuple(
            Attendee(
                c.name,
                c.job_title,
                str(c.regulator or c.organisation or ""),
                c.email,
                c.phone,
                c.pk in came_from_outside,
            )
            for c in meeting.attendees.all()
        ),
        attendance_recorded=bool(came or came_from_outside),
        items=tuple(
            Item(
                title=item.title,
                duration_minutes=item.duration_minutes or 0,
                presenter=item.presenter,
                confidential=item.confidential,
                ask=item.ask,
                background=item.background,
                talking_points=item.talking_points,
                regulator_response=item.regulator_response,
                decision=item.decision,
                outcome_notes=item.outcome_notes,
                positions=tuple(positions[p.pk] for p in item.cited_positions.all()),
                day=item_days.get(item.pk),
                asks=asks.get(item.pk, ()),
            )
            for item in items
        ),
        actions=tuple(_action(a) for a in meeting.actions.all()),
        carried=tuple(_action(a) for a in carried),
        history=tuple(
            EarlierMeeting(
                title=earlier.title,
                local_start=earlier.local_start,
                outcomes=tuple(
                    Outcome(i.title, i.regulator_response, i.decision)
                    for i in earlier.agenda_items.all()
                ),
            )
            for earlier in history
        ),
        updated_at=meeting.updated_at,
        materials=tuple(
            _material(m, base_url)
            for m in sorted(meeting.materials.all(), key=materials.agenda_order)
        ),
    )
