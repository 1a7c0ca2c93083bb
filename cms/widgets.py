"""Form widgets shared by the admin forms of both apps."""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# An empty list would show nothing at all under its label.
EMPTY = mark_safe('<p class="checklist__none">Nothing to choose from yet.</p>')


class Checklist(forms.CheckboxSelectMultiple):
    """A many-to-many field as a list of checkboxes, in a <fieldset>.

    A <select multiple> needs Ctrl-click, and one plain click wipes the whole selection; a
    checkbox changes only itself. A list of more than ``FILTER_ABOVE`` choices scrolls, with
    a "Filter…" box above it and a count of those chosen (static/cms/checklist.js); what is
    ticked is listed first and stays in view whatever the filter, so nobody loses sight of
    it. Without the script it is a plain checkbox list.

    ``legend`` names the list for screen readers (Wagtail's label above it is not tied to a
    group of checkboxes); by default it is made from the field's name. ``label_from_instance``
    labels each choice from its object, for a FieldPanel(widget=...), which cannot reach the
    form field's own ``label_from_instance``.
    """

    FILTER_ABOVE = 8

    class Media:
        js = ["cms/checklist.js"]
        css = {"all": ["cms/checklist.css"]}

    def __init__(self, attrs=None, choices=(), *, legend="", label_from_instance=None):
        super().__init__(attrs, choices)
        self.legend = legend
        self.label_from_instance = label_from_instance

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        instance = getattr(value, "instance", None)  # a ModelChoiceIteratorValue
        if self.label_from_instance and instance is not None:
            label = self.label_from_instance(instance)
        return super().create_option(name, value, label, selected, index, subindex, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        # On the element that holds the options (Django's template); not on each checkbox,
        # whose attributes were built above.
        widget["attrs"]["class"] = " ".join(
            filter(None, [widget["attrs"].get("class"), "checklist__options"])
        )
        options = [option for _, group, _ in widget["optgroups"] for option in group]
        widget["count"] = len(options)
        widget["long"] = len(options) > self.FILTER_ABOVE
        widget["chosen"] = sum(1 for option in options if option["selected"])
        if widget["long"]:
            # sorted() keeps the order within the ticked and within the unticked.
            widget["optgroups"] = sorted(
                widget["optgroups"],
                key=lambda group: not any(option["selected"] for option in group[1]),
            )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        widget = context["widget"]
        legend = self.legend or name.rsplit("-", 1)[-1].replace("_", " ").capitalize()
        boxes = self._render(self.template_name, context, renderer)
        if not widget["long"]:
            return format_html(
                '<fieldset class="checklist"><legend class="w-sr-only">{}</legend>{}{}</fieldset>',
                legend,
                boxes,
                "" if widget["count"] else EMPTY,
            )
        filter_id = f"{widget['attrs'].get('id') or name}-filter"
        return format_html(
            '<fieldset class="checklist checklist--long" data-checklist>'
            '<legend class="w-sr-only">{legend}</legend>'
            '<div class="checklist__tools">'
            '<label class="w-sr-only" for="{filter_id}">Filter {lower}</label>'
            '<input type="search" id="{filter_id}" class="checklist__filter" '
            'placeholder="Filter…" autocomplete="off" data-checklist-filter>'
            '<span class="checklist__count" data-checklist-count aria-live="polite">'
            "{chosen} chosen</span>"
            "</div>"
            "{boxes}"
            '<p class="checklist__none" data-checklist-none hidden>Nothing matches.</p>'
            "</fieldset>",
            legend=legend,
            lower=legend.lower(),
            filter_id=filter_id,
            chosen=widget["chosen"],
            boxes=boxes,
        )
