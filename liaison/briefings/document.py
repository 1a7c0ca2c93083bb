"""Word (.docx) briefings for a meeting: a pure builder, no views, no storage.

``build(load(meeting_id), audience, ...)`` returns the bytes of one document. What a reader
learns is decided here, by the *audience*:

=========  =====================================================================================
delegate   The delegation, before the meeting. Marked "CONFIDENTIAL — delegation only".
           Cover (title, regulators, time in the meeting's zone, in UTC and in the reader's zone,
           place and join link, status), delegation and attendees, objectives, the agenda table,
           one section per item (the ask, background, numbered talking points, cited positions
           with a warning when one is superseded, withdrawn or past review), open follow-ups
           carried from earlier meetings with the same regulators, the last five of those
           meetings with their outcomes, and a contacts sheet.
pre-read   Outside stakeholders, before the meeting, whatever the meeting's visibility. Only what
           may be shown to anyone invited: the cover without the join link, the agenda of the
           *non-confidential* items (title, presenter, minutes) and, per such item, its
           background and the cited positions that are live and public. No objectives, no asks,
           no talking points, no notes, no people, no actions, no history.
record     After the meeting. Attendance, the agenda, per item the regulator's response, the
           decision and notes, a numbered list of decisions, and this meeting's actions with
           owners, due dates and status. Marked by the meeting's visibility (confidential
           meetings, and any meeting with a confidential item, "CONFIDENTIAL — delegation only").
=========  =====================================================================================

Every document: the marking in the header and the footer of every page, page numbers (PAGE
and NUMPAGES fields), Heading 1/2 styles (Word's navigation pane), a table of contents field
that Word refreshes on opening (``w:updateFields``), numbered lists that each start at 1 (a
``w:num`` of their own with a ``startOverride``), hyperlinks only for http(s) addresses (any
other address is plain text), core properties naming the organisation, and every string
cleaned of the characters XML 1.0 forbids.

``load`` fetches everything in a fixed number of queries, whatever the number of agenda
items, and ``build`` runs no query on what ``load`` returns. Big tables are built by copying
one template row's XML (python-docx's ``add_row``/``cell`` re-read the whole grid).
"""

import copy
import datetime
import enum
import io
import re
import unicodedata
import urllib.parse
import zoneinfo

import docx
from django.db.models import Prefetch
from django.utils import timezone
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.numbering import CT_Num
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from advocacy.models import PositionPage
from liaison import visibility
from liaison.meetings.checks import agenda_overrun, position_warning
from liaison.meetings.models import ActionItem, AgendaItem, Contact, Meeting

__all__ = [
    "Audience",
    "build",
    "clean",
    "content_disposition",
    "download_filename",
    "load",
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
EARLIER_MEETINGS = 5
TOC_INSTRUCTION = ' TOC \\o "1-3" \\h \\z \\u '
SETTINGS_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)
WARNING_COLOUR = RGBColor(0xB0, 0x00, 0x20)
LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)

# --- text ----------------------------------------------------------------------------------

# What XML 1.0 does not allow (C0 controls but tab, LF and CR; lone surrogates; U+FFFE/FFFF).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_LIST_MARK = re.compile(r"^\s*(?:[-*•–]|\d{1,3}[.)])\s+")


def clean(value):
    """``value`` as a string XML may carry: forbidden characters dropped, newlines as LF."""
    if value is None:
        return ""
    value = str(value)
    return _FORBIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def line(value):
    """``clean`` on one line: runs of white space become one space."""
    return _SPACES.sub(" ", clean(value)).strip()


def paragraphs(value):
    """Non-empty lines of ``value``, cleaned."""
    return [p for p in (line(part) for part in clean(value).split("\n")) if p]


def list_items(value):
    """Lines of ``value`` without the bullets or numbers people type in front of them."""
    return [p for p in (line(_LIST_MARK.sub("", part)) for part in paragraphs(value)) if p]


def safe_url(value):
    """``value`` if it is an absolute http(s) address (cleaned and percent-encoded), else ''."""
    value = clean(value).strip()
    if not value or any(c.isspace() for c in value):
        return ""
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return urllib.parse.quote(value, safe="!#$%&'()*+,-./:;=?@[]_~")


# --- loading -------------------------------------------------------------------------------


def _positions_prefetch():
    return Prefetch(
        "cited_positions",
        queryset=PositionPage.objects.prefetch_related(
            Prefetch("successors", queryset=PositionPage.objects.filter(live=True))
        ),
    )


