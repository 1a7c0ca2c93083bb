"""The meeting page: one page per meeting in the admin, built for reading (on a desk or a
phone) by everyone who may see the meeting, with the way to each thing one does with it.

``load`` fetches a meeting with everything the page shows in a fixed number of queries,
however long its agenda; ``contents`` says what a reader is shown of it. What each reader sees
is liaison.visibility's: the audience (``audience_for``) decides the objectives, the asks and
talking points, confidential items, people and the join link, and which materials.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from advocacy.models import PositionPage
from liaison import visibility
from liaison.meetings.checks import meeting_warnings, position_warning
from liaison.meetings.materials import shared_with
from liaison.meetings.models import ActionItem, AgendaItem, Contact, MeetingMaterial
from liaison.meetings.timezones import abbreviation

ACTION_RELATED = ("owner", "owner_organisation", "owner_regulator")


def load(meetings, pk):
    """The meeting ``pk`` of ``meetings`` (those the reader may see) with all the page shows."""
    positions = PositionPage.objects.prefetch_related(
        Prefetch("successors", queryset=PositionPage.objects.filter(live=True))
    )
    materials = MeetingMaterial.objects.select_related("document", "agenda_item")
    actions = ActionItem.objects.select_related(*ACTION_RELATED).order_by("due_date", "pk")
    contacts = Contact.objects.select_related("organisation", "regulator")
    return (
        meetings.select_related("organiser")
        .prefetch_related(
            "regulators",
            "delegation",
            "delegates_present",
            Prefetch("attendees", queryset=contacts),
            "attendees_present",
            "replies",
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.order_by("sort_order", "pk").prefetch_related(
                    Prefetch("cited_positions", queryset=positions)
                ),
            ),
            Prefetch("materials", queryset=materials),
            Prefetch("actions", queryset=actions),
        )
        .get(pk=pk)
    )


@dataclass
class Times:
    """When the meeting is, on three clocks: its own, the reader's and UTC."""

    meeting: str
    reader: str | None  # None when the reader's zone is the meeting's or UTC
    reader_zone: str | None
    utc: str


def span(start, end, zone):
    """'Thu 19 Nov 2026, 10:00–12:00 JST' (or across days) on the clocks of ``zone``."""
    start, end = start.astimezone(zone), end.astimezone(zone)
    until = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%a %-d %b %Y, %H:%M}"
    return f"{start:%a %-d %b %Y, %H:%M}–{until} {abbreviation(end)}"


def times(meeting, reader_zone):
    if meeting.all_day:
        # Whole days of the meeting's zone: the same days on every clock that matters.
        return Times(meeting.days_text(), None, None, "")
    utc = zoneinfo.ZoneInfo("UTC")
    own = span(meeting.starts_at, meeting.ends_at, meeting.zone)
    shown = span(meeting.starts_at, meeting.ends_at, reader_zone)
    reader = None
    name = getattr(reader_zone, "key", str(reader_zone))
    if name not in (meeting.time_zone, "UTC") and shown != own:
        reader = shown
    return Times(own, reader, name, span(meeting.starts_at, meeting.ends_at, utc))


@dataclass
class Item:
    """An agenda item as the reader is shown it, with its slot on the meeting's clock."""

    item: AgendaItem
    starts: datetime.datetime
    ends: datetime.datetime
    positions: list = field(default_factory=list)  # (position, warning or None)
    materials: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    day: datetime.date | None = None  # the day it is on, for a meeting over several days
    timed: bool = True  # False for an all-day meeting: its items have no clock times

    @property
    def slot(self):
        """'10:00–10:30' on the meeting's clock (the item's times are in its zone); nothing
        for an item of an all-day meeting."""
        if not self.timed:
            return ""
        return f"{self.starts:%H:%M}–{self.ends:%H:%M}"


@dataclass
class Person:
    name: str
    detail: str = ""
    reply: str = ""
    attended: bool = False


def people(meeting):
    """The delegation and the external attendees, with their replies and attendance."""
    replies = {r.recipient_email.lower(): r for r in meeting.replies.all()}
    present_users = {u.pk for u in meeting.delegates_present.all()}
    present_contacts = {c.pk for c in meeting.attendees_present.all()}

    def reply_of(email):
        reply = replies.get((email or "").lower())
        return reply.get_answer_display() if reply else ""

    delegation = [
        Person(
            u.get_full_name() or u.get_username(),
            reply=reply_of(u.email),
            attended=u.pk in present_users,
        )
        for u in sorted(meeting.delegation.all(), key=lambda u: u.get_full_name().lower())
    ]
    attendees = [
        Person(
            c.name,
            ", ".join(str(part) for part in (c.job_title, c.affiliation) if part),
            reply_of(c.email),
            c.pk in present_contacts,
        )
        for c in meeting.attendees.all()
    ]
    return delegation, attendees


def contents(meeting, user, *, now=None, reader_zone=None):
    """What ``user`` (who may see ``meeting``, loaded by ``load``) is shown of it."""
    now = now or timezone.now()
    audience = visibility.audience_for(user, meeting)
    today = now.astimezone(meeting.zone).date()
    shown_items = [
        item
        for item in meeting.agenda_items.all()
        if audience.sees_confidential or not item.confidential
    ]
    materials = [m for m in meeting.materials.all() if visibility.material_shown_to(audience, m)]
    for material in materials:
        material.shared_with = shared_with(material)
    shown_ids = {item.pk for item in shown_items}
    # Actions of a hidden (confidential) item are hidden with it.
    actions = [
        a
        for a in meeting.actions.all()
        if a.agenda_item_id is None or a.agenda_item_id in shown_ids
    ]
    # A meeting over several days lists its items under their days (Meeting.agenda_by_day).
    days = {
        item.pk: day
        for day, group in meeting.agenda_by_day(list(meeting.agenda_items.all()))
        for item in group
    }
    # Clock times only for a timed meeting of one day: a day's programme is not a clock.
    timed = not meeting.all_day and len(meeting.days()) < 2
    items, clock = [], meeting.starts_at
    for item in meeting.agenda_items.all():
        starts, clock = clock, clock + datetime.timedelta(minutes=item.duration_minutes or 0)
        if item.pk not in shown_ids:
            continue
        items.append(
            Item(
                item,
                starts.astimezone(meeting.zone),
                clock.astimezone(meeting.zone),
                [(p, position_warning(p, today)) for p in item.cited_positions.all()],
                [m for m in materials if m.agenda_item_id == item.pk],
                [a for a in actions if a.agenda_item_id == item.pk],
                day=days.get(item.pk),
                timed=timed,
            )
        )
    if any(entry.day for entry in items):
        items.sort(key=lambda entry: entry.day)
    delegation, attendees = people(meeting)
    return {
        "audience": audience,
        "times": times(meeting, reader_zone or timezone.get_current_timezone()),
        "started": meeting.starts_at <= now,
        "items": items,
        "meeting_materials": [m for m in materials if m.agenda_item_id is None],
        "meeting_actions": [a for a in actions if a.agenda_item_id is None],
        "delegation": delegation,
        "attendees": attendees if audience.sees_people else [],
        "attendance_recorded": any(p.attended for p in delegation + attendees),
        "warnings": meeting_warnings(meeting, today) if audience.sees_confidential else [],
        "carried_forward": list(meeting.carried_forward_actions(user)[:50]),
    }
