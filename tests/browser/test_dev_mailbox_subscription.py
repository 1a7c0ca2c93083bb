"""In development, a stakeholder subscribes on the site, finds the confirmation e-mail in the
development mailbox (/dev/mailbox/) in the same browser, follows its link and is given the
feed address: the whole double opt-in without leaving the browser.

The live server runs as `make run` does: DEBUG on and the mailbox backend, BASE_URL on the
live server so that the e-mail's links lead back to it. The test settings run django-q2
tasks inline, so the mail the subscription queues in the outbox is sent (kept in the
mailbox) when its request commits."""

import datetime
import re

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from cms import mailbox
from tests.liaison.factories import make_meeting, make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def development_mail(live_server, tmp_path):
    """The live server with development's mail: the mailbox backend, kept in ``tmp_path``."""
    with override_settings(
        DEBUG=True,
        EMAIL_BACKEND=mailbox.BACKEND,
        DEV_MAILBOX_DIR=tmp_path,
        BASE_URL=live_server.url,
        WAGTAILADMIN_BASE_URL=live_server.url,
    ):
        yield tmp_path


def test_a_stakeholder_confirms_from_the_dev_mailbox(
    live_server, development_mail, page, screenshot, csp_violations
):
    from django.core.cache import cache

    cache.clear()
    regulator = make_regulator("EMA", "Europe/Amsterdam")
    start = timezone.now().replace(microsecond=0, second=0) + datetime.timedelta(days=15)
    make_meeting(regulator, title="EMA public hearing", visibility="public", starts_at=start)
    base = live_server.url

    page.goto(base + "/calendar/subscribe/")
    page.get_by_label("Name").first.fill("Ada Stakeholder")
    page.get_by_label(re.compile("E-mail", re.I)).fill("ada@example.org")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator("main")).to_contain_text(re.compile("inbox", re.I))

    # The developer opens the mailbox, as the banner of `make run` says.
    page.goto(base + "/dev/mailbox/")
    row = page.locator("table.mailbox-list tbody tr").filter(has_text="ada@example.org")
    expect(row).to_have_count(1)
    row.get_by_role("link", name=re.compile("Confirm")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm")
    screenshot("dev-mailbox-confirmation")

    link = page.locator("pre.mailbox-text a", has_text="/calendar/subscribe/confirm/")
    expect(link).to_have_count(1)
    link.click()
    page.get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()

    feed_url = page.locator("#https-url").input_value()
    assert feed_url.startswith(base + "/"), feed_url
    response = page.request.get(feed_url)
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar")
    assert "EMA public hearing" in response.text()

    # The welcome e-mail with the same address is in the mailbox too, newest first.
    page.goto(base + "/dev/mailbox/")
    rows = page.locator("table.mailbox-list tbody tr")
    expect(rows).to_have_count(2)
    rows.first.get_by_role("link").click()
    expect(page.locator("pre.mailbox-text")).to_contain_text(feed_url)
    screenshot("dev-mailbox-welcome")
    assert csp_violations == []
