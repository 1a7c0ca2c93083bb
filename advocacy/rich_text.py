"""Rich text that is cleaned whenever it is saved.

Wagtail renders stored rich text as it is. Text typed in the admin editor is already
limited to the allowed features, but text that arrives another way (an API write, an
import, a script) could carry <script> elements, event handlers or javascript: links.
Passing every value through Wagtail's own whitelist on save keeps those off the site.
"""

from wagtail import blocks
from wagtail.fields import RichTextField
from wagtail.rich_text import RichText

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "superscript"]


def clean_rich_text(html, features=None):
    """Return `html` (database format) with only the allowed elements and safe links."""
    if not html:
        return html
    # Imported here: the converter touches models, and this module is imported by models.
    from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

    converter = EditorHTMLConverter(features=features or RICH_TEXT_FEATURES)
    return converter.to_database_format(converter.from_database_format(html))


class CleanRichTextField(RichTextField):
    def get_prep_value(self, value):
        return clean_rich_text(super().get_prep_value(value), self.features)


class CleanRichTextBlock(blocks.RichTextBlock):
    def get_prep_value(self, value):
        return clean_rich_text(super().get_prep_value(value), self.features)

    def to_python(self, value):
        # Values loaded from revisions or JSON imports are cleaned before rendering too.
        if isinstance(value, str):
            value = clean_rich_text(value, self.features)
        return super().to_python(value) if not isinstance(value, RichText) else value
