"""The society of Settings ▸ Society, wherever the site speaks: e-mail subjects, signatures
and senders, the admin's branding and its nudge, the public site's header, title and footer,
and the demo data. "Liaise" is only the software."""

import email
import email.policy
import email.utils
import io
from io import StringIO
from pathlib import Path

from bs4 import BeautifulSoup
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.models import Collection

from cms import emails
from cms.models import SocietySettings
from liaison.calendars import subscriptions
from liaison.models import Subscriber
from tests.factories import SOCIETY, make_position_index, make_society, make_user
from tests.outbox import committed

ADDRESS_LINES = SOCIETY["postal_address"].splitlines()
SETTINGS_URL = "/admin/settings/cms/societysettings/"


def parse(message):
    """A sent message as the recipient's mail program reads it."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def signature_of(body):
    """The lines after the signature delimiter ("-- "), or None if there is none."""
    lines = body.rstrip("\n").split("\n")
    if "-- " not in lines:
        return None
    return lines[len(lines) - lines[::-1].index("-- ") :]


def subscribe_confirm_email():
    """The confirmation e-mail of a new subscriber, as the subscribe form sends it."""
    subscriber = Subscriber.objects.create(name="Grace", email="grace@example.org")
    with committed():
        subscriptions.send(subscriber, "confirm", confirm_url="https://x.example/c/", hours=48)
    (message,) = mail.outbox
    return parse(message)


@override_settings(DEFAULT_FROM_EMAIL="noreply@scgtp.example.org")
class SocietyInEmailTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_society()

    def test_subject_prefix_signature_and_sender_come_from_settings(self):
        parsed = subscribe_confirm_email()

        self.assertEqual(
            parsed["Subject"], "[SCGTP] Confirm your subscription to our meetings with regulators"
        )
        sender = parsed["From"].addresses[0]
        self.assertEqual(sender.display_name, SOCIETY["name"])
        self.assertEqual(sender.addr_spec, "noreply@scgtp.example.org")
        body = parsed.get_body(("plain",)).get_content()
        self.assertEqual(signature_of(body), [SOCIETY["name"], *ADDRESS_LINES, SOCIETY["website"]])
        self.assertIn(f"follow {SOCIETY['name']}'s public meetings", body)
        for text in (parsed["Subject"], str(parsed["From"]), body):
            self.assertNotIn("Liaise", text)

    @override_settings(DEFAULT_FROM_EMAIL="SCGTP Secretariat <secretariat@scgtp.example.org>")
    def test_a_sender_with_a_display_name_of_its_own_keeps_it(self):
        parsed = subscribe_confirm_email()

        self.assertEqual(parsed["From"].addresses[0].display_name, "SCGTP Secretariat")
        self.assertEqual(
            email.utils.parseaddr(emails.sender("Jane Doe")),
            ("Jane Doe via SCGTP", "secretariat@scgtp.example.org"),
        )

    def test_a_renamed_society_is_in_the_next_email(self):
        make_society(name="Gene Therapy Policy Forum", short_name="", website="")

        parsed = subscribe_confirm_email()

        self.assertTrue(parsed["Subject"].startswith("[Gene Therapy Policy Forum] "))
        body = parsed.get_body(("plain",)).get_content()
        self.assertEqual(signature_of(body), ["Gene Therapy Policy Forum", *ADDRESS_LINES])

    def test_every_body_template_ends_with_the_shared_signature(self):
        bodies = sorted(Path(settings.BASE_DIR, "templates").glob("*/emails/*-body.txt"))

        self.assertGreaterEqual(len(bodies), 8)
        for path in bodies:
            source = path.read_text().rstrip("\n")
            self.assertTrue(
                source.endswith('{% include "emails/signature.txt" %}{% endautoescape %}'), path
            )

    def test_a_batch_of_emails_reads_the_society_once(self):
        def build(count):
            with CaptureQueriesContext(connection) as queries, emails.batch():
                for n in range(count):
                    emails.message(
                        "liaison/emails/subscribe-already",
                        {"subscriber": {"name": f"S{n}"}, "manage_url": "https://x.example/"},
                        to=[f"s{n}@example.org"],
                    )
            return [q["sql"] for q in queries.captured_queries]

        one, five = build(1), build(5)
        self.assertEqual(len(five), len(one))
        self.assertEqual(sum("cms_societysettings" in sql for sql in five), 1)


@override_settings(DEFAULT_FROM_EMAIL="noreply@localhost", SITE_NAME="Fallback Society")
class FallbackTestCase(TestCase):
    def test_without_a_name_the_site_name_stands_in(self):
        parsed = subscribe_confirm_email()

        self.assertTrue(parsed["Subject"].startswith("[Fallback Society] "))
        self.assertEqual(parsed["From"].addresses[0].display_name, "Fallback Society")
        body = parsed.get_body(("plain",)).get_content()
        self.assertEqual(signature_of(body), ["Fallback Society"])


class WorkflowNoticeTestCase(TestCase):
    """Wagtail's own notices go through cms.emails: the prefix and the signature too."""

    @classmethod
    def setUpTestData(cls):
        make_society()
        cls.index = make_position_index()
        cls.editor = make_user("Policy editors", email="ed@example.org")
        cls.approver = make_user("Policy approvers", email="ann@example.org")

    def test_a_submission_notice_carries_the_prefix_and_the_signature(self):
        self.client.force_login(self.editor)
        with committed():
            self.client.post(
                f"/admin/pages/add/advocacy/positionpage/{self.index.pk}/",
                {
                    "title": "Potency matrices",
                    "slug": "potency-matrices",
                    "summary": "Short.",
                    "policy_status": "consultation",
                    "body-count": "0",
                    "action-submit": "go",
                },
            )

        (message,) = [m for m in mail.outbox if m.to == ["ann@example.org"]]
        parsed = parse(message)
        self.assertTrue(parsed["Subject"].startswith("[SCGTP] "), parsed["Subject"])
        self.assertIn("Potency matrices", parsed["Subject"])
        body = parsed.get_body(("plain",)).get_content()
        self.assertEqual(signature_of(body), [SOCIETY["name"], *ADDRESS_LINES, SOCIETY["website"]])


