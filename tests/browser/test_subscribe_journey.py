"""A stakeholder subscribes, confirms from the e-mail, and the address shown is a calendar."""

import datetime
import re

import pytest
import vobject
from django.utils import timezone
from playwright.sync_api import expect

from tests.liaison.factories import make_meeting, make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_stakeholder_subscribes_confirms_and_gets_a_working_feed(
    live_server, page, screenshot, mailoutbox
):
    from django.core.cache import cache

    cache.clear()
    regulator = make_regulator("PMDA", "Asia/Tokyo")
    start = timezone.now().replace(microsecond=0, second=0) + datetime.timedelta(days=20)
    public = make_meeting(
        regulator, title="PMDA public workshop", visibility="public", starts_at=start
    )
    make_meeting(regulator, title="PMDA members call", visibility="members", starts_at=start)
    base = live_server.url

    page.goto(base + "/calendar/subscribe/")
    page.get_by_label("Name").first.fill("Grace Liu")
    page.get_by_label(re.compile("E-mail", re.I)).fill("grace.liu@example.org")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator("main")).to_contain_text(re.compile("inbox", re.I))

    [confirmation] = mailoutbox
    link = re.search(r"https?://\S+/calendar/\S+", confirmation.body)[0]
    # The e-mail names the site's BASE_URL; open the same path on the test server.
    page.goto(base + re.sub(r"^https?://[^/]+", "", link))
    page.get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
    screenshot("subscribe-confirmed")

    feed_url = page.locator("#https-url").input_value()
    path = re.sub(r"^https?://[^/]+", "", feed_url)
    response = page.request.get(base + path)
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = vobject.readOne(response.text(), validate=True)
    events = {e.uid.value: e for e in calendar.vevent_list}
    assert set(events) == {str(public.uuid)}
    assert events[str(public.uuid)].dtstart.value.astimezone(datetime.UTC) == start
    assert "PMDA members call" not in response.text()
