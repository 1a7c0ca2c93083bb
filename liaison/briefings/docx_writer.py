"""Word (.docx) plumbing for the briefings, on python-docx: no Django, nothing about meetings.

``Writer`` is one document under construction with what python-docx lacks: the marking in
the header and footer of every page with page numbers (PAGE and NUMPAGES fields), a table of
contents field that Word refreshes on opening (``w:updateFields``), numbered lists that each
start at 1 (a ``w:num`` of their own with a ``startOverride``), hyperlinks only for http(s)
addresses (any other address is plain text), tables with a header row that repeats on every
page built in linear time (one template row's XML is copied: python-docx's ``add_row`` and
``cell`` re-read the whole grid), core properties naming the organisation, and every string
cleaned of the characters XML 1.0 forbids (``clean``, ``line``).
"""

import copy
import io
import re
import urllib.parse

import docx
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.numbering import CT_Num
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

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