def _earlier(meeting):
    """Open actions of earlier meetings with any of this meeting's regulators, and the last
    ``EARLIER_MEETINGS`` of those meetings with their agenda items: two (three) queries.

    A briefing goes to this meeting's whole delegation, who need not be cleared for an
    earlier confidential meeting: it shows what every delegate may see (visibility.SHARED),
    and of earlier meetings only their non-confidential items."""
    carried = list(visibility.carried_forward_actions(meeting, visibility.SHARED))
    history = list(
        visibility.earlier_meetings(meeting, visibility.SHARED)
        .order_by("-starts_at", "-pk")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.filter(confidential=False).order_by(
                    "sort_order", "pk"
                ),
            )
        )[:EARLIER_MEETINGS]
    )
    return carried, history


def load(meeting):
    """The meeting (a pk, a Meeting or a queryset naming one) with everything ``build`` reads,
    in a fixed number of queries whatever the number of agenda items or people."""
    from wagtail.models import Site

    if isinstance(meeting, Meeting):
        meeting = meeting.pk
    queryset = meeting if hasattr(meeting, "model") else Meeting.objects.filter(pk=meeting)
    meeting = (
        queryset.select_related("organiser")
        .prefetch_related(
            "regulators",
            "delegation",
            Prefetch(
                "attendees",
                queryset=Contact.objects.select_related("organisation", "regulator").order_by(
                    "name", "pk"
                ),
            ),
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.order_by("sort_order", "pk").prefetch_related(
                    _positions_prefetch()
                ),
            ),
            Prefetch(
                "actions",
                queryset=ActionItem.objects.select_related(
                    "owner", "owner_organisation", "owner_regulator", "agenda_item"
                ).order_by("due_date", "pk"),
            ),
        )
        .get()
    )
    meeting._briefing_carried, meeting._briefing_history = _earlier(meeting)
    positions = {
        p.pk: p for item in meeting.agenda_items.all() for p in item.cited_positions.all()
    }
    meeting._briefing_public_positions = set(
        PositionPage.objects.live()
        .public()
        .filter(pk__in=list(positions))
        .values_list("pk", flat=True)
    )
    Site.get_site_root_paths()  # once, cached: page URLs below need no query of their own
    meeting._briefing_urls = {pk: p.get_full_url() or "" for pk, p in positions.items()}
    return meeting


# --- low-level document helpers -------------------------------------------------------------


def _field(paragraph, instruction, placeholder=""):
    """A complex field (begin, instruction, separate, shown text, end) at the paragraph's end."""

    def fld(kind):
        run = OxmlElement("w:r")
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            char.set(qn("w:dirty"), "true")
        run.append(char)
        return run

    p = paragraph._p
    p.append(fld("begin"))
    run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    run.append(instr)
    p.append(run)
    p.append(fld("separate"))
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = placeholder
    run.append(text)
    p.append(run)
    p.append(fld("end"))


