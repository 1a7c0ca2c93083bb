"""Word (.docx) briefings for a meeting: a pure builder, no Django, no query, no storage.

``build(data.load(meeting_id), audience, society=..., logo=..., version=...)`` returns the
bytes of one document; ``load`` (liaison.briefings.data) gives the frozen data it reads, the
``society`` (cms.society) who it is from: name, logo, address, paper size and the wording of
the markings. Every audience's document stands on its own: a cover (logo, society, meeting,
audience, regulator, date and times, classification, version), a table of contents written
when it is built, the body, and annexes; links carry words, never a raw address.

What a reader learns is decided here, by the *audience*:

=========  =====================================================================================
delegate   The delegation, before the meeting. Marked confidential. Cover with the join link;
           what the meeting is for (its public description), delegation and attendees, the
           delegation's objectives (a section of their own), the agenda table, one section per item (the
           ask, background, numbered talking points, cited positions with a warning when one
           is superseded, withdrawn or past review), open follow-ups carried from earlier
           meetings with the same regulators, the last five of those meetings with their
           outcomes, a contacts sheet; Annex A the full text of each cited position as
           published, Annex B every paper of the meeting (its agenda item, who it is shared
           with, file type and size, a sign-in link).
pre-read   Outside stakeholders, before the meeting, whatever the meeting's visibility. Only the
           fields the agenda item form marks "shared with invitees and stakeholders"
           (``Item.for_outsiders``) of the non-confidential items, after what the meeting is
           for (its public description, which every audience sees): the agenda (title,
           presenter, minutes), per item its background and the live, public positions it
           cites; Annex A those positions' text, Annex B the papers shown to the public. No
           join link, objectives, asks, talking points, notes, people, actions or history.
record     After the meeting. Attendance, the agenda, per item the regulator's response, the
           decision and notes, a numbered list of decisions, and this meeting's actions with
           owners, due dates and status. Marked by the meeting's visibility (confidential
           meetings, and any meeting with a confidential item, confidential; else members').
=========  =====================================================================================

Times: the cover shows the meeting in its own zone, in UTC and in each zone the delegation
chose (the shared copy that is stored, and handed to stakeholders). ``for_reader`` adds one
reader's own time to a stored copy at download, without building it again.

Who may read which is liaison.visibility's ``may_read_briefing``. The Word plumbing (markings
on every page, page numbers, headings, table of contents, numbered lists, safe links) is
liaison.briefings.docx_writer's.
"""

import datetime
import enum
import re
import zoneinfo

from docx.shared import Cm, Pt, RGBColor

from cms.society import Markings, Society
from liaison.briefings.docx_writer import (
    Writer,
    bookmark,
    clean,
    insert_after_bookmark,
    line,
    list_items,
    paragraphs,
    safe_url,
)
from liaison.meetings.checks import agenda_overrun

__all__ = [
    "Audience",
    "Society",
    "build",
    "clean",
    "download_filename",
    "for_reader",
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
DESCRIPTION_HEADING = "What this meeting is for"
READER_TIME = "liaise_reader_time"  # the bookmark a reader's own time is added after
GREY = RGBColor(0x55, 0x55, 0x55)


CONFIDENTIAL = Markings.confidential
MEMBERS = Markings.members
PUBLIC = Markings.public
SHARED = Markings.participants


# --- what is in the meeting ------------------------------------------------------------------


def _audience(value):
    try:
        return Audience(str(value.value if isinstance(value, enum.Enum) else value))
    except ValueError:
        raise ValueError(f"Unknown briefing audience {value!r}.") from None


def marking(meeting, audience, markings=None):
    """The classification marking of ``audience``'s briefing, in the society's words."""
    audience = _audience(audience)
    markings = markings or Markings()
    if audience == Audience.DELEGATE:
        return markings.confidential
    if audience == Audience.PRE_READ:
        return markings.public if meeting.public else markings.participants
    if meeting.confidential_content:
        return markings.confidential
    return markings.members


def _items(meeting):
    """(when, item) for every agenda item: its start ("10:40") computed from the durations
    for a timed meeting of one day; its day ("Tue 9 Mar") for a meeting over several days;
    "" for the items of a meeting held all of one day (no clock times)."""
    if meeting.all_day or len(meeting.days) > 1:
        return [(f"{item.day:%a %-d %b}" if item.day else "", item) for item in meeting.items]
    start = meeting.local_start
    scheduled = []
    for item in meeting.items:
        scheduled.append((f"{start:%H:%M}", item))
        start = start + datetime.timedelta(minutes=item.duration_minutes)
    return scheduled


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(str(name)) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def time_zone_known(name):
    """Is ``name`` an IANA time zone this machine knows?"""
    return _zone(name) is not None


def time_in(meeting, zone_name):
    """The meeting's time in the zone ``zone_name``, e.g. "Thu 10 Jun 2026, 15:00–17:00 CEST
    (Europe/Paris)"; "" for an unknown zone, or the meeting's own zone or UTC (already shown)."""
    zone = _zone(zone_name)
    if zone is None or zone.key in (meeting.time_zone, "UTC", "Etc/UTC") or meeting.all_day:
        return ""
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    until = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%a %-d %b %Y, %H:%M}"
    return f"{start:%a %-d %b %Y, %H:%M}–{until} {end.tzname()} ({zone.key.replace('_', ' ')})"


