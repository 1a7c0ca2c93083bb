"""Day-long meetings and series in Chromium: the Secretariat enters a two-day summit by its
days (ticking "all day" swaps the time boxes for day boxes), then sets up a monthly call as a
series whose meetings the rule makes; a stakeholder opens the public series page on a phone
and finds its calendar."""

import datetime

import pytest
from playwright.sync_api import expect

from liaison.models import Meeting, MeetingSeries
from tests.browser.admin_session import sign_in
from tests.browser.test_meeting_journey import tick
from tests.factories import make_user
from tests.liaison.factories import make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def test_a_summit_by_its_days_and_a_monthly_series(live_server, page, browser, screenshot):
    make_regulator("Health Canada BRDD", "America/Toronto")
    make_user("Secretariat", username="sam", first_name="Sam", email="sam@society.example")
    sign_in(page, live_server.url, "sam")

    # A two-day summit, entered by its days.
    page.goto(live_server.url + "/admin/snippets/liaison/meeting/add/")
    page.locator("#id_title").fill("Policy Summit 2027")
    tick(page, "Health Canada BRDD")
    starts = page.locator("#id_local_start")
    first_day = page.locator("#id_first_day")
    expect(starts).to_be_visible()
    expect(first_day).to_be_hidden()
    expect(page.get_by_text("First day", exact=True)).to_be_hidden()
    page.locator("#id_all_day").check()
    expect(first_day).to_be_visible()
    expect(starts).to_be_hidden()
    expect(page.get_by_text("Starts", exact=True)).to_be_hidden()
    expect(page.get_by_text("If the clocks go back during the meeting time")).to_be_hidden()
    first_day.fill("2027-03-09")
    page.locator("#id_last_day").fill("2027-03-10")
    page.keyboard.press("Escape")
    page.locator("#id_location").fill("Ottawa")
    page.locator("#id_title").click()  # closes the date picker
    screenshot("meeting-form-all-day")
    page.locator("button.action-save").click()
    expect(page.get_by_text("Tuesday 9 – Wednesday 10 March 2027").first).to_be_visible()
    summit = Meeting.objects.get(title="Policy Summit 2027")
    assert summit.all_day and summit.days() == [
        datetime.date(2027, 3, 9),
        datetime.date(2027, 3, 10),
    ]

    # A monthly call as a series: saving makes its meetings.
    page.goto(live_server.url + "/admin/snippets/liaison/meetingseries/add/")
    page.locator("#id_title").fill("Monthly call with BRDD")
    tick(page, "Health Canada BRDD")
    page.locator("#id_visibility").select_option("public")
    page.locator("#id_description").fill("Follow-up on the asks of the annual meeting.")
    page.locator("#id_frequency").select_option("monthly_weekday")
    page.locator("#id_local_first_start").fill("2027-01-12 10:00")
    page.keyboard.press("Escape")
    page.locator("#id_count").fill("6")
    page.locator("#id_location").fill("Online")
    page.locator("#id_title").click()  # closes the date picker
    screenshot("series-form")
    page.locator("button.action-save").click()
    expect(page.get_by_text("Monthly call with BRDD").first).to_be_visible()
    series = MeetingSeries.objects.get()
    assert series.meetings.count() == 6

    # A stakeholder on a phone.
    phone = browser.new_page(viewport=PHONE)
    phone.goto(f"{live_server.url}/series/{series.uuid}/")
    expect(phone.get_by_role("heading", name="Monthly call with BRDD", level=1)).to_be_visible()
    expect(
        phone.get_by_text("Every month on the second Tuesday, 6 times, at 10:00")
    ).to_be_visible()
    link = phone.get_by_role("link", name="Follow this series in your calendar")
    assert link.get_attribute("href") == f"/calendar/series/{series.uuid}.ics"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    phone.screenshot(
        path=str(screenshot("series-page-phone").parent / "series-page-phone.png"), full_page=True
    )
    phone.close()
