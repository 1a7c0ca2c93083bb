"""The asks ledger from start to finish in the browser: the Secretariat puts an ask on a
meeting's agenda and records the regulator's answer in the meeting form, the delegate
briefing shows the ask, the ask is closed as met (refused without evidence, taken with it),
and a visitor on a phone finds it on the public impact page with its evidence."""

import datetime

import docx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from liaison.asks import events
from liaison.models import AgendaItem, Ask
from tests.browser.admin_session import sign_in
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_user
from tests.liaison.factories import make_meeting, make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
EVIDENCE = "https://www.federalregister.gov/documents/2026/11/02/potency-assurance"


def test_an_ask_goes_from_the_agenda_to_the_impact_page(live_server, page, screenshot):
    secretariat = make_user("Secretariat", username="sam", first_name="Sam")
    regulator = make_regulator("FDA CBER OTP", "America/New_York", listed=True)
    meeting = make_meeting(
        regulator,
        title="FDA OTP liaison meeting",
        starts_at=timezone.now() - datetime.timedelta(days=3),
        status="held",
        visibility="public",
        delegation=[secretariat],
    )
    AgendaItem.objects.create(meeting=meeting, title="Potency assay matrices", sort_order=0)
    ask = events.create(
        title="Accept a potency assay matrix",
        regulators=[regulator],
        visibility="public",
        desired_outcome="A matrix of assays as the potency release test.",
    )
    base = live_server.url
    sign_in(page, base, "sam")

    # The meeting form: the ask goes on the agenda item, with the regulator's answer.
    page.goto(f"{base}/admin/snippets/liaison/meeting/edit/{meeting.pk}/")
    item = page.locator("#inline_child_agenda_items-0")
    item.get_by_role("button", name="Add ask").click()
    item.get_by_role("button", name="Choose ask").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("link", name=str(ask)).click()
    expect(modal).to_be_hidden()
    page.locator("#id_agenda_items-0-ask_links-0-answer").fill(
        "FDA will accept a justified matrix in the potency guidance."
    )
    page.locator("#id_agenda_items-0-ask_links-0-answer_public").check()
    page.locator("button.action-save").click()
    expect(page.get_by_text(f"Recorded in the asks ledger: {ask.reference}")).to_be_visible()
    screenshot("asks-meeting-saved")

    ask.refresh_from_db()
    assert ask.status == "answered"
    assert ask.raised_on == meeting.local_start.date()

    # The delegate briefing shows the ask under its item, with its history.
    page.get_by_role("button", name="Generate delegate briefing").click()
    word_link = page.get_by_role("link", name="Download Word")
    for _ in range(40):
        if word_link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    with page.expect_download() as info:
        word_link.first.click()
    document = docx.Document(str(info.value.path()))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert f"Ask {ask.reference}: Accept a potency assay matrix (answered)" in text
    assert "FDA will accept a justified matrix in the potency guidance." in text

    # Closing as met needs evidence.
    page.goto(f"{base}/admin/asks/ref/{ask.reference}/")
    expect(page.get_by_role("heading", name=ask.reference)).to_be_visible()
    page.get_by_role("link", name="Close").click()
    page.get_by_label("Met", exact=True).check()
    page.locator("#id_visibility").select_option("public")
    page.get_by_role("button", name="Close it").click()
    expect(page.get_by_text("Closing an ask as met needs evidence")).to_be_visible()
    assert Ask.objects.get(pk=ask.pk).status == "answered"
    page.locator("#id_evidence_url").fill(EVIDENCE)
    page.locator("#id_evidence_title").fill("Potency Assurance; Final Guidance")
    page.locator("#id_evidence_on").fill(f"{timezone.localdate():%Y-%m-%d}")
    page.locator("#id_text").click()
    page.get_by_role("button", name="Close it").click()
    expect(page.locator("[data-ask-status]")).to_have_text("Met")
    expect(page.get_by_role("link", name="Potency Assurance; Final Guidance")).to_be_visible()
    screenshot("asks-closed-met")

    # A visitor on a phone: the impact page, then the ask with its evidence.
    visitor = page.context.browser.new_page(viewport=PHONE)
    visitor.goto(f"{base}/impact/")
    listed = visitor.locator(f"[data-ask='{ask.reference}']")
    expect(listed).to_contain_text("Met")
    expect(listed).to_contain_text("Accept a potency assay matrix")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visitor.screenshot(path=str(SCREENSHOTS / "asks-impact-phone.png"), full_page=True)
    listed.get_by_role("link", name="Accept a potency assay matrix").click()
    expect(
        visitor.get_by_role("link", name="Potency Assurance; Final Guidance")
    ).to_have_attribute("href", EVIDENCE)
    expect(visitor.get_by_text("FDA will accept a justified matrix")).to_be_visible()
    visitor.close()