def _delegation_times(meeting):
    """The meeting in each zone the delegation chose, once per zone, in order of offset."""
    zones = {d.time_zone for d in meeting.delegation if d.time_zone}
    shown = [(meeting.starts_at.astimezone(_zone(z)).utcoffset(), z) for z in zones if _zone(z)]
    return [t for t in (time_in(meeting, z) for _offset, z in sorted(shown)) if t]


def for_reader(data, meeting, reader_zone):
    """A stored briefing (``data``, .docx bytes) for one reader: with their own time on the
    cover when they chose a zone other than the meeting's; else ``data`` as it is."""
    return insert_after_bookmark(data, READER_TIME, "Your time:", time_in(meeting, reader_zone))


def _regulators(meeting):
    return ", ".join(line(name) for name in meeting.regulators) or "—"


def _cover(w, meeting, audience, society, logo, version, reader_zone, now):
    """The first page: who it is from, what and when, for whom, how secret; then contents."""
    if logo:
        w.picture(logo, Cm(4.5))
    if society.name:
        w.big(society.name, 13, space_after=24)
    w.big(line(meeting.title) or "Meeting", 24, space_after=4)
    w.big(LABELS[audience], 15, bold=False, space_after=18, colour=GREY)
    if meeting.all_day:
        # Whole days in the meeting's zone: the days, no clock times, no UTC.
        rows = [("Regulator", _regulators(meeting)), ("Date", meeting.when_local)]
    else:
        rows = [
            ("Regulator", _regulators(meeting)),
            ("Date", f"{meeting.local_start:%A %-d %B %Y}"),
            ("When", f"{meeting.when_local} ({meeting.time_zone.replace('_', ' ')})"),
            ("In UTC", meeting.when_utc),
        ]
    for label, value in rows:
        p = w.para(value, bold_label=f"{label}:")
    # A reader's own time goes after the UTC line: now (``reader_zone``) or at download.
    bookmark(p, READER_TIME)
    reader = time_in(meeting, reader_zone)
    if reader:
        w.para(reader, bold_label="Your time:")
    zones = _delegation_times(meeting)
    if zones:
        w.label("The delegation's time zones:")
        for time in zones:
            w.para(time, style="List Bullet")
    if meeting.location:
        w.para(line(meeting.location), bold_label="Where:")
    if audience != Audience.PRE_READ and meeting.join_url:
        p = w.para(bold_label="Join online:")
        if safe_url(meeting.join_url):
            w.link(p, "Join the meeting online", meeting.join_url)
        else:  # not a web address (a dial-in, a room number...): as it was typed
            p.add_run(line(meeting.join_url))
    w.para(meeting.status, bold_label="Status:")
    p = w.para(bold_label="Classification:")
    run = p.add_run(w.marking)
    run.bold = True
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    prepared = f"{now:%-d %B %Y, %H:%M} UTC"
    if version:
        prepared = f"{version}, prepared {prepared}"
    w.para(prepared, bold_label="Version:" if version else "Prepared:")
    if society.name:
        w.para(society.name, bold_label="Prepared by:")
    address = [line(part) for part in clean(society.postal_address).split("\n") if line(part)]
    if address or society.website:
        p = w.add_paragraph()
        p.paragraph_format.space_before = Pt(30)
        if address:
            run = p.add_run(", ".join(address))
            run.font.size = Pt(9)
            run.font.color.rgb = GREY
        if society.website and safe_url(society.website):
            if address:
                p.add_run(" · ").font.size = Pt(9)
            host = safe_url(society.website).split("//", 1)[1].split("/", 1)[0]
            w.link(p, host, society.website)
    w.page_break()
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
            start,
            line(item.title) + (" [confidential]" if getattr(item, "confidential", False) else ""),
            line(item.presenter),
            str(item.duration_minutes),
        )
        for start, item in scheduled
    ]
    timed = any(":" in start for start, _item in scheduled)
    heading = "Start" if timed or not any(start for start, _item in scheduled) else "Day"
    w.table((heading, "Item", "Presenter", "Minutes"), rows, (15, 83, 34, 20))


