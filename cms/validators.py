"""Checks on input that both apps share: ids the database can store, and text without
control characters. (The apps import this module; it imports neither of them.)"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# The largest integer every database here stores (SQLite's integer, PostgreSQL's bigint).
# A larger one is not just "not found": SQLite cannot even send it (OverflowError).
LARGEST_ID = 2**63 - 1


def is_storable_int(value):
    """Whether ``value`` (text) is a whole number, signed or not, the database can store."""
    text = str(value).strip()
    digits = text.removeprefix("-")
    return digits.isascii() and digits.isdigit() and abs(int(text)) <= LARGEST_ID


def storable_id(value):
    """``value`` (text or a number) as an id to look up, or None when it cannot be one:
    not a run of ASCII digits ("abc", "-1", "٣"), or too large for the database."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > LARGEST_ID:
        return None
    return int(text)


# The bidirectional overrides and isolates, which can make text display as something else.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@deconstructible
class ControlCharactersValidator:
    """Refuses control characters (C0 and C1, DEL), lone surrogates and bidirectional
    controls; a one-line field also refuses tabs, line breaks and the Unicode line and
    paragraph separators, which a multi-line field keeps."""

    def __init__(self, multiline=False):
        self.multiline = multiline

    def __call__(self, value):
        for char in value or "":
            if self.multiline and char in "\t\n\r":
                continue
            category = unicodedata.category(char)
            if (
                category in ("Cc", "Cs")
                or char in BIDI_CONTROLS
                or (not self.multiline and category in ("Zl", "Zp"))
            ):
                raise ValidationError(self.message(), code="control_characters")

    def message(self):
        if self.multiline:
            return "Remove the invisible control characters from this text."
        return "Please remove the control characters (such as tabs or line breaks)."

    def __eq__(self, other):
        return isinstance(other, ControlCharactersValidator) and other.multiline == self.multiline


refuse_control_characters = ControlCharactersValidator()
refuse_control_characters_in_text = ControlCharactersValidator(multiline=True)
