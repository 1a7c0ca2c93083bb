"""Reading the checkboxes and multiple selects of an admin form page."""

import re
from html.parser import HTMLParser


def has_select_multiple(html):
    return bool(re.search(r"<select[^>]*\smultiple", html))


class _Checkboxes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields, self.text = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "checkbox":
            field = self.fields.setdefault(attrs["name"], {})
            self.text = field.setdefault(attrs.get("value", "on"), [])

    def handle_endtag(self, tag):
        if tag == "label":
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def checkboxes(html):
    """Every checkbox of ``html`` by field name, as {value: the text of its label}."""
    parser = _Checkboxes()
    parser.feed(html)
    return {
        name: {value: " ".join("".join(text).split()) for value, text in boxes.items()}
        for name, boxes in parser.fields.items()
    }
