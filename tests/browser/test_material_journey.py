"""A delegate attaches papers to a meeting in Chromium: uploads a file for an agenda item, then
chooses a document through Wagtail's chooser, under the admin's Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from liaison.meetings import materials
from liaison.models import AgendaItem, MeetingMaterial
from tests.browser.admin_session import sign_in
from tests.factories import make_user
from tests.liaison.factories import make_meeting, make_regulator
from tests.liaison.materials import make_document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_delegate_uploads_and_chooses_papers(live_server, page, csp_violations, screenshot):
    delegate = make_user("Liaison delegates", username="dana", first_name="Dana")
    meeting = make_meeting(make_regulator(), title="Summer liaison", delegation=[delegate])
    item = AgendaItem.objects.create(meeting=meeting, title="Potency assays", sort_order=0)
    slides = make_document("Regulator slides", uploaded_by=delegate)
    base = live_server.url
    add = f"{base}/admin/liaison/meetings/{meeting.pk}/materials/add/"

    sign_in(page, base, "dana")
    page.goto(f"{add}?agenda_item={item.pk}&next=/admin/")
    expect(page.get_by_label("Agenda item")).to_have_value(str(item.pk))
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "assay-survey.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1"}]
    )
    page.get_by_label("Invitees too").check()
    screenshot("material-upload")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{base}/admin/")
    expect(page.get_by_text("“assay survey” is attached.")).to_be_visible()

    uploaded = MeetingMaterial.objects.get(meeting=meeting, document__title="assay survey")
    assert (uploaded.agenda_item, uploaded.audience) == (item, "invitees")
    assert uploaded.document.collection == materials.collection()

    page.goto(f"{add}?next=/admin/")
    page.get_by_role("button", name="Choose a document").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("link", name="Regulator slides").click()
    expect(modal).to_be_hidden()
    expect(page.locator("#id_document-title")).to_have_text("Regulator slides")
    page.get_by_label("The delegation only").check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{base}/admin/")

    chosen = MeetingMaterial.objects.get(meeting=meeting, document=slides)
    assert (chosen.agenda_item, chosen.audience) == (None, "delegation")
    assert csp_violations == []
