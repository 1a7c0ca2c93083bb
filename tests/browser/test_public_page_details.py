"""Issue 14 in a browser: the subscribe form hides the regulator boxes for "All", the
confirmation page copies the address, and the calendar page fits a phone."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.liaison.factories import make_meeting, make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def public_meeting(acronym, zone):
    start = timezone.now().replace(microsecond=0, second=0) + datetime.timedelta(days=20)
    make_meeting(make_regulator(acronym, zone, listed=True), visibility="public", starts_at=start)


def test_regulator_boxes_follow_the_scope_and_the_address_copies(
    live_server, page, screenshot, mailoutbox, csp_violations
):
    from django.core.cache import cache

    cache.clear()
    public_meeting("PMDA", "Asia/Tokyo")
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

    page.goto(base + "/calendar/subscribe/")
    boxes = page.locator("fieldset[data-scope-regulators]")
    pmda = page.get_by_role("checkbox", name="PMDA")
    expect(page.get_by_role("radio", name="All public meetings")).to_be_checked()
    expect(boxes).to_be_hidden()
    page.get_by_role("radio", name=re.compile("regulators I choose")).check()
    expect(boxes).to_be_visible()
    expect(pmda).to_be_enabled()
    pmda.check()
    page.get_by_role("radio", name="All public meetings").check()
    expect(boxes).to_be_hidden()
    assert boxes.evaluate("el => el.disabled")
    screenshot("subscribe-all-chosen")

    page.get_by_label("Name").first.fill("Grace Liu")
    page.get_by_label(re.compile("E-mail", re.I)).fill("grace.liu@example.org")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator("main")).to_contain_text(re.compile("inbox", re.I))
    [confirmation] = mailoutbox
    link = re.search(r"https?://\S+/calendar/\S+", confirmation.body)[0]
    page.goto(base + re.sub(r"^https?://[^/]+", "", link))
    page.get_by_role("button", name=re.compile("Confirm")).click()

    page.get_by_role("button", name="Copy address").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#https-url").input_value()
    assert "/calendar/feed/" in copied
    screenshot("subscribe-address-copied")
    assert csp_violations == []


def test_calendar_addresses_wrap_on_a_phone(live_server, page, screenshot):
    from django.core.cache import cache

    cache.clear()
    # One long word, as long as an acronym may be (30 characters, which PostgreSQL enforces):
    # no hyphen or space where a line could break.
    public_meeting("HealthCanadaTherapiesOfficeBRD", "America/Toronto")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(live_server.url + "/calendar/")
    address = page.locator("a.feed-address").last
    expect(address).to_contain_text("healthcanadatherapiesofficebrd.ics")
    box = address.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("calendar-feeds-phone")
