import re

import pytest
from playwright.sync_api import expect

from advocacy.models import HomePage, PositionIndexPage
from tests.factories import PASSWORD, SOCIETY, make_society, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_visitor_opens_the_home_page(live_server, page, screenshot):
    home = HomePage.objects.get()
    home.title = "Cell and Gene Therapy Society"
    home.intro = "<p>We publish the positions we take with regulators.</p>"
    home.save_revision().publish()
    home.add_child(instance=PositionIndexPage(title="Policy positions", slug="positions"))

    page.goto(live_server.url + "/")

    expect(page).to_have_title(re.compile("Cell and Gene Therapy Society"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cell and Gene Therapy Society")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Positions")).to_have_attribute("href", "/positions/")
    # The stylesheet is served and applied: the header is the brand colour, not default white.
    header_colour = page.locator(".site-header").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert header_colour == "rgb(8, 57, 62)"
    # Keyboard users reach the skip link first, and it is visible when focused.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0
    screenshot("home-page")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(nav.get_by_role("link", name="Positions")).to_be_visible()
    screenshot("home-page-mobile")


def test_a_policy_editor_signs_in_to_the_dashboard(live_server, page, screenshot):
    make_society()
    make_user("Policy editors", username="elliot", first_name="Elliot")

    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign in to {SOCIETY['name']}")
    page.get_by_label("Username").fill("elliot")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server.url + "/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text(SOCIETY["name"])
    expect(page.locator("main").get_by_text("Elliot", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Pages")).to_be_visible()
    screenshot("admin-dashboard-editor")


def test_a_wrong_password_is_refused_with_a_message(live_server, page):
    make_user("Policy editors", username="elliot")

    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("elliot")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Your username and password didn't match.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/login/"))
