"""The Secretariat sets up a meeting in the admin; a delegate finds it on the dashboard; the
public sees only its public parts."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from liaison.models import ActionItem, Meeting
from tests.browser.admin_session import sign_in, sign_out
from tests.factories import make_user
from tests.liaison.factories import make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Annual Cell Therapy Liaison Meeting"
ITEMS = [
    ("Potency assay matrices", "40", False),
    ("Long-term follow-up durations", "30", False),
    ("Clinic enforcement cases", "20", True),
]
ACTIONS = ["Send worked potency examples", "Collect registry follow-up data"]


def add_agenda_item(page, n):
    """Click "Add Agenda item" until form `n` appears: a click that lands while the date
    picker is still closing does not reach the button."""
    for _ in range(5):
        page.get_by_role("button", name="Add Agenda item").click()
        try:
            page.locator(f"#id_agenda_items-{n}-title").wait_for(timeout=2000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"agenda item form {n} never appeared")


def tick(page, name):
    """Tick a checkbox of the meeting form, as add_agenda_item clicks: a click that lands
    while the date picker is still closing does not reach it."""
    box = page.get_by_role("checkbox", name=name)
    for _ in range(5):
        box.scroll_into_view_if_needed()
        try:
            box.check(timeout=2000)
            return
        except PlaywrightError:
            continue
    expect(box).to_be_checked()


def test_secretariat_sets_up_a_meeting_a_delegate_and_the_public_see_their_parts(
    live_server, page, screenshot
):
    make_regulator("Health Canada BRDD", "America/Toronto")
    make_user("Secretariat", username="sam", first_name="Sam")
    make_user("Liaison delegates", username="dev", first_name="Dev", last_name="Delegate")
    base = live_server.url
    day = timezone.localdate() + datetime.timedelta(days=14)

    # The Secretariat creates the meeting with three agenda items, the last confidential.
    sign_in(page, base, "sam")
    page.goto(base + "/admin/snippets/liaison/meeting/add/")
    page.locator("#id_title").fill(TITLE)
    page.get_by_role("checkbox", name="Health Canada BRDD", exact=True).check()
    page.locator("#id_status").select_option("confirmed")
    page.locator("#id_visibility").select_option("public")
    # Choosing the regulator filled the empty zone box with the regulator's zone.
    expect(page.locator("#id_time_zone")).to_have_value("America/Toronto")
    page.locator("#id_local_start").fill(f"{day:%Y-%m-%d} 09:00")
    page.locator("#id_local_end").fill(f"{day:%Y-%m-%d} 11:00")
    page.keyboard.press("Escape")
    page.locator("#id_location").fill("Holland Cross, Ottawa")
    tick(page, "Dev Delegate")
    for n, (title, minutes, confidential) in enumerate(ITEMS):
        add_agenda_item(page, n)
        page.locator(f"#id_agenda_items-{n}-title").fill(title)
        page.locator(f"#id_agenda_items-{n}-duration_minutes").fill(minutes)
        if confidential:
            page.locator(f"#id_agenda_items-{n}-confidential").check()
    screenshot("meeting-add-form")
    page.locator("button.action-save").click()
    expect(page.get_by_text(re.compile(f"'{TITLE}' created"))).to_be_visible()
    meeting = Meeting.objects.get(title=TITLE)
    assert [i.title for i in meeting.agenda_items.order_by("sort_order")] == [
        t for t, _, _ in ITEMS
    ]
    assert meeting.local_start.hour == 9 and meeting.time_zone == "America/Toronto"

    # Two actions in the register, one for the delegate.
    for description in ACTIONS:
        page.goto(base + "/admin/actions/new/")
        page.locator("#id_meeting").select_option(label=f"{TITLE}, {day:%-d %b %Y}")
        page.locator("#id_description").fill(description)
        page.locator("#id_owner").select_option(label="Dev Delegate")
        page.locator("#id_due_date").fill(f"{day + datetime.timedelta(days=30):%Y-%m-%d}")
        page.keyboard.press("Escape")
        page.get_by_role("button", name="Create", exact=True).click()
        expect(page.get_by_text(re.compile("created"))).to_be_visible()
    assert ActionItem.objects.filter(meeting=meeting).count() == 2
    sign_out(page, "Sam")

    # The delegate sees the meeting and both actions on the dashboard.
    sign_in(page, base, "dev")
    meetings_panel = page.get_by_role("region", name="My upcoming meetings")
    expect(meetings_panel.get_by_role("link", name=TITLE)).to_be_visible()
    expect(meetings_panel).to_contain_text("09:00–11:00")
    actions_panel = page.get_by_role("region", name="My open actions")
    for description in ACTIONS:
        expect(actions_panel.get_by_role("link", name=description)).to_be_visible()
    screenshot("meeting-delegate-dashboard")
    sign_out(page, "Dev")

    # The public listing and page show the meeting and its public items only.
    page.goto(base + "/meetings/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.uuid}/$"))
    expect(page.locator("main")).to_contain_text("Potency assay matrices")
    expect(page.locator("main")).to_contain_text("Long-term follow-up durations")
    expect(page.locator("main")).not_to_contain_text("Clinic enforcement cases")
    for description in ACTIONS:
        expect(page.locator("body")).not_to_contain_text(description)
    screenshot("meeting-public-page")
