"""Whatever an anonymous caller puts in the query string, the public API answers in JSON:
a value the database cannot take is a 400 {"message": ...} naming what is wrong, never a
server error. PostgreSQL is stricter than SQLite (NUL bytes, integers beyond bigint, UTC
offsets), so this file is worth running with DATABASE_URL set to one too."""

import datetime
from urllib.parse import quote

from django.apps import apps
from django.db import transaction
from django.test import Client, TestCase
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.documents.models import Document
from wagtail.models import Page

from advocacy.models import HomePage, PositionPage, ResponseIndexPage
from tests.factories import make_position, make_position_index, make_response, make_topic, publish

PAGE_TYPES = [
    model for model in apps.get_app_config("advocacy").get_models() if issubclass(model, Page)
]
HUGE = str(2**63)  # one more than a bigint holds
GARBAGE = [
    "abc",
    "0",
    "-1",
    "1.5",
    HUGE,
    f"-{HUGE}",
    f" {HUGE}",
    "2024-13-45",
    "9999-12-31T23:59:59-23:00",
    "\x00",
    "a\x00b",
    "\x1b[0m",
    "²",
    "",
    "x" * 300,
]
# The query parameters that are operations rather than field filters.
OPERATIONS = sorted(
    PagesAPIViewSet.known_query_parameters | DocumentsAPIViewSet.known_query_parameters
)


def url(path, **params):
    """``path`` with ``params`` as its query string, every character quoted."""
    return f"{path}?" + "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in params.items())


class ApiBadInputTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = make_position_index()
        cls.position = make_position(
            cls.index,
            title="Potency assays",
            topics=[make_topic("Potency assays")],
            policy_status=PositionPage.Status.ADOPTED,
            adopted_on=datetime.date(2024, 10, 8),
        )
        responses = publish(
            HomePage.objects.get().add_child(
                instance=ResponseIndexPage(title="Responses", slug="responses")
            )
        )
        make_response(responses, relies_on=[cls.position])

    def setUp(self):
        self.client = Client(raise_request_exception=False)

    def get(self, path):
        # Each request in a savepoint, so one database error cannot fail every later
        # request on PostgreSQL.
        savepoint = transaction.savepoint()
        try:
            return self.client.get(path)
        finally:
            transaction.savepoint_rollback(savepoint)

    def assertBadRequest(self, path, *words):
        response = self.get(path)
        self.assertEqual(response.status_code, 400, path)
        message = response.json()["message"]
        for word in words:
            self.assertIn(word, message)

    def not_answered_in_json(self, paths):
        """The paths answered with a server error, or with an error that is not the API's
        {"message": ...}."""
        failed = []
        for path in paths:
            response = self.get(path)
            if response.status_code >= 500 or (
                response.status_code >= 400 and "message" not in response.json()
            ):
                failed.append(f"{response.status_code} {path}")
        return failed

    def test_a_bad_date_filter_is_a_400(self):
        def positions(**params):
            return url("/api/v2/pages/", type="advocacy.PositionPage", **params)

        self.assertBadRequest(positions(adopted_on="0"), "adopted_on", "YYYY-MM-DD")
        self.assertBadRequest(positions(review_by="2024-02-30"), "review_by")
        self.assertBadRequest(positions(first_published_at="yesterday"), "first_published_at")
        # A time zone PostgreSQL would refuse, and a time SQLite cannot move to UTC.
        self.assertBadRequest(
            positions(first_published_at="2024-01-01T00:00:00+23:00"), "first_published_at"
        )
        self.assertBadRequest(
            positions(first_published_at="9999-12-31T23:59:59-12:00"), "first_published_at"
        )
        # Good values still filter.
        response = self.get(positions(adopted_on="2024-10-08"))
        self.assertEqual([i["title"] for i in response.json()["items"]], ["Potency assays"])
        published = self.position.first_published_at
        at_kiribati = published.astimezone(datetime.timezone(datetime.timedelta(hours=14)))
        for value in (published.isoformat(), at_kiribati.isoformat()):
            response = self.get(positions(first_published_at=value))
            self.assertEqual([i["title"] for i in response.json()["items"]], ["Potency assays"])

    def test_ids_and_numbers_too_large_for_the_database_are_a_400(self):
        for path in (
            f"/api/v2/pages/?type=advocacy.PositionPage&owner={HUGE}",
            "/api/v2/pages/?type=advocacy.PositionPage&owner=abc",
            f"/api/v2/pages/?alias_of={HUGE}",
            f"/api/v2/pages/?id={HUGE}",
            f"/api/v2/pages/?offset={HUGE}",
            f"/api/v2/pages/?offset=%20{HUGE}",
            f"/api/v2/documents/?offset={HUGE}",
            f"/api/v2/documents/?limit={HUGE}",
            f"/api/v2/documents/?id={HUGE}",
            "/api/v2/documents/?offset=-1",
        ):
            with self.subTest(path):
                self.assertEqual(self.get(path).status_code, 400)

    def test_find_refuses_an_id_that_is_not_one(self):
        for endpoint in ("pages", "documents"):
            for value in ("abc", "", "1.5", "-1", HUGE):
                with self.subTest(endpoint=endpoint, id=value):
                    self.assertBadRequest(url(f"/api/v2/{endpoint}/find/", id=value), "id")
        # A real one still redirects to the page.
        response = self.get(f"/api/v2/pages/find/?id={self.position.pk}")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].endswith(f"/api/v2/pages/{self.position.pk}/?"))

    def test_control_characters_are_a_400(self):
        for path in (
            "/api/v2/pages/find/?html_path=%00",
            "/api/v2/pages/find/?html_path=/positions/%00/",
            "/api/v2/pages/?search=potency%00",
            "/api/v2/pages/?locale=%00",
            "/api/v2/pages/?site=%00",
            "/api/v2/documents/?search=%00",
            "/api/v2/documents/?title=%1B",
            f"/api/v2/pages/{self.position.pk}/?fields=%00",
        ):
            with self.subTest(path):
                self.assertBadRequest(path, "control characters")
        response = self.get("/api/v2/pages/find/?html_path=/positions/potency-assays/")
        self.assertEqual(response.status_code, 302)

    def test_a_search_operator_other_than_and_or_or_is_a_400(self):
        self.assertBadRequest(
            "/api/v2/pages/?search=potency&search_operator=xor", "search_operator"
        )
        response = self.get("/api/v2/pages/?search=potency&search_operator=AND")
        self.assertEqual(response.status_code, 200)

    def test_garbage_in_every_filter_of_every_page_type_is_answered_in_json(self):
        every_page_has = PagesAPIViewSet.get_available_fields(Page, True)
        paths = [url("/api/v2/pages/", **{name: v}) for name in every_page_has for v in GARBAGE]
        for model in PAGE_TYPES:
            page_type = f"{model._meta.app_label}.{model.__name__}"
            for name in PagesAPIViewSet.get_available_fields(model, True):
                if name not in every_page_has:
                    for value in GARBAGE:
                        paths.append(url("/api/v2/pages/", type=page_type, **{name: value}))
        self.assertEqual(self.not_answered_in_json(paths), [])

    def test_garbage_in_every_operation_and_document_filter_is_answered_in_json(self):
        document_fields = DocumentsAPIViewSet.get_available_fields(Document, True)
        paths = []
        for value in GARBAGE:
            for name in OPERATIONS:
                paths.append(url("/api/v2/pages/", **{name: value}))
                paths.append(url("/api/v2/pages/", **{"search": "potency", name: value}))
            for name in [*OPERATIONS, *document_fields]:
                paths.append(url("/api/v2/documents/", **{name: value}))
            for endpoint in ("pages", "documents"):
                paths.append(url(f"/api/v2/{endpoint}/find/", id=value))
            paths.append(url("/api/v2/pages/find/", html_path=value))
            paths.append(url("/api/v2/pages/find/", html_path=f"/positions/{value}/"))
            paths.append(url(f"/api/v2/pages/{self.position.pk}/", fields=value))
        for endpoint in ("pages", "documents"):
            paths.append(f"/api/v2/{endpoint}/{HUGE}/")
            paths.append(f"/api/v2/{endpoint}/{HUGE}/?type=advocacy.PositionPage")
        paths.append(f"/api/v2/pages/{self.position.pk}/?type=advocacy.PositionPage&adopted_on=0")
        self.assertEqual(self.not_answered_in_json(paths), [])