def _positions(w, positions, *, warnings):
    """The positions an item cites: title (a link to it as published), status, summary; the
    full text is in the annex."""
    if not positions:
        return
    w.label("Cited positions")
    for position in positions:
        p = w.add_paragraph(style="List Bullet")
        if position.url:
            w.link(p, position.title, position.url)
        else:
            p.add_run(line(position.title)).bold = True
        p.add_run(f" ({position.status}). ")
        p.add_run(line(position.summary))
        if position.published:
            p.add_run(" Full text in the annex.")
        if warnings and position.warning:
            w.warning(position.warning)


def _position_annex(w, positions, letter):
    """Annex: the full text of each cited position, as published."""
    if not positions:
        return
    w.page_break()
    w.heading(f"Annex {letter}. Cited positions, as published", 1)
    for position in positions:
        w.heading(line(position.title), 2)
        facts = w.para(f"{position.status}.")
        if position.url:
            facts.add_run(" ")
            w.link(facts, "Read it on our website", position.url)
        if position.summary.strip():
            p = w.para()
            p.add_run(line(position.summary)).italic = True
        if not position.published:
            w.para("Not published: its text is not included.")
            continue
        lists = {}
        for block in position.body:
            runs = [r.as_tuple() for r in block.runs]
            if block.kind == "subheading":
                w.heading(" ".join(r.text for r in block.runs), 3, contents=False)
            elif block.kind == "bullet":
                w.runs(w.add_paragraph(style="List Bullet"), runs)
            elif block.kind == "number":
                lists.setdefault(block.list_id, []).append(runs)
                if block is position.body[-1] or _next_list(position.body, block) != block.list_id:
                    w.numbered(lists.pop(block.list_id))
            elif block.kind == "quote":
                p = w.runs(w.add_paragraph(), runs)
                p.paragraph_format.left_indent = Cm(1)
            else:
                w.runs(w.add_paragraph(), runs)


def _next_list(blocks, block):
    """The list id of the block after ``block`` (0 if none or not a numbered item)."""
    index = blocks.index(block)
    if index + 1 < len(blocks) and blocks[index + 1].kind == "number":
        return blocks[index + 1].list_id
    return 0


def _cited(items):
    """Each position the items cite, once, in the order first cited."""
    seen = {}
    for item in items:
        for position in item.positions:
            seen.setdefault(position.pk, position)
    return list(seen.values())


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


def _papers(w, papers, *, delegation, letter):
    """Annex: the meeting's papers. For the delegation a table of all of them (who each is
    shared with), then a sign-in link for each; for a pre-read the public ones, each title a
    link to the file. No annex when there are none."""
    if not papers:
        return
    w.heading(f"Annex {letter}. Meeting papers", 1)
    if delegation:
        w.table(
            ("Paper", "Agenda item", "Shared with", "File"),
            [
                (line(m.title), line(m.item) or "Whole meeting", m.shared_with, _file(m))
                for m in papers
            ],
            (35, 30, 22, 13),
        )
        w.label("To open a paper, sign in:")
    for m in papers:
        p = w.add_paragraph(style="List Bullet")
        if delegation:
            p.add_run(line(m.title) + ": ")
            w.link(p, "open it after signing in", m.sign_in_url)
        else:
            w.link(p, m.title, m.url)
            facts = [line(m.item), _file(m)]
            p.add_run(f" ({'; '.join(f for f in facts if f)})")


def _description(w, meeting):
    """What the meeting is for: its public description, which every audience may read (unlike
    the delegation's objectives). Nothing when there is none."""
    if meeting.description.strip():
        w.heading(DESCRIPTION_HEADING, 1)
        w.text_block(meeting.description)


def _asks(w, asks):
    """The ledger's asks an item puts, each with its history so far (delegate briefing)."""
    for ask in asks:
        w.label(f"Ask {ask.reference}: {line(ask.title)} ({ask.status.lower()})")
        if ask.desired_outcome.strip():
            w.para(f"The outcome we want: {line(ask.desired_outcome)}")
        if not ask.steps:
            w.para("Not raised with the regulator yet.")
            continue
        rows = []
        for step in ask.steps:
            where = f"at {line(step.meeting_title)}" if step.meeting_title else ""
            if step.here:
                where = "at this meeting"
            said = "; ".join(v for v in (where, line(step.text), step.url) if v)
            rows.append((f"{step.occurred_on:%-d %b %Y}", step.what, said or "—"))
        w.table(("Date", "What happened", "Details"), rows, (16, 24, 60))


