"""Word (.docx) plumbing for the briefings, on python-docx: no Django, nothing about meetings.

``Writer`` is one document under construction with what python-docx lacks: A4 or Letter
pages; the marking in the header and footer of every page with page numbers (PAGE and
NUMPAGES fields, which Word and LibreOffice lay out themselves); a table of contents written
when the document is built (``toc``: one line per heading, a link to the heading's bookmark
and a PAGEREF field for its page), so it is there in Word, LibreOffice and a PDF without any
field update, and Word never asks to update fields; numbered lists that each start at 1 (a
``w:num`` of their own with a ``startOverride``); hyperlinks only for http(s) addresses (any
other address is plain text), always with link text; tables as wide as the text, their
columns in fixed proportions, with a header row that repeats on every page, built in linear
time (one template row's XML is copied: python-docx's ``add_row`` and ``cell`` re-read the
whole grid); core properties naming the organisation; and every string cleaned of the
characters XML 1.0 forbids (``clean``, ``line``). Only built-in styles are used (Normal,
Heading 1–3, List Bullet, List Number, Table Grid), which convert cleanly to HTML and PDF.

``insert_after_bookmark`` adds a line to a finished document (a reader's own time on the
cover, at download) without building it again.
"""

import copy
import io
import re
import urllib.parse
import zipfile

import docx
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.numbering import CT_Num
from docx.shared import Cm, Emu, Inches, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

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

PAPER = {"a4": (Mm(210), Mm(297)), "letter": (Inches(8.5), Inches(11))}
MARGIN = Cm(2.2)
TABLE_FONT = Pt(9)
TOC_INDENT = {1: Cm(0), 2: Cm(0.6), 3: Cm(1.2)}


def _run(text, bold=False, size=None):
    run = OxmlElement("w:r")
    if bold:
        run.get_or_add_rPr().get_or_add_b()
    if size:
        run.get_or_add_rPr().get_or_add_sz().val = size
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    return run


def _field(parent, instruction, shown="", size=None):
    """A complex field (begin, instruction, separate, shown text, end) at the end of
    ``parent`` (a ``w:p`` or ``w:hyperlink`` element). Not marked dirty: Word and LibreOffice
    lay out PAGE, NUMPAGES and PAGEREF themselves, and Word asks nothing on opening."""

    def fld(kind):
        run = _run("", size=size)
        run.remove(run.find(qn("w:t")))
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run.append(char)
        return run

    parent.append(fld("begin"))
    run = _run("", size=size)
    run.remove(run.find(qn("w:t")))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    run.append(instr)
    parent.append(run)
    parent.append(fld("separate"))
    parent.append(_run(shown, size=size))
    parent.append(fld("end"))


