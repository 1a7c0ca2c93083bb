"""Word (.docx) briefings for a meeting: a pure builder, no Django, no query, no storage.

``build(data.load(meeting_id), audience, ...)`` returns the bytes of one document; ``load``
(liaison.briefings.data) gives the frozen data it reads. What a reader learns is decided
here, by the *audience*:

=========  =====================================================================================
delegate   The delegation, before the meeting. Marked "CONFIDENTIAL — delegation only".
           Cover (title, regulators, time in the meeting's zone, in UTC and in the reader's zone,
           place and join link, status), delegation and attendees, objectives, the agenda table,
           one section per item (the ask, background, numbered talking points, cited positions
           with a warning when one is superseded, withdrawn or past review), open follow-ups
           carried from earlier meetings with the same regulators, the last five of those
           meetings with their outcomes, every paper of the meeting (its agenda item, who it
           is shared with, file type and size, a sign-in link), and a contacts sheet.
pre-read   Outside stakeholders, before the meeting, whatever the meeting's visibility. Only what
           may be shown to anyone invited: the cover without the join link, the agenda of the
           *non-confidential* items (title, presenter, minutes) and, per such item, its
           background and the cited positions that are live and public; the papers shown to
           the public (liaison.visibility), with their public links. No objectives, no asks,
           no talking points, no notes, no people, no actions, no history, no other papers.
record     After the meeting. Attendance, the agenda, per item the regulator's response, the
           decision and notes, a numbered list of decisions, and this meeting's actions with
           owners, due dates and status. Marked by the meeting's visibility (confidential
           meetings, and any meeting with a confidential item, "CONFIDENTIAL — delegation only").
=========  =====================================================================================

Who may read which is liaison.visibility's ``may_read_briefing``. The Word plumbing (markings
on every page, page numbers, headings, table of contents, numbered lists, safe links) is
liaison.briefings.docx_writer's.
"""

import datetime
import enum
import re
import zoneinfo

from docx.shared import Cm, Pt

from liaison.briefings.docx_writer import (
    TOC_INSTRUCTION,
    Writer,
    clean,
    line,
    list_items,
    paragraphs,
    safe_url,
)
from liaison.meetings.checks import agenda_overrun

__all__ = [
    "TOC_INSTRUCTION",
    "Audience",
    "build",
    "clean",
    "download_filename",
    "paragraphs",
    "safe_url",
]


class Audience(enum.StrEnum):
    DELEGATE = "delegate"
    PRE_READ = "pre-read"
    RECORD = "record"


LABELS = {
    Audience.DELEGATE: "Delegate briefing",
    Audience.PRE_READ: "Pre-read",
    Audience.RECORD: "Meeting record",
}
CONFIDENTIAL = "CONFIDENTIAL — delegation only"
MEMBERS = "MEMBERS ONLY"
PUBLIC = "PUBLIC"
SHARED = "FOR MEETING PARTICIPANTS — not for publication"


# --- what is in the meeting ------------------------------------------------------------------


def _audience(value):
    try:
        return Audience(str(value.value if isinstance(value, enum.Enum) else value))
    except ValueError:
        raise ValueError(f"Unknown briefing audience {value!r}.") from None


def marking(meeting, audience):
    audience = _audience(audience)
    if audience == Audience.DELEGATE:
        return CONFIDENTIAL
    if audience == Audience.PRE_READ:
        return PUBLIC if meeting.public else SHARED
    if meeting.confidential_content:
        return CONFIDENTIAL
    return MEMBERS


def _items(meeting):
    """(start, item) for every agenda item, starts computed from the durations."""
    start = meeting.local_start
    scheduled = []
    for item in meeting.items:
        scheduled.append((start, item))
        start = start + datetime.timedelta(minutes=item.duration_minutes)
    return scheduled


