"""A delegate generates a briefing from the meeting form, waits for it, and downloads it."""

import re

import docx
import pytest
from playwright.sync_api import expect

from liaison.models import AgendaItem
from tests.browser.admin_session import sign_in
from tests.factories import make_user
from tests.liaison.factories import make_meeting, make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_delegate_generates_waits_for_and_downloads_a_briefing(live_server, page, screenshot):
    delegate = make_user("Liaison delegates", username="dev", first_name="Dev")
    meeting = make_meeting(
        make_regulator(), title="Annual Cell Therapy Liaison Meeting", delegation=[delegate]
    )
    AgendaItem.objects.create(meeting=meeting, title="Potency assay matrices", sort_order=0)
    base = live_server.url

    sign_in(page, base, "dev")
    page.goto(f"{base}/admin/snippets/liaison/meeting/inspect/{meeting.pk}/")
    page.get_by_role("button", name="Generate delegate briefing").click()
    expect(page.get_by_text("Delegate briefing queued")).to_be_visible()

    # The worker builds it; reload until the download appears, as a user would.
    download_link = page.get_by_role("link", name="Download .docx")
    for _ in range(20):
        if download_link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(download_link).to_be_visible()
    screenshot("briefing-ready")

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert re.fullmatch(r".+\.docx", download.suggested_filename)
    document = docx.Document(str(download.path()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Annual Cell Therapy Liaison Meeting" in text
    assert "Potency assay matrices" in text