class PasswordResetTestCase(TestCase):
    """Wagtail's password reset e-mail is sent by Django, not through cms.emails: its
    templates carry the prefix and the signature themselves."""

    def test_the_reset_email_carries_the_prefix_and_the_signature(self):
        make_society()
        make_user(superuser=True, email="ada@example.org")

        response = self.client.post("/admin/password_reset/", {"email": "ada@example.org"})

        self.assertEqual(response.status_code, 302)
        (message,) = mail.outbox
        parsed = parse(message)
        self.assertEqual(parsed["Subject"], "[SCGTP] Password reset")
        body = parsed.get_body(("plain",)).get_content()
        self.assertIn("/admin/password_reset/confirm/", body)
        self.assertEqual(signature_of(body), [SOCIETY["name"], *ADDRESS_LINES, SOCIETY["website"]])


class AdminBrandingTestCase(TestCase):
    def test_the_login_page_names_the_society(self):
        make_society()

        page = BeautifulSoup(self.client.get("/admin/login/").content, "html.parser")

        self.assertEqual(page.h1.get_text(strip=True), f"Sign in to {SOCIETY['name']}")
        self.assertEqual(page.title.get_text(strip=True), f"Sign in - {SOCIETY['name']}")
        self.assertNotIn("Liaise", page.get_text())

    def test_the_dashboard_welcomes_with_the_society_and_no_nudge_once_named(self):
        make_society()
        self.client.force_login(make_user(superuser=True))

        page = BeautifulSoup(self.client.get("/admin/").content, "html.parser")

        self.assertEqual(page.h1.get_text(strip=True), SOCIETY["name"])
        self.assertTrue(page.title.get_text(strip=True).endswith(f" - {SOCIETY['name']}"))
        self.assertIsNone(page.find(id="name-your-society-section"))

    @override_settings(SITE_NAME="Your society")
    def test_a_superuser_is_asked_to_name_the_society(self):
        self.client.force_login(make_user(superuser=True))

        page = BeautifulSoup(self.client.get("/admin/").content, "html.parser")

        self.assertEqual(page.h1.get_text(strip=True), "Your society")
        nudge = page.find(id="name-your-society-section")
        self.assertIsNotNone(nudge)
        self.assertEqual(
            [a["href"] for a in nudge.find_all("a") if a["href"] == SETTINGS_URL],
            [SETTINGS_URL],
        )
        settings_page = self.client.get(SETTINGS_URL, follow=True)
        self.assertEqual(settings_page.status_code, 200)
        self.assertContains(settings_page, 'name="short_name"')

    def test_others_are_not_asked(self):
        self.client.force_login(make_user("Policy editors"))

        page = BeautifulSoup(self.client.get("/admin/").content, "html.parser")

        self.assertIsNone(page.find(id="name-your-society-section"))


class PublicSiteTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_society()

    def home(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def test_header_title_and_footer_name_the_society(self):
        page = self.home()

        self.assertTrue(page.title.get_text(strip=True).endswith(f" · {SOCIETY['name']}"))
        self.assertEqual(page.select_one(".brand__name").get_text(strip=True), SOCIETY["name"])
        footer = page.footer
        self.assertIn(SOCIETY["name"], footer.get_text())
        self.assertEqual(
            list(footer.address.stripped_strings), SOCIETY["postal_address"].splitlines()
        )
        self.assertEqual(
            [a["href"] for a in footer.find_all("a") if a["href"].startswith("https://")],
            [SOCIETY["website"]],
        )
        # The product's name only as the software.
        self.assertEqual(
            [s for s in page.stripped_strings if "Liaise" in s],
            ["Powered by Liaise, open-source software for societies that advocate to regulators."],
        )

    def test_the_society_is_read_once_per_page(self):
        with CaptureQueriesContext(connection) as queries:
            self.home()

        reads = [q["sql"] for q in queries.captured_queries if "cms_societysettings" in q["sql"]]
        self.assertEqual(len(reads), 1)


@override_settings(DEBUG=True)
class DemoSocietyTestCase(TestCase):
    def test_seeding_twice_makes_one_society_with_one_logo(self):
        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())

        self.assertEqual(SocietySettings.objects.count(), 1)
        row = SocietySettings.objects.get()
        self.assertEqual(
            (row.name, row.short_name, row.website, row.paper_size),
            ("Society for Cell and Gene Therapy Policy", "SCGTP", SOCIETY["website"], "a4"),
        )
        self.assertTrue(row.postal_address.strip())
        logos = get_image_model().objects.filter(title="SCGTP logo")
        self.assertEqual(list(logos), [row.logo])
        self.assertEqual(row.logo.collection, Collection.get_first_root_node())
        with row.logo.file.open("rb") as handle:
            picture = PillowImage.open(io.BytesIO(handle.read()))
            self.assertEqual(picture.format, "PNG")
            self.assertEqual((row.logo.width, row.logo.height), picture.size)
