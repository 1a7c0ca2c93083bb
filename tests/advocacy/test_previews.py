"""Every page type of the advocacy app previews in the admin, with its relations filled in:
while an editor changes a page, and while they write a new one.

The page types are read from the app, so a new one fails here until it has an example."""

import datetime
from unittest import mock

from django.apps import apps
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import Page
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from advocacy.models import (
    ConsultationResponsePage,
    HomePage,
    PositionIndexPage,
    PositionPage,
    ResponseIndexPage,
)
from tests.factories import (
    jurisdiction,
    make_position,
    make_position_index,
    make_response,
    make_topic,
    make_user,
    publish,
)

PAGE_TYPES = [
    model for model in apps.get_app_config("advocacy").get_models() if issubclass(model, Page)
]


class PreviewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(superuser=True)
        cls.letter = Document.objects.create(
            title="Letter to CBER", file=ContentFile(b"%PDF-1.4\n", name="letter.pdf")
        )
        cls.topic = make_topic("Manufacturing quality")

        cls.home = HomePage.objects.get()
        cls.home.title = "Cell Therapy Society"
        cls.home.intro = "<p>We speak for cell therapy researchers.</p>"
        publish(cls.home)

        cls.positions = make_position_index(intro="<p>Where the society stands.</p>")
        cls.old = make_position(cls.positions, title="Potency testing (2019)")
        cls.position = make_position(
            cls.positions,
            title="Potency assays for CAR-T",
            summary="Use a matrix of assays, not a single release test.",
            topics=[cls.topic],
            jurisdictions=[jurisdiction("global")],
            policy_status=PositionPage.Status.ADOPTED,
            adopted_on=datetime.date(2024, 5, 1),
            review_by=datetime.date(2026, 5, 1),
            version_label="2.1",
            policy_owner=cls.editor,
            supersedes=cls.old,
            body=[
                ("heading", {"text": "Why one assay is not enough", "level": "h2"}),
                ("paragraph", RichText("<p>Mechanisms of action are many.</p>")),
                ("quote", {"text": "Measure what matters.", "attribution": "The board"}),
            ],
        )

        cls.responses = publish(
            cls.home.add_child(
                instance=ResponseIndexPage(
                    title="Consultation responses",
                    slug="responses",
                    intro="<p>What we told regulators.</p>",
                )
            )
        )
        cls.response = make_response(
            cls.responses,
            title="Comments on FDA potency guidance",
            summary="We ask for assay matrices.",
            consultation_url="https://www.fda.gov/potency",
            comment_deadline=datetime.date(2024, 3, 30),
            body="<p>The draft guidance should accept assay matrices.</p>",
            letter=cls.letter,
            topics=[cls.topic],
            relies_on=[cls.position, cls.old],
        )

    def examples(self):
        """{page type: (a published page of it, extra form data, text its preview must show,
        text only a saved page shows)}: the page's own content is posted, so it shows in
        both previews; what points at the page (children, replies) exists only once saved."""
        return {
            HomePage: (
                self.home,
                {},
                ["We speak for cell therapy researchers."],
                [],
            ),
            PositionIndexPage: (
                self.positions,
                {},
                ["Where the society stands."],
                ["Potency assays for CAR-T"],
            ),
            PositionPage: (
                self.position,
                # The admin builds the StreamField's inputs in the browser, so they are not
                # in the edit page's HTML; they are posted as the browser would post them.
                nested_form_data(
                    {
                        "body": streamfield(
                            [
                                (
                                    "heading",
                                    {"text": "Why one assay is not enough", "level": "h2"},
                                ),
                                (
                                    "paragraph",
                                    rich_text("<p>Mechanisms of action are many.</p>"),
                                ),
                                (
                                    "recommendations",
                                    {
                                        "title": "Key recommendations",
                                        "items": streamfield([("item", "Accept assay matrices.")]),
                                    },
                                ),
                                (
                                    "quote",
                                    {"text": "Measure what matters.", "attribution": "The board"},
                                ),
                                (
                                    "document",
                                    {"document": str(self.letter.pk), "caption": "Our letter"},
                                ),
                            ]
                        )
                    }
                ),
                [
                    "Use a matrix of assays, not a single release test.",
                    "Version 2.1",
                    "1 May 2024",
                    "<dd>Manufacturing quality</dd>",  # its topic
                    "<dd>Global</dd>",
                    "Potency testing (2019)",  # the position it replaces
                    "Why one assay is not enough",
                    "Mechanisms of action are many.",
                    "Accept assay matrices.",
                    "Measure what matters.",
                    "Our letter",
                ],
                ["Comments on FDA potency guidance"],  # a response relying on it
            ),
            ResponseIndexPage: (
                self.responses,
                {},
                ["What we told regulators."],
                ["Comments on FDA potency guidance"],
            ),
            ConsultationResponsePage: (
                self.response,
                {},
                [
                    "We ask for assay matrices.",
                    "FDA CBER",
                    "FDA-2023-D-5027",
                    "30 March 2024",
                    "The draft guidance should accept assay matrices.",
                    "Read the letter (PDF)",
                    "Positions this response relies on",
                    "Potency assays for CAR-T",
                    "Potency testing (2019)",
                ],
                [],
            ),
        }

    def form_data(self, page, extra):
        """What the browser posts from the page's edit form, retitled so that the preview
        is seen to show the form's content rather than the saved page."""
        self.client.force_login(self.editor)
        edit = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertEqual(edit.status_code, 200)
        data = querydict_from_html(edit.content.decode(), form_id="page-edit-form")
        # Every value of a field that has several (the positions a response relies on).
        data = {**dict(data.lists()), **extra}
        data["title"] = f"{page.title} (draft)"
        return data

    def preview(self, url, data):
        self.client.force_login(self.editor)
        posted = self.client.post(url, data)
        self.assertEqual(posted.status_code, 200)
        self.assertEqual(posted.json(), {"is_valid": True, "is_available": True})
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertShows(response, [f"{data['title']}</h1>"])
        return response

    def assertShows(self, response, texts):
        content = response.content.decode()
        self.assertEqual([text for text in texts if text not in content], [])

    def test_a_page_being_edited_previews_with_its_relations(self):
        examples = self.examples()
        for model in PAGE_TYPES:
            with self.subTest(model.__name__):
                self.assertIn(model, examples, f"No example of {model.__name__} yet")
                page, extra, shows, shows_once_saved = examples[model]
                url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])

                response = self.preview(url, self.form_data(page, extra))

                self.assertShows(response, shows + shows_once_saved)

    def test_a_new_page_previews_with_its_relations(self):
        examples = self.examples()
        for model in PAGE_TYPES:
            with self.subTest(model.__name__):
                self.assertIn(model, examples, f"No example of {model.__name__} yet")
                page, extra, shows, _ = examples[model]
                data = self.form_data(page, extra)
                data["slug"] = f"{page.slug}-new"
                parent = page.get_parent()
                url = reverse(
                    "wagtailadmin_pages:preview_on_add",
                    args=[model._meta.app_label, model._meta.model_name, parent.pk],
                )

                # The site has its one home page and one of each index already; a site
                # without one yet is where such a page is written.
                with mock.patch.object(model, "max_count", None):
                    response = self.preview(url, data)

                self.assertShows(response, shows)
