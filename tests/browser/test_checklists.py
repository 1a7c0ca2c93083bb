"""The meeting form's checkbox lists in Chromium: the filter hides what does not match but
never what is ticked, the count follows the ticks, a new agenda item's list works too, and
nothing breaks the Content-Security-Policy."""

import datetime

import pytest
from playwright.sync_api import expect

from advocacy.models import PositionPage
from liaison.models import Contact, Meeting
from tests.browser.admin_session import sign_in
from tests.browser.test_meeting_journey import add_agenda_item
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import make_meeting, make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DELEGATES = [
    ("Dana", "Ng"),
    ("Eli", "Ross"),
    ("Farah", "Nguyen"),
    ("Gus", "Hale"),
    ("Hana", "Ito"),
    ("Ivan", "Petrov"),
    ("Jo", "Kim"),
    ("Kofi", "Mensah"),
    ("Lea", "Moreau"),
]
POSITIONS = [
    "Potency assay matrices",
    "Long-term follow-up",
    "Vector shedding",
    "Accelerated approval",
    "Platform designation",
    "Hospital exemption",
    "Donor eligibility",
    "Comparability after change",
    "Real-world evidence",
]


def test_filtering_and_ticking_in_the_meeting_form(live_server, page, screenshot, csp_violations):
    regulator = make_regulator()
    make_user("Secretariat", username="sam", first_name="Sam", last_name="Secretary")
    delegates = {
        first: make_user("Liaison delegates", first_name=first, last_name=last)
        for first, last in DELEGATES
    }
    for n in range(12):
        Contact.objects.create(name=f"Contact {n}", job_title="Reviewer", regulator=regulator)
    index = make_position_index()
    for title in POSITIONS:
        make_position(
            index,
            title=title,
            policy_status=PositionPage.Status.ADOPTED,
            adopted_on=datetime.date(2024, 1, 1),
        )
    meeting = make_meeting(regulator, delegation=[delegates["Eli"]])

    sign_in(page, live_server.url, "sam")
    # Ticking a regulator still fills the empty time-zone box (meeting_time_zone.js).
    page.goto(f"{live_server.url}/admin/snippets/liaison/meeting/add/")
    page.get_by_label("Health Canada BRDD", exact=True).check()
    expect(page.locator("#id_time_zone")).to_have_value("America/Toronto")

    page.goto(f"{live_server.url}/admin/snippets/liaison/meeting/edit/{meeting.pk}/")
    delegation = page.locator("fieldset").filter(has=page.locator("#id_delegation"))
    count = delegation.locator("[data-checklist-count]")
    expect(count).to_have_text("1 chosen")

    # Typing hides who does not match; Eli, ticked, stays in view and ticked.
    delegation.get_by_label("Filter delegation").fill("ng")
    expect(delegation.get_by_label("Dana Ng")).to_be_visible()
    expect(delegation.get_by_label("Farah Nguyen")).to_be_visible()
    expect(delegation.get_by_label("Gus Hale")).to_be_hidden()
    expect(delegation.get_by_label("Eli Ross")).to_be_visible()
    expect(delegation.get_by_label("Eli Ross")).to_be_checked()

    delegation.get_by_label("Dana Ng").check()
    expect(count).to_have_text("2 chosen")
    # Enter in the filter box does not submit the form.
    delegation.get_by_label("Filter delegation").press("Enter")
    expect(delegation.get_by_label("Gus Hale")).to_be_hidden()
    delegation.get_by_label("Filter delegation").fill("nobody")
    expect(delegation.get_by_text("Nothing matches.")).to_be_hidden()  # the ticked are shown
    delegation.get_by_label("Filter delegation").fill("")
    expect(delegation.get_by_label("Gus Hale")).to_be_visible()
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.locator("#id_regulators").scroll_into_view_if_needed()
        screenshot(f"checklists-meeting-form-what-{width}")
        delegation.scroll_into_view_if_needed()
        screenshot(f"checklists-meeting-form-who-{width}")

    # A list in an agenda item added after the page loaded works the same.
    add_agenda_item(page, 0)
    page.locator("#id_agenda_items-0-title").fill("Potency")
    cited = page.locator("fieldset").filter(has=page.locator("#id_agenda_items-0-cited_positions"))
    cited.get_by_label("Filter cited positions").fill("potency")
    expect(cited.get_by_label("Potency assay matrices")).to_be_visible()
    expect(cited.get_by_label("Vector shedding")).to_be_hidden()
    cited.get_by_label("Potency assay matrices").check()
    expect(cited.locator("[data-checklist-count]")).to_have_text("1 chosen")
    cited.get_by_label("Filter cited positions").fill("zzz")
    expect(cited.get_by_label("Potency assay matrices")).to_be_checked()
    expect(cited.get_by_label("Platform designation")).to_be_hidden()
    screenshot("checklists-agenda-item")

    # A filter never drops what is ticked: saving keeps everything ticked, hidden or not.
    delegation.get_by_label("Filter delegation").fill("hale")
    page.locator("button.action-save").click()
    expect(page.get_by_text("updated")).to_be_visible()
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert {u.first_name for u in meeting.delegation.all()} == {"Eli", "Dana"}
    [item] = meeting.agenda_items.all()
    assert [p.title for p in item.cited_positions.all()] == ["Potency assay matrices"]
    assert csp_violations == []
