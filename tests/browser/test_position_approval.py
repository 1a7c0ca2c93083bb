"""A position goes from an editor's draft, through the policy committee, to the public site."""

import re
import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

from advocacy.models import HomePage, PositionIndexPage, PositionPage, Topic
from tests.browser.admin_session import sign_in, sign_out
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Harmonised potency assays for lentiviral vectors"
SLUG = "harmonised-potency-assays-for-lentiviral-vectors"
SEARCH_WORD = "lentiviral"
SUMMARY = (
    "Regulators should accept one potency assay package across jurisdictions. "
    "Duplicate assays delay access without adding safety."
)
SUBMIT = "Submit to Policy committee approval"


def feed_items(page, base_url):
    response = page.request.get(base_url + "/feeds/rss/")
    assert response.ok, response.status
    # Our own server's feed, not untrusted input.
    channel = ET.fromstring(response.body()).find("channel")
    return {item.findtext("title"): item for item in channel.iter("item")}


def test_an_editor_submits_a_position_and_the_committee_approves_it(
    live_server, page, screenshot, mailoutbox, csp_violations
):
    home = HomePage.objects.get()
    index = home.add_child(instance=PositionIndexPage(title="Policy positions", slug="positions"))
    index.save_revision().publish()
    Topic.objects.create(name="Potency assays", slug="potency-assays")
    make_user("Policy editors", username="elliot", first_name="Elliot")
    make_user("Policy approvers", username="amara", first_name="Amara")
    base = live_server.url
    public_url = f"{base}/positions/{SLUG}/"

    # The editor drafts the position under the index. Position page is the only type allowed
    # there, so "add child page" goes straight to its form.
    sign_in(page, base, "elliot")
    page.goto(f"{base}/admin/pages/{index.pk}/add_subpage/")
    expect(page).to_have_url(re.compile(rf"/admin/pages/add/advocacy/positionpage/{index.pk}/$"))
    page.get_by_role("textbox", name=re.compile(r"^Title")).fill(TITLE)
    page.get_by_role("textbox", name=re.compile(r"^Summary")).fill(SUMMARY)
    page.get_by_role("checkbox", name="Potency assays").check()

    # Editors cannot publish: the only way out of the draft is the committee.
    footer = page.get_by_role("navigation", name="Actions (footer)")
    footer.get_by_role("button", name="More actions").click()
    submit = footer.get_by_role("button", name=SUBMIT)
    expect(submit).to_be_visible()
    expect(footer.get_by_role("button", name=re.compile("Publish"))).to_have_count(0)
    submit.click()

    message = page.get_by_text(f"Page '{TITLE}' created and submitted for moderation.")
    # The message slides in from above; wait until it is wholly in view for the screenshot.
    expect(message).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text(
        re.compile("In moderation", re.IGNORECASE)
    )
    screenshot("position-approval-1-editor-submitted")

    position = PositionPage.objects.get(title=TITLE)
    assert position.slug == SLUG
    assert not position.live
    assert position.current_workflow_state.status == "in_progress"
    assert position.current_workflow_task.name == "Policy committee review"
    # The committee is told by e-mail; the editor is not.
    assert [m.to for m in mailoutbox] == [["amara@example.org"]]
    assert "submitted for approval" in mailoutbox[0].subject
    assert TITLE in mailoutbox[0].subject

    # Until the committee approves, the public sees nothing of it.
    sign_out(page, "Elliot")
    assert page.goto(public_url).status == 404
    page.goto(base + "/positions/")
    expect(page.get_by_role("status")).to_have_text("0 positions.")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
    assert TITLE not in feed_items(page, base)
    page.goto(f"{base}/search/?q={SEARCH_WORD}")
    expect(page.get_by_role("status")).to_have_text(f"0 results for “{SEARCH_WORD}”.")

    # A member of the committee finds it at the top of the dashboard, first of all panels.
    sign_in(page, base, "amara")
    review = page.get_by_role("region", name="Awaiting your review")
    expect(page.locator("[data-panel]").first).to_have_id("review-queue-section")
    row = review.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Position page")
    expect(row).to_contain_text("Elliot")
    expect(row).to_contain_text("Policy committee review")
    approve = row.get_by_role("button", name=f"Approve {TITLE}")
    expect(approve).to_be_visible()
    screenshot("position-approval-2-approver-dashboard")

    # "Request changes" asks for a comment in Wagtail's modal; the approver thinks better of it.
    row.get_by_role("button", name=f"Request changes to {TITLE}").click()
    modal = page.locator(".modal-dialog")
    expect(modal.get_by_role("heading", name="Request changes")).to_be_visible()
    expect(modal.get_by_label("Comment")).to_be_visible()
    modal.get_by_role("button", name="Close").click()
    expect(modal).to_be_hidden()

    # Approving is one click; the dashboard comes back saying what happened, queue empty.
    approve.click()
    expect(page).to_have_url(base + "/admin/")
    confirmation = page.get_by_role("status").get_by_text(
        f"Page '{TITLE}' has been approved and published."
    )
    expect(confirmation).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("status").get_by_role("link", name="View live")).to_have_attribute(
        "href", f"/positions/{SLUG}/"
    )
    expect(review).to_contain_text("Nothing is waiting for your review.")
    expect(review.get_by_role("row").filter(has_text=TITLE)).to_have_count(0)
    page.wait_for_load_state("networkidle")
    screenshot("position-approval-3-approver-confirmation")
    assert csp_violations == []
    position.refresh_from_db()
    assert position.live
    assert position.current_workflow_state is None
    assert mailoutbox[-1].to == ["elliot@example.org"]
    assert "has been approved" in mailoutbox[-1].subject

    page.goto(f"{base}/admin/pages/{index.pk}/")
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text(
        re.compile("Live", re.IGNORECASE)
    )
    screenshot("position-approval-4-approver-published")
    sign_out(page, "Amara")

    # Anyone can now read it, follow it in a feed reader and find it in search.
    page.goto(base + "/positions/")
    expect(page.get_by_role("status")).to_have_text("1 position.")
    link = page.get_by_role("link", name=TITLE)
    expect(link).to_be_visible()
    expect(page.get_by_text(SUMMARY)).to_be_visible()
    screenshot("position-approval-5-public-index")

    link.click()
    expect(page).to_have_url(public_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text(SUMMARY)).to_be_visible()
    expect(page.get_by_text("In consultation")).to_be_visible()
    expect(page.get_by_text("Potency assays", exact=True)).to_be_visible()
    screenshot("position-approval-6-public-position")

    item = feed_items(page, base)[TITLE]
    assert item.findtext("link").endswith(f"/positions/{SLUG}/")
    assert item.findtext("description") == f"In consultation. {SUMMARY}"
    assert item.findtext("category") == "Potency assays"

    page.goto(f"{base}/search/?q={SEARCH_WORD}")
    expect(page.get_by_role("status")).to_have_text(f"1 result for “{SEARCH_WORD}”.")
    expect(page.get_by_role("link", name=TITLE)).to_have_attribute("href", f"/positions/{SLUG}/")
    screenshot("position-approval-7-public-search")
    assert csp_violations == []
