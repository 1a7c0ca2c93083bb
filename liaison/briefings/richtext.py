"""A published position's text as plain blocks a Word document can hold: no Django, no query.

``position_blocks(raw, links)`` turns a position's StreamField (its ``raw_data``: paragraphs of
rich text, headings, recommendations, quotes, documents) into a tuple of ``Block``; rich text
keeps bold, italic and links, lists keep their kind. ``wanted(raw)`` lists the pages and
documents its links point to, so that the caller can look them all up at once and pass
``links``: a mapping ``("page" | "document", id) -> (title, absolute url)``. A link to
something that is gone (or not public) keeps its text and loses its address.
"""

import dataclasses
import html.parser


@dataclasses.dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    url: str = ""

    def as_tuple(self):
        return (self.text, self.bold, self.italic, self.url)


@dataclasses.dataclass(frozen=True)
class Block:
    kind: str  # "heading", "subheading", "paragraph", "bullet", "number", "quote"
    runs: tuple[Run, ...]
    list_id: int = 0  # items of one list share it (each list numbers from 1)


class _RichText(html.parser.HTMLParser):
    """Wagtail's stored rich text (``<p>``, ``<ul>``/``<ol>``/``<li>``, ``<b>``, ``<i>``,
    ``<a href>``, ``<a linktype="page|document" id>``) as blocks."""

    BLOCK_TAGS = {"p", "li", "h2", "h3", "h4", "blockquote"}

    def __init__(self, links, next_list):
        super().__init__(convert_charrefs=True)
        self.links = links
        self.next_list = next_list
        self.blocks = []
        self.runs = []
        self.bold = self.italic = 0
        self.url = None
        self.lists = []  # ("ul" | "ol", list id)
        self.kind = "paragraph"

    def _flush(self):
        runs = tuple(r for r in self.runs if r.text.strip())
        if runs:
            list_id = self.lists[-1][1] if self.kind in ("bullet", "number") else 0
            self.blocks.append(Block(self.kind, runs, list_id))
        self.runs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("ul", "ol"):
            self._flush()
            self.lists.append((tag, self.next_list()))
        elif tag in self.BLOCK_TAGS:
            self._flush()
            if tag == "li":
                self.kind = "number" if self.lists and self.lists[-1][0] == "ol" else "bullet"
            elif tag in ("h2", "h3", "h4"):
                self.kind = "subheading"
            elif tag == "blockquote":
                self.kind = "quote"
            else:
                self.kind = "paragraph"
        elif tag in ("b", "strong"):
            self.bold += 1
        elif tag in ("i", "em"):
            self.italic += 1
        elif tag == "a":
            linktype = attrs.get("linktype")
            if linktype in ("page", "document"):
                target = self.links.get((linktype, _int(attrs.get("id"))))
                self.url = target[1] if target else ""
            else:
                self.url = attrs.get("href") or ""
        elif tag == "br":
            self.runs.append(Run(" "))

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
            self.kind = "paragraph"
        elif tag in self.BLOCK_TAGS:
            self._flush()
            self.kind = "paragraph"
        elif tag in ("b", "strong"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("i", "em"):
            self.italic = max(0, self.italic - 1)
        elif tag == "a":
            self.url = None

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text:
            if data and self.runs:
                self.runs.append(Run(" "))
            return
        if data[:1].isspace() and self.runs:
            text = " " + text
        if data[-1:].isspace():
            text += " "
        self.runs.append(Run(text, bool(self.bold), bool(self.italic), self.url or ""))

    def close(self):
        super().close()
        self._flush()


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("linktype") in ("page", "document"):
            number = _int(attrs.get("id"))
            if number is not None:
                self.found.add((attrs["linktype"], number))


def wanted(raw):
    """{("page" | "document", id)} that the position's text links to or embeds."""
    found = set()
    for block in raw or ():
        kind, value = block.get("type"), block.get("value")
        if kind == "paragraph" and isinstance(value, str):
            parser = _Links()
            parser.feed(value)
            found |= parser.found
        elif kind == "document" and isinstance(value, dict) and _int(value.get("document")):
            found.add(("document", _int(value["document"])))
    return found


def position_blocks(raw, links):
    """The blocks of a position's StreamField ``raw_data``."""
    counter = iter(range(1, 1_000_000))
    blocks = []
    for block in raw or ():
        kind, value = block.get("type"), block.get("value")
        if kind == "paragraph" and isinstance(value, str):
            parser = _RichText(links, lambda: next(counter))
            parser.feed(value)
            parser.close()
            blocks.extend(parser.blocks)
        elif kind == "heading" and isinstance(value, dict) and value.get("text"):
            blocks.append(Block("subheading", (Run(str(value["text"])),)))
        elif kind == "recommendations" and isinstance(value, dict):
            if value.get("title"):
                blocks.append(Block("paragraph", (Run(str(value["title"]), bold=True),)))
            list_id = next(counter)
            for item in value.get("items") or ():
                text = item.get("value") if isinstance(item, dict) else item
                if text and str(text).strip():
                    blocks.append(Block("number", (Run(str(text)),), list_id))
        elif kind == "quote" and isinstance(value, dict) and value.get("text"):
            runs = [Run(f"“{value['text']}”", italic=True)]
            if value.get("attribution"):
                runs.append(Run(f" — {value['attribution']}"))
            blocks.append(Block("quote", tuple(runs)))
        elif kind == "document" and isinstance(value, dict):
            title, url = links.get(("document", _int(value.get("document"))), ("", ""))
            caption = value.get("caption") or title
            if caption:
                blocks.append(
                    Block("paragraph", (Run("Document: "), Run(str(caption), url=url or "")))
                )
    return tuple(blocks)
