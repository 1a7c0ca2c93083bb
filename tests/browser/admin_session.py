"""Signing in to and out of the Wagtail admin in the browser."""

import re

from playwright.sync_api import expect

from tests.factories import PASSWORD


def sign_in(page, base_url, username):
    page.goto(base_url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base_url + "/admin/")


def sign_out(page, first_name):
    """Log out through the account menu at the foot of the admin sidebar."""
    page.get_by_role("button", name=first_name, exact=True).click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/admin/login/"))