class Writer:
    """One document under construction: python-docx plus the few things it lacks."""

    def __init__(self, marking, organisation):
        self.doc = docx.Document()
        self.body = self.doc
        self.marking = marking
        self.organisation = line(organisation)
        numbering = self.doc.part.numbering_part.element
        style = self.doc.styles["List Number"].element
        num_id = style.pPr.numPr.numId.val
        self._abstract = numbering.num_having_numId(num_id).abstractNumId.val
        self._numbering = numbering
        self._next_num = max(int(n.get(qn("w:numId"))) for n in numbering.num_lst) + 1
        self._styles = {}
        self._body = self.doc._body
        self._end = self.doc.element.body.sectPr
        self._setup()

    def style(self, name):
        """The style id of the paragraph style ``name`` (checked to exist in the template)."""
        if name not in self._styles:
            self._styles[name] = self.doc.styles[name].style_id
        return self._styles[name]

    def add_paragraph(self, text="", style=None):
        """A paragraph at the end of the body. python-docx's own ``add_paragraph`` looks for
        the section properties among all the body's children each time (quadratic); this
        keeps hold of them."""
        p = OxmlElement("w:p")
        if style:
            p.get_or_add_pPr().get_or_add_pStyle().val = self.style(style)
        self._end.addprevious(p)
        paragraph = Paragraph(p, self._body)
        if text:
            paragraph.add_run(text)
        return paragraph

    def _setup(self):
        normal = self.doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        section = self.doc.sections[0]
        for part in (section.header, section.footer):
            part.is_linked_to_previous = False
        header = section.header.paragraphs[0]
        header.text = self.marking
        header.runs[0].bold = True
        header.alignment = 1
        footer = section.footer.paragraphs[0]
        footer.alignment = 1
        run = footer.add_run(f"{self.marking} · {self.organisation} · Page ")
        run.font.size = Pt(8)
        _field(footer, " PAGE ", "1")
        footer.add_run(" of ").font.size = Pt(8)
        _field(footer, " NUMPAGES ", "1")
        # Word refreshes the fields (table of contents, page count) when it opens the file.
        settings = self.doc.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        # In schema order (CT_Settings is a sequence): before compat, rsids and what follows.
        settings.insert_element_before(update, *SETTINGS_AFTER_UPDATE_FIELDS)

    # text

    def heading(self, text, level):
        return self.add_paragraph(line(text) or "Untitled", f"Heading {level}")

    def para(self, text="", *, bold_label=None, style=None):
        p = self.add_paragraph(style=style)
        if bold_label:
            p.add_run(clean(bold_label)).bold = True
            p.add_run(" ")
        if text:
            p.add_run(clean(text))
        return p

    def text_block(self, text):
        for part in paragraphs(text):
            self.add_paragraph(part)

    def label(self, text):
        p = self.add_paragraph()
        p.add_run(clean(text)).bold = True
        p.paragraph_format.space_after = Pt(2)
        p.paragraph_format.keep_with_next = True
        return p

    def warning(self, text):
        p = self.add_paragraph()
        run = p.add_run("⚠ Warning: " + line(text))
        run.bold = True
        run.font.color.rgb = WARNING_COLOUR
        return p

    def numbered(self, items):
        """A numbered list that starts at 1, with a numbering instance of its own."""
        items = [i for i in items if i]
        if not items:
            return
        num_id = self._next_num
        self._next_num += 1
        num = CT_Num.new(num_id, self._abstract)
        self._numbering.append(num)  # after the abstract numberings, as the schema wants
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        for text in items:
            p = self.add_paragraph(clean(text), "List Number")
            numpr = p._p.get_or_add_pPr().get_or_add_numPr()
            numpr.get_or_add_ilvl().val = 0
            numpr.get_or_add_numId().val = num_id

    def link(self, paragraph, text, url):
        """``text`` as a hyperlink to ``url`` when it is http(s), else as plain text."""
        text = line(text) or line(url)
        url = safe_url(url)
        if not url:
            paragraph.add_run(text)
            return
        r_id = self.doc.part.relate_to(url, RT.HYPERLINK, is_external=True)
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), r_id)
        run = OxmlElement("w:r")
        props = OxmlElement("w:rPr")
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), str(LINK_COLOUR))
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        props.append(colour)
        props.append(underline)
        run.append(props)
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        run.append(t)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)

    def page_break(self):
        self.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def toc(self):
        p = self.add_paragraph()
        p.add_run("Contents").bold = True
        p = self.add_paragraph()
        _field(
            p,
            TOC_INSTRUCTION,
            "The table of contents appears when the document is opened in Word "
            "(or after Tools ▸ Update ▸ Update All in LibreOffice).",
        )
        self.page_break()

    def table(self, header, rows, widths=None):
        """A table with a header row that repeats on every page; rows are copied from one
        template row's XML, so a table of thousands of rows is built in linear time."""
        table = self.doc.add_table(rows=2, cols=len(header))
        table.style = self.doc.styles["Table Grid"]
        trs = table._tbl.tr_lst
        head, template = trs[0], trs[1]
        tr_pr = head.get_or_add_trPr()
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        tr_pr.append(flag)
        no_split = OxmlElement("w:cantSplit")
        tr_pr.insert(0, no_split)
        for tc, text in zip(head.tc_lst, header, strict=True):
            p = tc.p_lst[0]
            r = p.add_r()
            r.get_or_add_rPr().get_or_add_b()
            r.text = clean(text)
        # A row is never split across pages.
        template.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for tc in template.tc_lst:
            tc.p_lst[0].add_r().text = ""
        if widths:
            for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
                col.w = width
            for tr in (head, template):
                for tc, width in zip(tr.tc_lst, widths, strict=True):
                    tc.width = width
        parent = template.getparent()
        parent.remove(template)
        for row in rows:
            tr = copy.deepcopy(template)
            for tc, value in zip(tr.tc_lst, row, strict=True):
                tc.p_lst[0].r_lst[0].text = clean(value)
            parent.append(tr)
        return table

    def save(self, title, subject, now):
        props = self.doc.core_properties
        props.title = line(title)[:255]
        props.subject = line(subject)
        props.author = self.organisation
        props.last_modified_by = self.organisation
        props.comments = ""
        props.keywords = ""
        props.category = ""
        props.content_status = ""
        props.identifier = ""
        props.language = ""
        props.version = ""
        props.revision = 1
        props.created = now
        props.modified = now
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


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
        return PUBLIC if meeting.visibility == Meeting.Visibility.PUBLIC else SHARED
    if meeting.visibility == Meeting.Visibility.CONFIDENTIAL or any(
        item.confidential for item in meeting.agenda_items.all()
    ):
        return CONFIDENTIAL
    return MEMBERS


