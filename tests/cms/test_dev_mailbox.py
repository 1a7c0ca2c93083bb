"""Development's mailbox (cms.mailbox): mail sent through the outbox is kept as .eml files and
shown at /dev/mailbox/, with clickable links, the HTML part sandboxed and attachments to
download; anywhere but development every page of it is a 404, and nothing a message says
can put script in the page."""

import email
import email.policy
import tempfile
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

from bs4 import BeautifulSoup
from django.core.mail import EmailMultiAlternatives
from django.test import TestCase, override_settings

from cms import emails, mailbox, outbox
from tests.liaison.subscriptions import SUBSCRIBE_URL, SubscriptionTestCase
from tests.outbox import committed, sweep

INDEX = "/dev/mailbox/"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


class MailboxMixin:
    """Each test gets an empty mailbox folder, the mailbox backend and DEBUG on."""

    def setUp(self):
        super().setUp()
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(
            override_settings(
                DEBUG=True, EMAIL_BACKEND=mailbox.BACKEND, DEV_MAILBOX_DIR=self.folder
            )
        )

    def listed(self):
        """[(to, subject, message page address)] of the list page, in its order."""
        page = self.client.get(INDEX)
        self.assertEqual(page.status_code, 200)
        rows = soup(page).select("table.mailbox-list tbody tr")
        return [
            (
                row.find_all("td")[0].get_text(strip=True),
                row.find("a").get_text(strip=True),
                row.find("a")["href"],
            )
            for row in rows
        ]


class SubscriptionMailInTheMailboxTestCase(MailboxMixin, SubscriptionTestCase):
    def test_the_confirmation_sent_through_the_outbox_is_listed_with_a_clickable_link(self):
        self.subscribe()

        [(to, subject, href)] = self.listed()
        self.assertEqual(to, "dana@example.org")
        self.assertIn("Confirm", subject)
        page = self.client.get(href)
        self.assertEqual(page.status_code, 200)
        self.assertEqual(soup(page).find("h1").get_text(strip=True), subject)
        links = [a["href"] for a in soup(page).select("pre.mailbox-text a")]
        confirm = [url for url in links if "/calendar/subscribe/confirm/" in url]
        self.assertEqual(len(confirm), 1, links)
        # The link is the one the e-mail gives, and it leads to the confirmation page.
        kept = next(self.folder.glob("*.eml")).read_bytes()
        self.assertIn(
            confirm[0],
            email.message_from_bytes(kept, policy=email.policy.default)
            .get_body(("plain",))
            .get_content(),
        )
        path = confirm[0].removeprefix("http://testserver")
        self.assertEqual(self.client.get(path).status_code, 200)

    def test_newest_first(self):
        self.subscribe(email="first@example.org")
        self.subscribe(email="second@example.org", name="Second Person")

        self.assertEqual(
            [to for to, _subject, _href in self.listed()],
            ["second@example.org", "first@example.org"],
        )

    def test_the_form_redirects_as_before(self):
        self.assertRedirects(self.subscribe(), "/calendar/subscribe/sent/")
        self.assertEqual(self.client.get(SUBSCRIBE_URL).status_code, 200)


HOSTILE = '<script>alert("subject")</script>'


