"""The checkbox list for many-to-many fields (cms.widgets.Checklist): checkboxes in a
fieldset, a filter box and a count once the list is long, ticked entries first."""

import re
from html.parser import HTMLParser

from django import forms
from django.test import SimpleTestCase, TestCase

from advocacy.models import Topic
from cms.widgets import Checklist
from tests.factories import make_topic


def choices(n):
    return [(str(i), f"Choice {i}") for i in range(1, n + 1)]


def rendered(widget, value=(), name="topics"):
    return widget.render(name, list(value), attrs={"id": f"id_{name}"})


class Tags(HTMLParser):
    """The start tags of a piece of HTML, as (tag, attributes) pairs."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag, **attrs):
        """The tags named ``tag`` with these attributes; None means present, of any value."""
        return [
            found
            for name, found in self.tags
            if name == tag and all(k in found and v in (None, found[k]) for k, v in attrs.items())
        ]


class ChecklistTestCase(SimpleTestCase):
    def test_a_short_list_is_checkboxes_in_a_fieldset_without_a_filter(self):
        html = rendered(Checklist(choices=choices(8), legend="Topics"), value=["2"])

        tags = Tags(html)
        self.assertEqual(len(tags.find("input", type="checkbox", name="topics")), 8)
        self.assertEqual([tag["value"] for tag in tags.find("input", checked=None)], ["2"])
        self.assertTrue(tags.find("fieldset"))
        self.assertIn('<legend class="w-sr-only">Topics</legend>', html)
        self.assertFalse(tags.find("input", type="search"))
        self.assertNotIn("chosen", html)

    def test_a_long_list_has_a_labelled_filter_box_and_a_count(self):
        html = rendered(Checklist(choices=choices(9), legend="Topics"), value=["3", "7"])

        tags = Tags(html)
        [box] = tags.find("input", type="search")
        self.assertEqual(box["placeholder"], "Filter…")
        self.assertNotIn("name", box)  # never submitted with the form
        self.assertIn(f'<label class="w-sr-only" for="{box["id"]}">Filter topics</label>', html)
        self.assertIn(">2 chosen</span>", html)
        self.assertTrue(tags.find("fieldset", **{"data-checklist": None}))

    def test_a_long_list_shows_the_ticked_entries_first_in_their_order(self):
        html = rendered(Checklist(choices=choices(12)), value=["9", "4"])

        values = [tag["value"] for tag in Tags(html).find("input", type="checkbox")]
        self.assertEqual(values, ["4", "9", "1", "2", "3", "5", "6", "7", "8", "10", "11", "12"])

    def test_the_class_goes_on_the_list_not_on_each_checkbox(self):
        tags = Tags(rendered(Checklist(choices=choices(3))))

        self.assertEqual(
            len(tags.find("div", id="id_topics", **{"class": "checklist__options"})), 1
        )
        self.assertTrue(all("class" not in tag for tag in tags.find("input", type="checkbox")))

    def test_an_empty_list_says_so(self):
        self.assertIn("Nothing to choose from yet.", rendered(Checklist(choices=[])))
        self.assertNotIn("Nothing to choose from yet.", rendered(Checklist(choices=choices(1))))

    def test_the_legend_is_made_from_the_name_of_a_field_in_an_inline_form(self):
        html = rendered(Checklist(choices=choices(2)), name="agenda_items-3-cited_positions")

        self.assertIn('<legend class="w-sr-only">Cited positions</legend>', html)

    def test_it_brings_its_script_and_carries_no_inline_code(self):
        widget = Checklist(choices=choices(20))

        self.assertEqual(widget.media._js, ["cms/checklist.js"])
        html = rendered(widget, value=["1"])
        self.assertNotIn("<script", html)
        self.assertNotIn("style=", html)
        self.assertFalse(re.search(r"\son[a-z]+=", html))


class ChecklistModelChoicesTestCase(TestCase):
    def test_choices_can_be_labelled_from_their_objects(self):
        topic = make_topic("Potency assays")
        field = forms.ModelMultipleChoiceField(
            Topic.objects.all(),
            widget=Checklist(label_from_instance=lambda t: f"{t.name} ({t.slug})"),
        )

        html = field.widget.render("topics", [topic.pk], attrs={"id": "id_topics"})

        self.assertIn("Potency assays (potency-assays)", html)
