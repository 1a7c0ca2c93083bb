"""A delegate generates a briefing from the meeting form, waits for it, and downloads it as
Word and as PDF (converted by LibreOffice in the worker); then reads the panel on a phone."""

import re
import subprocess

import docx
import pytest
from playwright.sync_api import expect

from liaison.models import AgendaItem
from tests.browser.admin_session import sign_in
from tests.factories import make_user
from tests.liaison import test_briefing_pdf as lo
from tests.liaison.factories import make_meeting, make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def test_a_delegate_generates_waits_for_and_downloads_a_briefing(
    live_server, page, browser, screenshot
):
    lo.require_tools()  # the PDF is made by LibreOffice, read back with pdftotext
    delegate = make_user("Liaison delegates", username="dev", first_name="Dev")
    meeting = make_meeting(
        make_regulator(), title="Annual Cell Therapy Liaison Meeting", delegation=[delegate]
    )
    AgendaItem.objects.create(meeting=meeting, title="Potency assay matrices", sort_order=0)
    base = live_server.url
    meeting_url = f"{base}/admin/snippets/liaison/meeting/inspect/{meeting.pk}/"

    sign_in(page, base, "dev")
    page.goto(meeting_url)
    page.get_by_role("button", name="Generate delegate briefing").click()
    expect(page.get_by_text("Delegate briefing queued")).to_be_visible()

    # The worker builds it, then converts it; reload until both downloads appear, as a
    # user would.
    word_link = page.get_by_role("link", name="Download Word")
    pdf_link = page.get_by_role("link", name="Download PDF")
    for _ in range(40):
        if word_link.count() and pdf_link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(word_link).to_be_visible()
    expect(pdf_link).to_be_visible()
    screenshot("briefing-ready")
    lo.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("[data-briefings]").screenshot(path=str(lo.SCREENSHOTS / "briefing-panel.png"))

    with page.expect_download() as info:
        word_link.click()
    download = info.value
    word_name = download.suggested_filename
    assert re.fullmatch(r".+\.docx", word_name)
    document = docx.Document(str(download.path()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Annual Cell Therapy Liaison Meeting" in text
    assert "Potency assay matrices" in text

    with page.expect_download() as info:
        pdf_link.click()
    download = info.value
    assert download.suggested_filename == word_name.removesuffix(".docx") + ".pdf"
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF-")
    pdf_text = subprocess.run(
        [lo.PDFTOTEXT, str(download.path()), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert lo.squash("Annual Cell Therapy Liaison Meeting") in lo.squash(pdf_text)
    assert lo.squash("Potency assay matrices") in lo.squash(pdf_text)

    # The meeting changes: both downloads say they are out of date.
    meeting.refresh_from_db()
    meeting.title = "Annual Cell Therapy Liaison Meeting (moved)"
    meeting.save()
    page.reload()
    expect(page.get_by_role("link", name="Download Word (out of date)")).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF (out of date)")).to_be_visible()

    # On a phone: one block per briefing, nothing wider than the screen.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    sign_in(mobile, base, "dev")
    mobile.goto(meeting_url + "#briefings")
    row = mobile.locator("[data-briefing=delegate]")
    expect(row.get_by_role("link", name="Download PDF (out of date)")).to_be_visible()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for link in (row.locator("[data-download=docx]"), row.locator("[data-download=pdf]")):
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    row.scroll_into_view_if_needed()
    mobile.screenshot(path=str(lo.SCREENSHOTS / "briefing-panel-phone.png"), full_page=True)
    phone.close()