def _delegate(w, meeting, scheduled, organisation):
    _description(w, meeting)
    w.heading("Delegation and attendees", 1)
    people = _people_rows(meeting, organisation)
    if people:
        w.table(("Name", "Role", "Organisation"), people, (35, 30, 35))
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
        facts = (
            f"{start}, {item.duration_minutes} minutes"
            if start
            else f"{item.duration_minutes} minutes"
        )
        if item.presenter:
            facts += f", presented by {line(item.presenter)}"
        if item.confidential:
            facts += ". Confidential item"
        w.para(facts + ".")
        if item.ask.strip():
            w.label("The ask")
            w.text_block(item.ask)
        _asks(w, item.asks)
        if item.background.strip():
            w.label("Background")
            w.text_block(item.background)
        points = list_items(item.talking_points)
        if points:
            w.label("Talking points")
            w.numbered(points)
        _positions(w, item.positions, warnings=True)
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
            (40, 20, 13, 27),
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
    # E-mail and phone share a wide column, so that an address is never broken mid-word.
    contacts = [
        (
            "\n".join(v for v in (c.name, c.job_title) if v),
            c.works_at,
            "\n".join(v for v in (c.email, c.phone) if v),
        )
        for c in meeting.attendees
    ]
    contacts += [(d.name, organisation, d.email) for d in meeting.delegation]
    if contacts:
        w.table(("Name", "Organisation", "E-mail and phone"), contacts, (30, 30, 40))
    else:
        w.para("No contacts.")
    _position_annex(w, _cited(item for _start, item in scheduled), "A")
    _papers(w, meeting.materials, delegation=True, letter="B")


def _pre_read(w, meeting, scheduled):
    """Only what may reach invitees and stakeholders: the items' shared fields
    (``Item.for_outsiders``) and the public papers."""
    shared = [(start, item.for_outsiders()) for start, item in scheduled]
    shared = [(start, item) for start, item in shared if item is not None]
    _description(w, meeting)
    w.heading("Agenda", 1)
    if shared:
        _agenda_table(w, shared)
    else:
        w.para("The agenda will follow.")
    if shared:
        w.heading("Agenda items", 1)
    for number, (_start, item) in enumerate(shared, 1):
        w.heading(f"{number}. {line(item.title)}", 2)
        if item.presenter:
            w.para(f"Presented by {line(item.presenter)}, {item.duration_minutes} minutes.")
        if item.background.strip():
            w.label("Background")
            w.text_block(item.background)
        _positions(w, item.positions, warnings=False)
    _position_annex(w, _cited(item for _start, item in shared), "A")
    _papers(w, [m for m in meeting.materials if m.public], delegation=False, letter="B")


def _record(w, meeting, scheduled, organisation):
    w.heading("Attendance", 1)
    # Who came, as ticked after the meeting; until then, who was invited, said as such.
    people = _people_rows(meeting, organisation, present_only=meeting.attendance_recorded)
    if not meeting.attendance_recorded:
        w.para("Attendance was not recorded. Invited:" if people else "No attendance recorded.")
    if people:
        w.table(("Name", "Role", "Organisation"), people, (35, 30, 35))
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
            (48, 22, 14, 16),
        )
    else:
        w.para("No actions recorded.")


def build(
    meeting,
    audience,
    *,
    society=None,
    logo=None,
    version=None,
    reader_zone=None,
    now=None,
    organisation=None,
):
    """The .docx bytes of ``audience``'s briefing (``Audience`` or its value) of ``meeting``,
    the data ``load`` returns.

    :param society: who it is from (``Society``, or cms.society's of the same shape): name,
        address, website, paper size and the wording of the markings.
    :param logo: the society's logo, PNG or JPEG bytes, for the cover.
    :param version: the how-manyth briefing of this audience for this meeting, for the cover.
    :param reader_zone: an IANA zone shown as the reader's own time; without it the copy is a
        shared one (the zones of the delegation), which ``for_reader`` can make personal.
    :param now: the moment it is prepared (now by default).
    :param organisation: a society's name alone (shorthand for ``Society(name=...)``).
    """
    audience = _audience(audience)
    if society is None:
        society = Society(name=organisation or "")
    now = (now or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    now = now.replace(microsecond=0)
    w = Writer(marking(meeting, audience, society.markings), society.name, society.paper_size)
    _cover(w, meeting, audience, society, logo, version, reader_zone, now)
    scheduled = _items(meeting)
    if audience == Audience.DELEGATE:
        _delegate(w, meeting, scheduled, w.organisation)
    elif audience == Audience.PRE_READ:
        _pre_read(w, meeting, scheduled)
    else:
        _record(w, meeting, scheduled, w.organisation)
    day = f"{meeting.local_start:%-d %B %Y}"
    regulators = ", ".join(line(r) for r in meeting.regulators)
    return w.save(
        {
            "title": f"{LABELS[audience]}: {line(meeting.title)}",
            "subject": f"{line(meeting.title)}, {day}"
            + (f", with {regulators}" if regulators else ""),
            "category": w.marking,
            "keywords": "; ".join(v for v in (LABELS[audience], regulators, society.name) if v),
            "comments": (
                f"{LABELS[audience]} for {line(meeting.title)} ({day}), "
                f"prepared by {w.organisation or 'the secretariat'}. {w.marking}."
            ),
        },
        now,
    )


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
