"""The subscribe form's regulator boxes, the confirmation page's copy button and the
calendar page's addresses (issue 14): the markup and scripts the browser test drives
(tests/browser/test_public_page_details.py), and the server's side without scripts."""

import re

from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.core import mail

from liaison.models import Subscriber
from tests.liaison.subscriptions import SUBSCRIBE_URL, SubscriptionTestCase, link_to, path_of


def html(response):
    return BeautifulSoup(response.content, "html.parser")


def scripts(page):
    return [s.get("src") for s in page.select("script")]


class ScopeTestCase(SubscriptionTestCase):
    def test_the_form_loads_its_script_from_a_file(self):
        response = self.client.get(SUBSCRIBE_URL)

        page = html(response)
        self.assertIn("/static/liaison/subscribe_scope.js", scripts(page))
        self.assertNotIn(None, scripts(page), "no inline script: the CSP forbids them")
        self.assertNotIn("'unsafe-inline'", response["Content-Security-Policy"])
        self.assertIsNotNone(finders.find("liaison/subscribe_scope.js"))
        fieldset = page.select_one("fieldset[data-scope-regulators]")
        self.assertEqual(
            {i["value"] for i in fieldset.select("input[type=checkbox]")},
            {str(self.hc.pk), str(self.pmda.pk)},
        )
        # The script finds the scope radios by name, in the same form.
        self.assertEqual(
            {i["value"] for i in fieldset.find_parent("form").select("input[name=scope]")},
            {"all", "chosen"},
        )

    def test_the_manage_page_loads_it_too(self):
        subscriber, welcome = self.subscribed()

        page = html(self.client.get(path_of(link_to(welcome, "/manage/"))))
        self.assertIn("/static/liaison/subscribe_scope.js", scripts(page))
        self.assertIsNotNone(page.select_one("fieldset[data-scope-regulators]"))

    def test_without_the_script_regulators_ticked_with_all_are_ignored(self):
        for ticked in ([str(self.pmda.pk)], ["999999"], ["not-an-id"]):
            with self.subTest(ticked=ticked):
                Subscriber.objects.all().delete()
                subscriber, _ = self.subscribed(scope="all", regulators=ticked)

                self.assertTrue(subscriber.all_regulators)
                self.assertEqual(list(subscriber.regulators.all()), [])

    def test_chosen_regulators_still_count(self):
        subscriber, _ = self.subscribed(scope="chosen", regulators=[str(self.pmda.pk)])

        self.assertFalse(subscriber.all_regulators)
        self.assertEqual(list(subscriber.regulators.all()), [self.pmda])


class CopyButtonTestCase(SubscriptionTestCase):
    def test_the_confirmation_page_has_a_copy_button_for_the_address(self):
        mail.outbox.clear()
        self.subscribe()
        response = self.confirm(mail.outbox[-1])

        page = html(response)
        field = page.select_one("input#https-url")
        self.assertTrue(field["value"].startswith("http://testserver/calendar/feed/"))
        button = page.select_one("button[data-copy]")
        self.assertEqual(button.get_text(strip=True), "Copy address")
        self.assertEqual(button["type"], "button")
        self.assertEqual(button["data-copy"], "https-url")
        # Shown by the script, which alone can make it work.
        self.assertTrue(button.has_attr("hidden"))
        status = page.find(id=button["data-copy-status"])
        self.assertEqual(status["role"], "status")
        self.assertIn("/static/liaison/copy_address.js", scripts(page))
        self.assertNotIn(None, scripts(page))
        self.assertIsNotNone(finders.find("liaison/copy_address.js"))


class CalendarAddressesTestCase(SubscriptionTestCase):
    def test_long_addresses_may_wrap(self):
        page = html(self.client.get("/calendar/"))

        addresses = [a.get_text() for a in page.select("a.feed-address")]
        self.assertEqual(
            addresses,
            [
                "http://testserver/calendar/public.ics",
                "http://testserver/calendar/regulators/health-canada-brdd.ics",
                "http://testserver/calendar/regulators/pmda.ics",
            ],
        )
        with open(finders.find("css/site.css"), encoding="utf-8") as css:
            rule = re.search(r"\.feed-address\s*\{([^}]*)\}", css.read())
        self.assertIsNotNone(rule)
        self.assertIn("overflow-wrap: anywhere", rule[1])
