"""Requests a crawl with hostile input once answered with a server error: each must now get a
form error, a 400 or a 404, and change nothing."""

import io

import openpyxl
from django.core import mail, signing
from django.test import TestCase

from cms.models import OutgoingMail
from liaison.calendars import subscriptions
from liaison.models import Contact, InviteDelivery, Meeting, Subscriber
from tests.factories import make_user
from tests.liaison.factories import ADD_URL, LIST_URL, make_meeting, make_regulator
from tests.liaison.factories import meeting_form as base_meeting_form
from tests.liaison.subscriptions import SUBSCRIBE_URL, SubscriptionTestCase, link_to, path_of

HUGE = "99999999999999999999"  # more than SQLite and PostgreSQL integers hold
CHOOSER = "/admin/snippets/choose/liaison"


class HugeIdTests(SubscriptionTestCase):
    def test_subscribing_with_an_impossible_regulator_is_a_form_error(self):
        response = self.subscribe(scope="chosen", regulators=[HUGE])

        self.assertEqual(response.status_code, 200)
        self.assertIn("regulators", response.context["form"].errors)
        self.assertFalse(Subscriber.objects.exists())
        self.assertFalse(OutgoingMail.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_changing_to_an_impossible_regulator_is_a_form_error(self):
        subscriber, welcome = self.subscribed()
        url = path_of(link_to(welcome, "/calendar/subscribe/manage/"))

        response = self.client.post(
            url, {"action": "scope", "scope": "chosen", "regulators": [self.hc.pk, HUGE]}
        )

        self.assertEqual(response.status_code, 200)
        subscriber.refresh_from_db()
        self.assertTrue(subscriber.all_regulators)
        self.assertFalse(subscriber.regulators.exists())

    def test_a_signed_link_naming_no_id_is_a_bad_link(self):
        for payload in ({"id": "abc", "e": "x"}, {"id": [1]}, {"id": {}}, [1]):
            for salt, path in (
                (subscriptions.CONFIRM_SALT, "confirm"),
                (subscriptions.MANAGE_SALT, "manage"),
            ):
                token = signing.dumps(payload, salt=salt, compress=True)
                with self.subTest(payload=payload, path=path):
                    response = self.client.get(f"{SUBSCRIBE_URL}{path}/{token}/")
                    self.assertEqual(response.status_code, 400)


class AdminInputTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = make_regulator()
        cls.secretariat = make_user("Secretariat", email="sec@example.org")
        cls.outsider = make_user("Liaison delegates")
        cls.secret = make_meeting(
            cls.regulator, title="Secret enforcement call", visibility="confidential"
        )

    def setUp(self):
        self.client.force_login(self.secretariat)

    def test_listing_filters_with_impossible_ids_answer_normally(self):
        for url in (
            f"{LIST_URL}?regulators={HUGE}",
            f"{LIST_URL}results/?regulators={HUGE}",
            f"{LIST_URL}?regulators=abc&starts_at_after=garbage",
            f"/admin/subscribers/?regulators={HUGE}",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def meeting_form(self, **overrides):
        return base_meeting_form(self.regulator, **overrides)

    def test_a_meeting_with_an_impossible_regulator_or_year_is_a_form_error(self):
        before = Meeting.objects.count()
        for field, data in (
            ("regulators", self.meeting_form(regulators=[HUGE])),
            (
                "local_start",
                self.meeting_form(
                    time_zone="America/Los_Angeles",
                    local_start="9999-12-31 23:00",
                    local_end="9999-12-31 23:59",
                ),
            ),
            ("local_start", self.meeting_form(local_start="0001-01-01 00:00")),
        ):
            with self.subTest(
                field=field, data=data[field if field != "local_start" else "title"]
            ):
                response = self.client.post(ADD_URL, data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.assertEqual(Meeting.objects.count(), before)

    def test_spreadsheet_exports_drop_characters_a_spreadsheet_cannot_hold(self):
        Contact.objects.create(name="Ann\x0bLee", regulator=self.regulator)
        InviteDelivery.objects.create(
            meeting=self.secret,
            recipient_email="a@example.org",
            sequence=1,
            method="REQUEST",
            status="failed",
            last_error="Refused\x1b by server",  # (PostgreSQL stores no NUL at all)
        )
        for url, expected in (
            ("/admin/snippets/liaison/contact/?export=xlsx", "AnnLee"),
            ("/admin/invitations/?export=xlsx", "Refused by server"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
                cells = {str(c.value) for row in sheet.active.iter_rows() for c in row}
                self.assertIn(expected, cells)
        csv = self.client.get("/admin/snippets/liaison/contact/?export=csv")
        self.assertIn("Ann\x0bLee", b"".join(csv.streaming_content).decode())

    def test_resend_goes_back_only_to_a_path_on_this_site(self):
        delivery = InviteDelivery.objects.create(
            meeting=self.secret,
            recipient_email="a@example.org",
            sequence=self.secret.sequence,
            method="REQUEST",
            status="failed",
        )
        for back in ("abc", "dashboard", "//evil.example/", "https://evil.example/", "\x00"):
            with self.subTest(back=back):
                response = self.client.post(
                    f"/admin/invitations/resend/{delivery.pk}/", {"next": back}
                )
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], "/admin/invitations/")

    def test_choosers_answer_malformed_ids_with_a_404(self):
        for model in ("regulator", "organisation", "contact", "meeting"):
            for pk in ("abc", "1.5", "%C2%B2", HUGE):
                with self.subTest(model=model, pk=pk):
                    response = self.client.get(f"{CHOOSER}/{model}/chosen/{pk}/")
                    self.assertEqual(response.status_code, 404)
            response = self.client.get(
                f"{CHOOSER}/{model}/chosen-multiple/?id=abc&id={HUGE}&id=%00"
            )
            self.assertEqual(response.status_code, 200)

    def test_choosing_several_meetings_returns_only_visible_ones(self):
        self.client.force_login(self.outsider)
        url = f"{CHOOSER}/meeting/chosen-multiple/?id={self.secret.pk}"

        response = self.client.get(url)

        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Secret enforcement call", response.content.decode())
        self.client.force_login(self.secretariat)
        self.assertIn("Secret enforcement call", self.client.get(url).content.decode())
