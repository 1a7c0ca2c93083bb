from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from advocacy.rich_text import RICH_TEXT_FEATURES, CleanRichTextBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=[("h2", "Section"), ("h3", "Subsection")], default="h2")

    class Meta:
        icon = "title"
        template = "advocacy/blocks/heading.html"


class RecommendationsBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, default="Key recommendations")
    items = blocks.ListBlock(blocks.TextBlock(max_length=1000), min_num=1)

    class Meta:
        icon = "list-ol"
        template = "advocacy/blocks/recommendations.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(max_length=2000)
    attribution = blocks.CharBlock(max_length=200, required=False)

    class Meta:
        icon = "openquote"
        template = "advocacy/blocks/quote.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    caption = blocks.CharBlock(max_length=200, required=False)

    class Meta:
        icon = "doc-full"
        template = "advocacy/blocks/document.html"


class PositionBodyBlock(blocks.StreamBlock):
    paragraph = CleanRichTextBlock(features=RICH_TEXT_FEATURES)
    heading = HeadingBlock()
    recommendations = RecommendationsBlock()
    quote = QuoteBlock()
    document = DocumentBlock()