def _reader_time(meeting, reader_zone):
    if not reader_zone:
        return ""
    try:
        zone = zoneinfo.ZoneInfo(str(reader_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    if zone.key == meeting.time_zone:
        return ""
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    until = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%a %-d %b %Y, %H:%M}"
    return f"{start:%a %-d %b %Y, %H:%M}–{until} {end.tzname()} ({zone.key.replace('_', ' ')})"


def _regulators(meeting):
    return ", ".join(line(name) for name in meeting.regulators) or "—"


def _cover(w, meeting, audience, reader_zone, now):
    w.add_paragraph(line(meeting.title) or "Meeting", "Title")
    p = w.add_paragraph(LABELS[audience], "Subtitle")
    p.paragraph_format.space_after = Pt(12)
    rows = [
        ("Regulator", _regulators(meeting)),
        ("When", f"{meeting.when_local} ({meeting.time_zone.replace('_', ' ')})"),
        ("In UTC", meeting.when_utc),
    ]
    reader = _reader_time(meeting, reader_zone)
    if reader:
        rows.append(("Your time", reader))
    rows.append(("Status", meeting.status))
    if meeting.location:
        rows.append(("Where", line(meeting.location)))
    for label, value in rows:
        w.para(value, bold_label=f"{label}:")
    if audience != Audience.PRE_READ and meeting.join_url:
        w.link(w.para(bold_label="Join online:"), meeting.join_url, meeting.join_url)
    w.para(w.marking, bold_label="Classification:")
    w.para(f"{w.organisation}, {now:%-d %B %Y %H:%M} UTC", bold_label="Prepared by:")
    w.toc()


def _people_rows(meeting, organisation, present_only=False):
    """(name, role, organisation) of the delegation, then the external attendees; with
    ``present_only``, of those ticked as attended."""
    rows = []
    for person in sorted(meeting.delegation, key=lambda d: d.name.lower()):
        if present_only and not person.present:
            continue
        role = "Delegation (organiser)" if person.organiser else "Delegation"
        rows.append((person.name, role, organisation))
    for contact in meeting.attendees:
        if present_only and not contact.present:
            continue
        rows.append((contact.name, contact.job_title or "Attendee", contact.works_at))
    return rows


def _agenda_table(w, scheduled):
    rows = [
        (
            f"{start:%H:%M}",
            line(item.title) + (" [confidential]" if item.confidential else ""),
            line(item.presenter),
            str(item.duration_minutes),
        )
        for start, item in scheduled
    ]
    w.table(("Start", "Item", "Presenter", "Minutes"), rows, (Cm(1.5), Cm(8.3), Cm(3.4), Cm(2.0)))


def _positions(w, item, public_only):
    positions = [p for p in item.positions if p.public or not public_only]
    if not positions:
        return
    w.label("Cited positions")
    for position in positions:
        p = w.add_paragraph(style="List Bullet")
        p.add_run(line(position.title)).bold = True
        p.add_run(f" ({position.status}). ")
        p.add_run(line(position.summary) + " ")
        if position.url:
            w.link(p, position.url, position.url)
        if not public_only and position.warning:
            w.warning(position.warning)


def _file(material):
    """e.g. "PDF, 1.2 MB"."""
    size = material.size
    if size is None:
        amount = ""
    elif size < 1024:
        amount = f"{size} bytes"
    elif size < 1024 * 1024:
        amount = f"{size / 1024:.0f} KB"
    else:
        amount = f"{size / (1024 * 1024):.1f} MB"
    return ", ".join(part for part in (material.file_type or "File", amount) if part)


def _papers(w, papers, *, delegation):
    """The meeting's papers: for the delegation a table of all of them (who each is shared
    with), then their sign-in links; for a pre-read the public ones with their public links.
    No section when there are none."""
    if not papers:
        return
    w.heading("Papers", 1)
    if delegation:
        w.table(
            ("Paper", "Agenda item", "Shared with", "File"),
            [
                (line(m.title), line(m.item) or "Whole meeting", m.shared_with, _file(m))
                for m in papers
            ],
            (Cm(5.2), Cm(4.3), Cm(3.7), Cm(2.0)),
        )
        w.label("To open them, sign in to Liaise")
    for m in papers:
        p = w.add_paragraph(style="List Bullet")
        p.add_run(line(m.title)).bold = True
        if not delegation:
            facts = [line(m.item), _file(m)]
            p.add_run(f" ({'; '.join(f for f in facts if f)})")
        p.add_run(": ")
        url = m.sign_in_url if delegation else m.url
        w.link(p, url, url)


def _delegate(w, meeting, scheduled, organisation):
    w.heading("Delegation and attendees", 1)
    people = _people_rows(meeting, organisation)
    if people:
        w.table(("Name", "Role", "Organisation"), people)
    else:
        w.para("No one is listed yet.")
    w.heading("Objectives", 1)
    if meeting.objectives.strip():
        w.text_block(meeting.objectives)
    else:
        w.para("None recorded.")
    w.heading("Agenda", 1)
    overrun = agenda_overrun(meeting, [item for _start, item in scheduled])
    if overrun:
        w.warning(f"The agenda runs {overrun} minutes past the end of the meeting.")
    _agenda_table(w, scheduled)
    w.heading("Agenda items", 1)
    for number, (start, item) in enumerate(scheduled, 1):
        w.heading(f"{number}. {line(item.title)}", 2)
        facts = f"{start:%H:%M}, {item.duration_minutes} minutes"
        if item.presenter:
            facts += f", presented by {line(item.presenter)}"
        if item.confidential:
            facts += ". Confidential item"
        w.para(facts + ".")
        if item.ask.strip():
            w.label("The ask")
            w.text_block(item.ask)
        if item.background.strip():
            w.label("Background")
            w.text_block(item.background)
        points = list_items(item.talking_points)
        if points:
            w.label("Talking points")
            w.numbered(points)
        _positions(w, item, public_only=False)
    _papers(w, meeting.materials, delegation=True)
    w.heading("Open follow-ups from earlier meetings", 1)
    carried = meeting.carried
    if carried:
        w.table(
            ("Action", "Owner", "Due", "From meeting"),
            [
                (
                    line(a.description),
                    a.owner,
                    f"{a.due_date:%-d %b %Y}" if a.due_date else "—",
                    f"{line(a.meeting_title)} ({a.meeting_day:%-d %b %Y})",
                )
                for a in carried
            ],
        )
    else:
        w.para("None open.")
    w.heading("Earlier meetings with these regulators", 1)
    history = meeting.history
    if not history:
        w.para("This is the first meeting on record.")
    for earlier in history:
        w.heading(f"{line(earlier.title)}, {earlier.local_start:%-d %B %Y}", 2)
        outcomes = []
        for item in earlier.outcomes:
            said = "; ".join(
                line(v) for v in (item.regulator_response, item.decision) if v and v.strip()
            )
            outcomes.append(f"{line(item.title)}: {said or 'no outcome recorded'}")
        if outcomes:
            w.numbered(outcomes)
        else:
            w.para("No agenda recorded.")
    w.heading("Contacts", 1)
    contacts = [(c.name, c.works_at, c.email, c.phone) for c in meeting.attendees]
    contacts += [(d.name, organisation, d.email, "") for d in meeting.delegation]
    if contacts:
        w.table(("Name", "Organisation", "E-mail", "Phone"), contacts)
    else:
        w.para("No contacts.")


def _pre_read(w, meeting, scheduled):
    public = [(start, item) for start, item in scheduled if not item.confidential]
    w.heading("Agenda", 1)
    if public:
        _agenda_table(w, public)
    else:
        w.para("The agenda will follow.")
    if public:
        w.heading("Agenda items", 1)
    for number, (_start, item) in enumerate(public, 1):
        w.heading(f"{number}. {line(item.title)}", 2)
        if item.presenter:
            w.para(f"Presented by {line(item.presenter)}, {item.duration_minutes} minutes.")
        if item.background.strip():
            w.label("Background")
            w.text_block(item.background)
        _positions(w, item, public_only=True)
    _papers(w, [m for m in meeting.materials if m.public], delegation=False)


def _record(w, meeting, scheduled, organisation):
    w.heading("Attendance", 1)
    # Who came, as ticked after the meeting; until then, who was invited, said as such.
    people = _people_rows(meeting, organisation, present_only=meeting.attendance_recorded)
    if not meeting.attendance_recorded:
        w.para("Attendance was not recorded. Invited:" if people else "No attendance recorded.")
    if people:
        w.table(("Name", "Role", "Organisation"), people)
    w.heading("Agenda", 1)
    _agenda_table(w, scheduled)
    w.heading("Outcomes", 1)
    for number, (_start, item) in enumerate(scheduled, 1):
        w.heading(f"{number}. {line(item.title)}", 2)
        if item.confidential:
            w.para("Confidential item.")
        any_outcome = False
        for label, value in (
            ("Regulator response", item.regulator_response),
            ("Decision", item.decision),
            ("Notes", item.outcome_notes),
        ):
            if value and value.strip():
                any_outcome = True
                w.label(label)
                w.text_block(value)
        if not any_outcome:
            w.para("No outcome recorded.")
    w.heading("Decisions", 1)
    decisions = [
        f"{line(item.title)}: {line(item.decision)}"
        for _s, item in scheduled
        if item.decision and item.decision.strip()
    ]
    if decisions:
        w.numbered(decisions)
    else:
        w.para("No decisions recorded.")
    w.heading("Actions", 1)
    actions = meeting.actions
    if actions:
        w.table(
            ("Action", "Owner", "Due", "Status"),
            [
                (
                    line(a.description),
                    a.owner,
                    f"{a.due_date:%-d %b %Y}" if a.due_date else "—",
                    a.status,
                )
                for a in actions
            ],
        )
    else:
        w.para("No actions recorded.")


def build(meeting, audience, *, reader_zone=None, organisation="Liaise", now=None):
    """The .docx bytes of ``audience``'s briefing (``Audience`` or its value) of ``meeting``,
    the data ``load`` returns. ``reader_zone``: an IANA zone the reader's own time is shown
    in; ``now``: the moment it is prepared (now by default)."""
    audience = _audience(audience)
    now = (now or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    now = now.replace(microsecond=0)
    w = Writer(marking(meeting, audience), organisation)
    _cover(w, meeting, audience, reader_zone, now)
    scheduled = _items(meeting)
    if audience == Audience.DELEGATE:
        _delegate(w, meeting, scheduled, w.organisation)
    elif audience == Audience.PRE_READ:
        _pre_read(w, meeting, scheduled)
    else:
        _record(w, meeting, scheduled, w.organisation)
    title = f"{LABELS[audience]}: {line(meeting.title)}"
    return w.save(title, f"{LABELS[audience]} ({w.marking})", now)


# --- downloads -----------------------------------------------------------------------------

_NOT_IN_FILENAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f;]+')


def download_filename(meeting, audience):
    """e.g. "2026-06-10 Annual liaison meeting - delegate.docx": the meeting's local date,
    title and audience, without characters file systems or headers choke on."""
    audience = _audience(audience)
    title = _NOT_IN_FILENAMES.sub(" ", line(meeting.title))
    title = " ".join(title.split()).strip(" .") or "meeting"
    if len(title) > 80:
        title = title[:80].rstrip(" .")
    return f"{meeting.local_start:%Y-%m-%d} {title} - {audience.value}.docx"
