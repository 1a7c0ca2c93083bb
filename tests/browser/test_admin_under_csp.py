"""The Wagtail admin and the public site work in Chromium under their Content-Security-Policy:
signing in, the dashboard, a page editor (rich text, a chooser, the preview), a meeting's
form and the public home page raise no CSP violation."""

import datetime

import pytest
from playwright.sync_api import expect

from advocacy.models import HomePage
from tests.browser.admin_session import sign_in
from tests.factories import make_position, make_position_index, make_user
from tests.liaison.factories import make_meeting, make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def settle(page):
    page.wait_for_load_state("networkidle")


def test_the_admin_and_the_site_raise_no_csp_violation(live_server, page, csp_violations):
    base = live_server.url
    home = HomePage.objects.get()
    index = make_position_index()
    position = make_position(index, title="Potency matrix position")
    meeting = make_meeting(
        make_regulator(),
        title="Ottawa potency liaison",
        visibility="public",
        starts_at=datetime.datetime(2030, 6, 9, 13, tzinfo=datetime.UTC),
    )
    make_user(superuser=True, username="ada", first_name="Ada")

    # The sign-in page and the dashboard.
    sign_in(page, base, "ada")
    expect(page.get_by_role("button", name="Pages")).to_be_visible()
    settle(page)

    # A page editor: type into the rich-text field, then link the text through the chooser.
    response = page.goto(f"{base}/admin/pages/{home.pk}/edit/")
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]
    editor = page.locator("[data-contentpath='intro'] [contenteditable='true']")
    editor.click()
    page.keyboard.type("We publish the positions we take with regulators.")
    expect(editor).to_contain_text("We publish the positions")
    page.keyboard.press("ControlOrMeta+a")
    page.get_by_role("button", name="Link").first.click()
    modal = page.locator(".modal-dialog")
    expect(modal.get_by_role("heading", name="Choose a page")).to_be_visible()
    # A second step inside the modal, loaded and run by the chooser's own scripts.
    modal.get_by_role("link", name="Explore").first.click()
    expect(modal.get_by_role("link", name="Policy positions")).to_be_visible()
    settle(page)
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()

    # Another page's editor: a page chooser panel and the live preview.
    page.goto(f"{base}/admin/pages/{position.pk}/edit/")
    page.get_by_role("button", name="Choose a page").first.click()
    expect(modal).to_be_visible()
    settle(page)
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", level=1)).to_have_text("Potency matrix position")
    settle(page)

    # A meeting's form: inline panels and date pickers run inline scripts.
    page.goto(f"{base}/admin/snippets/liaison/meeting/edit/{meeting.pk}/")
    expect(page.locator("#id_title")).to_have_value("Ottawa potency liaison")
    page.locator("#id_local_start").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Add Agenda item").click()
    expect(page.locator("#id_agenda_items-0-title")).to_be_visible()
    settle(page)

    # The public home page, with the userbar of a signed-in editor.
    response = page.goto(base + "/")
    assert "script-src 'self';" in response.headers["content-security-policy"] + ";"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    settle(page)

    assert csp_violations == []

    # The watch works: an inline script on the public site is refused and reported.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.append(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.injected") is None
    assert [v.get("directive") for v in csp_violations if "directive" in v] == ["script-src-elem"]


def test_the_lock_out_page_says_when_to_try_again(live_server, page, csp_violations, screenshot):
    from django.conf import settings

    make_user(superuser=True, username="ada", first_name="Ada")
    attempts = settings.LOGIN_THROTTLE[0][1]
    page.goto(live_server.url + "/admin/login/")
    for n in range(attempts):
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill(f"wrong-{n}")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    notice = page.get_by_role("alert").filter(has_text="Too many failed sign-in attempts")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Try again after")
    expect(page.get_by_label("Username")).to_have_value("ada")
    settle(page)
    screenshot("admin-login-locked-out")
    assert csp_violations == []