def _bookmark(paragraph, name, number):
    """Wrap the paragraph's content in a bookmark called ``name``."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    p = paragraph._p
    p_pr = p.pPr
    if p_pr is not None:
        p_pr.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


class Writer:
    """One document under construction: python-docx plus the few things it lacks."""

    def __init__(self, marking, organisation, paper="a4"):
        self.doc = docx.Document()
        self.body = self.doc
        self.marking = line(marking)
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
        self._headings = []  # (level, text, bookmark) for the table of contents
        self._toc_at = None
        self._toc_levels = 2
        self._paper = paper if paper in PAPER else "a4"
        self._setup()

    @property
    def text_width(self):
        section = self.doc.sections[0]
        return Emu(section.page_width - section.left_margin - section.right_margin)

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
        section.page_width, section.page_height = PAPER[self._paper]
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, MARGIN)
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
        _field(footer._p, " PAGE ", "1", size=Pt(8))
        footer.add_run(" of ").font.size = Pt(8)
        _field(footer._p, " NUMPAGES ", "1", size=Pt(8))

    # text

    def heading(self, text, level, *, contents=True):
        """A heading; listed in the table of contents unless ``contents`` is false."""
        text = line(text) or "Untitled"
        p = self.add_paragraph(text, f"Heading {level}")
        if contents and level <= self._toc_levels:
            name = f"_Toc{len(self._headings) + 1:06d}"
            _bookmark(p, name, len(self._headings) + 1)
            self._headings.append((level, text, name))
        return p

    def para(self, text="", *, bold_label=None, style=None):
        p = self.add_paragraph(style=style)
        if bold_label:
            p.add_run(clean(bold_label)).bold = True
            p.add_run(" ")
        if text:
            p.add_run(clean(text))
        return p

    def big(self, text, size, *, bold=True, space_after=6, colour=None):
        """A line of display text (the cover) in Normal style with direct formatting: Word's
        Title style does not survive conversion to HTML."""
        p = self.add_paragraph()
        run = p.add_run(line(text))
        run.bold = bold
        run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = colour
        p.paragraph_format.space_after = Pt(space_after)
        return p

    def picture(self, data, width):
        """An image (PNG or JPEG bytes) in a paragraph of its own."""
        p = self.add_paragraph()
        p.add_run().add_picture(io.BytesIO(data), width=width)
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
        """A numbered list that starts at 1, with a numbering instance of its own. Items are
        strings, or lists of (text, bold, italic, url) runs."""
        items = [i for i in items if i]
        if not items:
            return []
        num_id = self._next_num
        self._next_num += 1
        num = CT_Num.new(num_id, self._abstract)
        self._numbering.append(num)  # after the abstract numberings, as the schema wants
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        made = []
        for item in items:
            if isinstance(item, str):
                p = self.add_paragraph(clean(item), "List Number")
            else:
                p = self.add_paragraph(style="List Number")
                self.runs(p, item)
            numpr = p._p.get_or_add_pPr().get_or_add_numPr()
            numpr.get_or_add_ilvl().val = 0
            numpr.get_or_add_numId().val = num_id
            made.append(p)
        return made

    def runs(self, paragraph, runs):
        """Append (text, bold, italic, url) runs; a run with an http(s) url is a link."""
        for text, bold, italic, url in runs:
            if url and safe_url(url):
                self.link(paragraph, text, url)
                continue
            run = paragraph.add_run(clean(text))
            run.bold = bold or None
            run.italic = italic or None
        return paragraph

    def link(self, paragraph, text, url):
        """``text`` as a hyperlink to ``url`` when it is http(s), else as plain text. The
        address itself is never the text unless no text is given."""
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

    def toc(self, levels=2):
        """The table of contents goes here: written at ``save``, when every heading is known."""
        self._toc_levels = levels
        self.add_paragraph("Contents", "Heading 1")
        self._toc_at = self.add_paragraph()._p
        self.page_break()

    def _write_toc(self):
        anchor = self._toc_at
        if anchor is None:
            return
        tab_at = str(int(self.text_width.twips))
        for level, text, name in self._headings:
            p = OxmlElement("w:p")
            p_pr = p.get_or_add_pPr()
            tabs = OxmlElement("w:tabs")
            tab = OxmlElement("w:tab")
            tab.set(qn("w:val"), "right")
            tab.set(qn("w:leader"), "dot")
            tab.set(qn("w:pos"), tab_at)
            tabs.append(tab)
            p_pr.append(tabs)
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:before"), "60" if level == 1 else "0")
            spacing.set(qn("w:after"), "0")
            p_pr.append(spacing)
            indent = OxmlElement("w:ind")
            indent.set(qn("w:left"), str(int(TOC_INDENT.get(level, Cm(1.2)).twips)))
            p_pr.append(indent)
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), name)
            link.set(qn("w:history"), "1")
            link.append(_run(text, bold=level == 1))
            tab_run = OxmlElement("w:r")
            tab_run.append(OxmlElement("w:tab"))
            link.append(tab_run)
            # The page is laid out by whoever opens the file; Word shows it after F9.
            _field(link, f" PAGEREF {name} \\h ", "")
            p.append(link)
            anchor.addprevious(p)
        anchor.getparent().remove(anchor)
        self._toc_at = None

    def table(self, header, rows, shares=None):
        """A table as wide as the text, columns in proportion to ``shares`` (equal by
        default), with a header row that repeats on every page; rows are copied from one
        template row's XML, so a table of thousands of rows is built in linear time. Text
        is set a little smaller than the body so that addresses fit their column."""
        table = self.doc.add_table(rows=2, cols=len(header))
        table.style = self.doc.styles["Table Grid"]
        tbl = table._tbl
        tbl_pr = tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tbl_pr.append(layout)
        total = self.text_width
        shares = shares or [1] * len(header)
        widths = [Emu(int(total * share / sum(shares))) for share in shares]
        table_width = tbl_pr.find(qn("w:tblW"))
        if table_width is None:
            table_width = OxmlElement("w:tblW")
            tbl_pr.append(table_width)
        table_width.set(qn("w:type"), "dxa")
        table_width.set(qn("w:w"), str(sum(int(w.twips) for w in widths)))
        trs = tbl.tr_lst
        head, template = trs[0], trs[1]
        tr_pr = head.get_or_add_trPr()
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        tr_pr.append(flag)
        no_split = OxmlElement("w:cantSplit")
        tr_pr.insert(0, no_split)
        for tc, text in zip(head.tc_lst, header, strict=True):
            r = tc.p_lst[0].add_r()
            r_pr = r.get_or_add_rPr()
            r_pr.get_or_add_b()
            r_pr.get_or_add_sz().val = TABLE_FONT
            r.text = clean(text)
        # A row is never split across pages.
        template.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for tc in template.tc_lst:
            r = tc.p_lst[0].add_r()
            r.get_or_add_rPr().get_or_add_sz().val = TABLE_FONT
            r.text = ""
        for col, width in zip(tbl.tblGrid.gridCol_lst, widths, strict=True):
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

    def save(self, properties, now):
        """The document's bytes. ``properties``: core properties by name (title, subject,
        keywords, category, comments); author and last editor are the organisation."""
        self._write_toc()
        props = self.doc.core_properties
        for name in ("comments", "keywords", "category", "content_status", "identifier"):
            setattr(props, name, "")
        props.language = ""
        props.version = ""
        props.title = line(properties.get("title", ""))[:255]
        props.subject = line(properties.get("subject", ""))[:255]
        props.keywords = line(properties.get("keywords", ""))[:255]
        props.category = line(properties.get("category", ""))[:255]
        props.comments = line(properties.get("comments", ""))[:255]
        props.author = self.organisation
        props.last_modified_by = self.organisation
        props.revision = 1
        props.created = now
        props.modified = now
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


# --- finished documents ---------------------------------------------------------------------


def bookmark(paragraph, name, number=9000):
    """Mark ``paragraph`` for ``insert_after_bookmark`` (ids above the headings' own)."""
    _bookmark(paragraph, name, number)


def insert_after_bookmark(data, name, label, text):
    """``data`` (.docx bytes) with a new paragraph "``label`` ``text``" after the paragraph
    holding bookmark ``name``, formatted as that paragraph; ``data`` unchanged when there is
    no such bookmark or no text. Every part but the body is copied as it is."""
    text = line(text)
    if not text:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    body = etree.fromstring(source.read("word/document.xml"))
    marks = body.iterfind(f".//{qn('w:bookmarkStart')}")
    found = next((m for m in marks if m.get(qn("w:name")) == name), None)
    if found is None:
        return data
    anchor = found.getparent()
    p = OxmlElement("w:p")
    if anchor.find(qn("w:pPr")) is not None:
        p.append(copy.deepcopy(anchor.find(qn("w:pPr"))))
    p.append(_run(clean(label) + " ", bold=True))
    p.append(_run(text))
    anchor.addnext(p)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "word/document.xml":
                xml = etree.tostring(body, xml_declaration=True, encoding="UTF-8", standalone=True)
                target.writestr(info, xml)
            else:
                target.writestr(info, source.read(info.filename))
    return out.getvalue()