def _items(meeting):
    """(start, item) for every agenda item, starts computed from the durations."""
    start = meeting.local_start
    scheduled = []
    for item in meeting.agenda_items.all():
        scheduled.append((start, item))
        start = start + datetime.timedelta(minutes=item.duration_minutes or 0)
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
    return ", ".join(line(r.name) for r in meeting.regulators.all()) or "—"


def _cover(w, meeting, audience, reader_zone, now):
    w.add_paragraph(line(meeting.title) or "Meeting", "Title")
    p = w.add_paragraph(LABELS[audience], "Subtitle")
    p.paragraph_format.space_after = Pt(12)
    rows = [
        ("Regulator", _regulators(meeting)),
        ("When", f"{meeting.when_local()} ({meeting.time_zone.replace('_', ' ')})"),
        ("In UTC", meeting.when_utc()),
    ]
    reader = _reader_time(meeting, reader_zone)
    if reader:
        rows.append(("Your time", reader))
    rows.append(("Status", meeting.get_status_display()))
    if meeting.location:
        rows.append(("Where", line(meeting.location)))
    for label, value in rows:
        w.para(value, bold_label=f"{label}:")
    if audience != Audience.PRE_READ and meeting.join_url:
        w.link(w.para(bold_label="Join online:"), meeting.join_url, meeting.join_url)
    w.para(w.marking, bold_label="Classification:")
    w.para(f"{w.organisation}, {now:%-d %B %Y %H:%M} UTC", bold_label="Prepared by:")
    w.toc()


def _people_rows(meeting, organisation):
    rows = []
    organiser = meeting.organiser_id
    for user in sorted(
        meeting.delegation.all(), key=lambda u: (u.get_full_name() or u.get_username()).lower()
    ):
        role = "Delegation (organiser)" if user.pk == organiser else "Delegation"
        rows.append((user.get_full_name() or user.get_username(), role, organisation))
    for contact in meeting.attendees.all():
        where = contact.regulator or contact.organisation
        rows.append((contact.name, contact.job_title or "Attendee", str(where or "")))
    return rows


def _agenda_table(w, scheduled):
    rows = [
        (
            f"{start:%H:%M}",
            line(item.title) + (" [confidential]" if item.confidential else ""),
            line(item.presenter),
            str(item.duration_minutes or 0),
        )
        for start, item in scheduled
    ]
    w.table(("Start", "Item", "Presenter", "Minutes"), rows, (Cm(1.5), Cm(8.3), Cm(3.4), Cm(2.0)))


def _positions(w, meeting, item, today, public_only):
    positions = list(item.cited_positions.all())
    if public_only:
        public = getattr(meeting, "_briefing_public_positions", None)
        positions = [p for p in positions if p.live and (public is None or p.pk in public)]
    if not positions:
        return
    w.label("Cited positions")
    urls = getattr(meeting, "_briefing_urls", {})
    for position in positions:
        p = w.add_paragraph(style="List Bullet")
        p.add_run(line(position.title)).bold = True
        status = position.get_policy_status_display()
        if position.adopted_on and position.policy_status == position.Status.ADOPTED:
            status = f"Adopted on {position.adopted_on:%-d %B %Y}"
        elif position.adopted_on:
            status += f", adopted on {position.adopted_on:%-d %B %Y}"
        p.add_run(f" ({status}). ")
        p.add_run(line(position.summary) + " ")
        url = urls.get(position.pk)
        if url is None:
            url = position.get_full_url() or ""
        if url:
            w.link(p, url, url)
        if not public_only:
            problem = position_warning(position, today)
            if problem:
                w.warning(problem)