class MessagePageTestCase(MailboxMixin, TestCase):
    def post(self, **overrides):
        """A message with a text part, a hostile HTML part and an invite.ics, through the outbox
        and the worker; its page."""
        fields = {
            "subject": f"Agenda {HOSTILE}",
            "body": "Read https://liaise.example.org/meetings/42/ before Monday.",
            "from_email": emails.sender(on_behalf_of='Eve "><script>alert(1)</script>'),
            "to": ['"<img src=x onerror=alert(2)>" <eve@example.org>'],
        }
        fields.update(overrides)
        message = EmailMultiAlternatives(**fields)
        message.attach_alternative(
            '<p onclick="alert(3)">Hi</p><script>alert(4)</script><img src="https://tracker.example/x.gif">',
            "text/html",
        )
        message.attach("invite.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
        with committed():
            outbox.post(message, kind="test")
        self.assertEqual(sweep(), 0)  # the hint sent it already: nothing left to sweep
        [(_to, _subject, href)] = self.listed()
        return self.client.get(href)

    def assertNoScript(self, response):
        parsed = soup(response)
        self.assertEqual(parsed.find_all("script"), [])
        handlers = [
            (tag.name, name)
            for tag in parsed.find_all(True)
            for name in tag.attrs
            if name.lower().startswith("on")
        ]
        self.assertEqual(handlers, [])
        self.assertNotIn(b"<script", response.content)
        self.assertNotIn(b"<img src=x", response.content)

    def test_headers_and_bodies_cannot_put_script_in_the_pages(self):
        page = self.post()

        self.assertNoScript(page)
        self.assertNoScript(self.client.get(INDEX))
        parsed = soup(page)
        self.assertEqual(parsed.find("h1").get_text(), f"Agenda {HOSTILE}")
        shown = dict(
            zip(
                [dt.get_text() for dt in parsed.select(".mailbox-headers dt")],
                [dd.get_text() for dd in parsed.select(".mailbox-headers dd")],
                strict=True,
            )
        )
        self.assertIn("<img src=x onerror=alert(2)>", shown["To"])
        self.assertIn("<script>alert(1)</script>", shown["From"])

    def test_the_html_part_is_framed_in_a_sandbox_that_runs_no_script(self):
        page = self.post()

        [frame] = soup(page).find_all("iframe")
        # Present and empty (bs4 gives "" or []): every restriction, scripts included.
        self.assertIn("sandbox", frame.attrs)
        self.assertEqual("".join(frame["sandbox"]), "")
        html = self.client.get(frame["src"])
        self.assertEqual(html.status_code, 200)
        policy = html["Content-Security-Policy"]
        self.assertTrue(policy.startswith("sandbox;"), policy)
        self.assertIn("default-src 'none'", policy)
        self.assertNotIn("script-src", policy)
        self.assertEqual(html["X-Frame-Options"], "SAMEORIGIN")
        self.assertIn(b"<p onclick", html.content)  # shown as sent, inside the sandbox

    def test_the_text_link_is_clickable(self):
        page = self.post()

        [link] = soup(page).select("pre.mailbox-text a")
        self.assertEqual(link["href"], "https://liaise.example.org/meetings/42/")

    def test_attachments_download(self):
        page = self.post()

        found = {
            a.get_text(strip=True): a["href"] for a in soup(page).select(".mailbox-attachments a")
        }
        self.assertIn("invite.ics", found)
        download = self.client.get(found["invite.ics"])
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        self.assertEqual(download["Content-Type"], "application/octet-stream")
        self.assertEqual(download["Content-Disposition"], 'attachment; filename="invite.ics"')

    def test_the_backend_prints_nothing_and_keeps_a_file_per_message(self):
        out = StringIO()
        with redirect_stdout(out):
            EmailMultiAlternatives("One", "Body", "a@example.org", ["b@example.org"]).send()
            EmailMultiAlternatives("Two", "Body", "a@example.org", ["c@example.org"]).send()
        self.assertEqual(out.getvalue(), "")
        self.assertEqual(len(list(self.folder.glob("*.eml"))), 2)
        self.assertEqual([s for _t, s, _h in self.listed()], ["Two", "One"])

    def test_unknown_and_malformed_names_are_404(self):
        for path in [
            "20261202T170000000000-0123456789ab/",
            "..%2F..%2Fcms%2Fsettings%2Fdev/",
            "not-a-message/",
            "20261202T170000000000-0123456789ab/attachments/0/",
        ]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(INDEX + path).status_code, 404)


class OnlyInDevelopmentTestCase(TestCase):
    """Every page of the mailbox is a 404 unless DEBUG is on and its backend is in use."""

    def test_the_test_settings_have_no_mailbox(self):
        self.assertFalse(mailbox.enabled())
        self.assertEqual(self.client.get(INDEX).status_code, 404)

    def test_another_backend_in_development_has_no_mailbox(self):
        with override_settings(
            DEBUG=True, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        ):
            self.assertEqual(self.client.get(INDEX).status_code, 404)

    def test_the_backend_without_debug_has_no_mailbox(self):
        with override_settings(DEBUG=False, EMAIL_BACKEND=mailbox.BACKEND):
            self.assertEqual(self.client.get(INDEX).status_code, 404)

    def test_development_settings_use_it_and_production_never_does(self):
        from tests.cms.test_settings import PRODUCTION
        from tests.subprocess_env import manage

        printed = {}
        for name, env in [
            ("dev", {"DJANGO_SETTINGS_MODULE": "cms.settings.dev"}),
            ("production", PRODUCTION),
        ]:
            result = manage(
                "shell",
                "-c",
                "from cms import mailbox; from django.conf import "
                "settings; print(settings.EMAIL_BACKEND, mailbox.enabled())",
                **env,
            )
            self.assertEqual(result.returncode, 0, result.stderr)
            printed[name] = result.stdout.strip().splitlines()[-1].split()
        self.assertEqual(printed["dev"], [mailbox.BACKEND, "True"])
        self.assertEqual(
            printed["production"], ["django.core.mail.backends.smtp.EmailBackend", "False"]
        )


class AdminMenuTestCase(MailboxMixin, TestCase):
    def test_the_admin_menu_links_the_mailbox_only_in_development(self):
        from django.contrib.auth import get_user_model

        admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
        self.client.force_login(admin)
        # The sidebar's menu is JSON in the page, rendered by Wagtail's script.
        self.assertContains(self.client.get("/admin/"), "/dev/mailbox/")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self.assertNotContains(self.client.get("/admin/"), "/dev/mailbox/")
