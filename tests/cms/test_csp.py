"""Every HTML page of the public site and the admin carries a Content-Security-Policy: strict
on the public site, with inline scripts and styles allowed only under the admin's paths."""

import datetime

from django.test import TestCase

from advocacy.models import HomePage
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import make_meeting, make_regulator

UTC = datetime.UTC


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}; exactly one header."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = sources
    return directives


# Both policies share these.
COMMON = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
}


class ContentSecurityPolicyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = HomePage.objects.get()
        cls.index = make_position_index()
        cls.position = make_position(cls.index, title="Potency matrix position")
        regulator = make_regulator()
        cls.meeting = make_meeting(
            regulator,
            title="Ottawa potency liaison",
            visibility="public",
            starts_at=datetime.datetime(2030, 6, 9, 13, tzinfo=UTC),
        )
        cls.admin = make_user(superuser=True, username="csp-admin")

    def get_html(self, url, status=200):
        response = self.client.get(url)
        self.assertEqual(response.status_code, status, url)
        self.assertTrue(response["Content-Type"].startswith("text/html"), url)
        return response

    def assert_common(self, directives, url):
        for name, sources in COMMON.items():
            self.assertEqual(directives.get(name), sources, f"{name} on {url}")
        everything = [source for sources in directives.values() for source in sources]
        self.assertNotIn("'unsafe-eval'", everything, url)
        self.assertNotIn("*", everything, url)

    def public_urls(self):
        return [
            ("/", 200),
            ("/positions/", 200),
            (self.position.url, 200),
            ("/meetings/", 200),
            (f"/meetings/{self.meeting.uuid}/", 200),
            ("/calendar/", 200),
            ("/calendar/subscribe/", 200),
            ("/search/?q=potency", 200),
            ("/no-such-page/", 404),
        ]

    def test_every_public_page_has_the_strict_policy(self):
        urls = self.public_urls()
        self.assertEqual(self.position.url, "/positions/potency-matrix-position/")
        for url, status in urls:
            with self.subTest(url=url):
                directives = policy(self.get_html(url, status))
                self.assert_common(directives, url)
                self.assertEqual(directives["script-src"], ["'self'"], url)
                self.assertEqual(directives["style-src"], ["'self'"], url)
                self.assertNotIn("'unsafe-inline'", str(directives), url)

    def test_a_posted_form_with_errors_has_the_policy(self):
        response = self.client.post("/calendar/subscribe/", {"email": "not-an-address"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(policy(response)["script-src"], ["'self'"])

    def admin_urls(self):
        return [
            "/admin/",
            f"/admin/pages/{self.home.pk}/edit/",
            f"/admin/pages/{self.position.pk}/edit/",
            f"/admin/pages/{self.index.pk}/",
            f"/admin/snippets/liaison/meeting/edit/{self.meeting.pk}/",
            "/admin/snippets/liaison/meeting/",
            "/django-admin/",
        ]

    def test_the_sign_in_page_has_the_admin_policy(self):
        self.assert_admin_policy(self.get_html("/admin/login/"), "/admin/login/")

    def test_every_admin_page_has_the_admin_policy(self):
        self.client.force_login(self.admin)
        for url in self.admin_urls():
            with self.subTest(url=url):
                self.assert_admin_policy(self.get_html(url), url)

    def assert_admin_policy(self, response, url):
        directives = policy(response)
        self.assert_common(directives, url)
        # The admin's inline <script> and style: allowed, but only our own files otherwise.
        self.assertEqual(directives["script-src"], ["'self'", "'unsafe-inline'"], url)
        self.assertEqual(directives["style-src"], ["'self'", "'unsafe-inline'"], url)
        # No inline event handlers (onclick=...), where browsers know script-src-attr.
        self.assertEqual(directives["script-src-attr"], ["'none'"], url)

    def test_the_admin_preview_may_be_framed_by_the_admin(self):
        self.client.force_login(self.admin)
        response = self.get_html(f"/admin/pages/{self.position.pk}/edit/preview/")
        self.assertEqual(policy(response)["frame-ancestors"], ["'self'"])