def _delegate(w, meeting, scheduled, today, organisation):
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
        facts = f"{start:%H:%M}, {item.duration_minutes or 0} minutes"
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
        _positions(w, meeting, item, today, public_only=False)
    w.heading("Open follow-ups from earlier meetings", 1)
    if not hasattr(meeting, "_briefing_carried"):
        meeting._briefing_carried, meeting._briefing_history = _earlier(meeting)
    carried = meeting._briefing_carried
    if carried:
        w.table(
            ("Action", "Owner", "Due", "From meeting"),
            [
                (
                    line(a.description),
                    a.owner_name,
                    f"{a.due_date:%-d %b %Y}" if a.due_date else "—",
                    f"{line(a.meeting.title)} ({a.meeting.local_start:%-d %b %Y})",
                )
                for a in carried
            ],
        )
    else:
        w.para("None open.")
    w.heading("Earlier meetings with these regulators", 1)
    history = meeting._briefing_history
    if not history:
        w.para("This is the first meeting on record.")
    for earlier in history:
        w.heading(f"{line(earlier.title)}, {earlier.local_start:%-d %B %Y}", 2)
        outcomes = []
        for item in earlier.agenda_items.all():
            said = "; ".join(
                line(v) for v in (item.regulator_response, item.decision) if v and v.strip()
            )
            outcomes.append(f"{line(item.title)}: {said or 'no outcome recorded'}")
        if outcomes:
            w.numbered(outcomes)
        else:
            w.para("No agenda recorded.")
    w.heading("Contacts", 1)
    contacts = [
        (
            c.name,
            str(c.regulator or c.organisation or ""),
            c.email,
            c.phone,
        )
        for c in meeting.attendees.all()
    ]
    contacts += [
        (u.get_full_name() or u.get_username(), organisation, u.email, "")
        for u in meeting.delegation.all()
    ]
    if contacts:
        w.table(("Name", "Organisation", "E-mail", "Phone"), contacts)
    else:
        w.para("No contacts.")


def _pre_read(w, meeting, scheduled, today):
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
            w.para(f"Presented by {line(item.presenter)}, {item.duration_minutes or 0} minutes.")
        if item.background.strip():
            w.label("Background")
            w.text_block(item.background)
        _positions(w, meeting, item, today, public_only=True)


def _record(w, meeting, scheduled, organisation):
    w.heading("Attendance", 1)
    people = _people_rows(meeting, organisation)
    if people:
        w.table(("Name", "Role", "Organisation"), people)
    else:
        w.para("No attendance recorded.")
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
    actions = list(meeting.actions.all())
    if actions:
        w.table(
            ("Action", "Owner", "Due", "Status"),
            [
                (
                    line(a.description),
                    a.owner_name,
                    f"{a.due_date:%-d %b %Y}" if a.due_date else "—",
                    a.get_status_display(),
                )
                for a in actions
            ],
        )
    else:
        w.para("No actions recorded.")


def build(meeting, audience, *, reader_zone=None, today=None, organisation="Liaise", base_url=""):
    """The .docx bytes of ``audience``'s briefing (``Audience`` or its value) of ``meeting``,
    best from ``load`` (any meeting works, with more queries). ``reader_zone``: an IANA zone
    the reader's own time is shown in; ``today``: for review-date warnings; ``base_url``:
    makes relative position links absolute."""
    audience = _audience(audience)
    today = today or timezone.localdate()
    now = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    if base_url and hasattr(meeting, "_briefing_urls"):
        base = base_url.rstrip("/")
        meeting._briefing_urls = {
            pk: (url if url.startswith(("http://", "https://")) else base + url if url else "")
            for pk, url in meeting._briefing_urls.items()
        }
    w = Writer(marking(meeting, audience), organisation)
    _cover(w, meeting, audience, reader_zone, now)
    scheduled = _items(meeting)
    if audience == Audience.DELEGATE:
        _delegate(w, meeting, scheduled, today, w.organisation)
    elif audience == Audience.PRE_READ:
        _pre_read(w, meeting, scheduled, today)
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
    title = _SPACES.sub(" ", title).strip(" .") or "meeting"
    if len(title) > 80:
        title = title[:80].rstrip(" .")
    return f"{meeting.local_start:%Y-%m-%d} {title} - {audience.value}.docx"


def content_disposition(filename):
    """RFC 6266 ``attachment`` with an ASCII fallback and the UTF-8 name (RFC 5987)."""
    name = _NOT_IN_FILENAMES.sub(" ", clean(filename)).strip() or "briefing.docx"
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9 ._()\-]+", "", fallback)
    fallback = _SPACES.sub(" ", fallback).strip(" .") or "briefing.docx"
    if not fallback.lower().endswith(".docx"):
        fallback = (fallback.rsplit(".", 1)[0] if "." in fallback else fallback) + ".docx"
    encoded = urllib.parse.quote(name.encode("utf-8", "surrogatepass"), safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
