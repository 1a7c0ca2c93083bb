"""A liaison meeting run from its page, in Chromium, on a desk and on a 390 px phone: the
Secretariat creates it (the zone defaulted from the regulator), adds agenda items, an action
and a paper, previews and sends the invitations; an external attendee declines through the
link in the e-mail, without an account; a delegate reads the meeting on a phone; after the
meeting the Secretariat records who attended and what the regulator said."""

import datetime
import re
import time
from email.utils import parseaddr
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from liaison.models import ActionItem, Contact, Meeting, MeetingMaterial
from tests.browser.admin_session import sign_in, sign_out
from tests.browser.test_meeting_journey import add_agenda_item, tick
from tests.factories import make_user
from tests.liaison.factories import make_regulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "PMDA consultation on conditional approval"
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def wait_for_mail(count, timeout=10):
    """The worker runs in the server's thread (django-q2 sync in tests): wait for it."""
    deadline = timezone.now() + datetime.timedelta(seconds=timeout)
    while len(mail.outbox) < count and timezone.now() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) >= count, [m.subject for m in mail.outbox]


def test_a_meeting_is_prepared_sent_answered_read_and_recorded_from_its_page(
    live_server, page, browser, screenshot, tmp_path
):
    pmda = make_regulator("PMDA", "Asia/Tokyo")
    make_regulator("Health Canada BRDD", "America/Toronto")
    make_user(
        "Secretariat",
        username="sam",
        first_name="Sam",
        last_name="Secretary",
        email="sam@society.example",
    )
    make_user(
        "Liaison delegates",
        username="dev",
        first_name="Dev",
        last_name="Delegate",
        email="dev@society.example",
    )
    Contact.objects.create(
        name="Dr Aiko Tanaka", job_title="Reviewer", regulator=pmda, email="aiko@pmda.example"
    )
    base = live_server.url
    day = timezone.localdate() + datetime.timedelta(days=21)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)

    # --- The Secretariat creates the meeting: ticking PMDA fills in Tokyo's zone. ---------
    sign_in(page, base, "sam")
    page.goto(base + "/admin/snippets/liaison/meeting/add/")
    page.locator("#id_title").fill(TITLE)
    page.get_by_role("checkbox", name="PMDA", exact=True).check()
    expect(page.locator("#id_time_zone")).to_have_value("Asia/Tokyo")
    page.locator("#id_status").select_option("confirmed")
    page.locator("#id_local_start").fill(f"{day:%Y-%m-%d} 10:00")
    page.locator("#id_local_end").fill(f"{day:%Y-%m-%d} 12:00")
    page.keyboard.press("Escape")
    page.locator("#id_location").fill("PMDA, Shin-Kasumigaseki Building, Tokyo")
    page.locator("#id_organiser").select_option(label="Sam Secretary")
    for person in ("Dev Delegate", re.compile("Dr Aiko Tanaka")):
        tick(page, person)
    for n, (title, minutes) in enumerate(
        [("Conditional approval pathway", "40"), ("Post-marketing data", "30")]
    ):
        add_agenda_item(page, n)
        page.locator(f"#id_agenda_items-{n}-title").fill(title)
        page.locator(f"#id_agenda_items-{n}-duration_minutes").fill(minutes)
        page.locator(f"#id_agenda_items-{n}-ask").fill(f"Ask about {title.lower()}.")
    screenshot("workspace-1-create-form")
    page.locator("button.action-save").click()

    # Saving lands on the meeting's page, and sent nothing.
    meeting = Meeting.objects.get(title=TITLE)
    expect(page).to_have_url(re.compile(rf"/meeting/inspect/{meeting.pk}/$"))
    assert meeting.time_zone == "Asia/Tokyo" and meeting.local_start.hour == 10
    assert mail.outbox == []
    expect(page.locator("[data-meeting-time]")).to_contain_text("10:00–12:00 JST")
    expect(page.locator("#invitations")).to_contain_text("No invitation has been sent")

    # --- An action on the first item, from the page; the owner is told by e-mail. --------
    first = page.locator("[data-agenda-item]").first
    first.locator("[data-add-action]").click()
    expect(page.locator("#id_agenda_item")).to_have_value(
        str(meeting.agenda_items.order_by("sort_order").first().pk)
    )
    page.locator("#id_description").fill("Send PMDA the worked examples")
    page.locator("#id_owner").select_option(label="Dev Delegate")
    page.locator("#id_due_date").fill(f"{day + datetime.timedelta(days=14):%Y-%m-%d}")
    page.keyboard.press("Escape")
    page.get_by_role("button", name=re.compile("^(Create|Save)$")).click()
    expect(page).to_have_url(re.compile(rf"/meeting/inspect/{meeting.pk}/"))
    expect(page.locator("[data-agenda-item]").first).to_contain_text(
        "Send PMDA the worked examples"
    )
    assert ActionItem.objects.get().owner.username == "dev"
    wait_for_mail(1)
    assert parseaddr(mail.outbox[0].to[0])[1] == "dev@society.example"
    mail.outbox.clear()

    # --- A paper for invitees, uploaded from the page. ------------------------------------
    slides = tmp_path / "conditional-approval-slides.pdf"
    slides.write_bytes(b"%PDF-1.4\n% slides for PMDA\n")
    page.locator("[data-agenda-item]").first.locator("[data-attach-material]").click()
    expect(page).to_have_url(re.compile(r"/materials/add/"))
    page.locator("#id_file").set_input_files(str(slides))
    page.locator("input[name=audience][value=invitees]").check()
    page.get_by_role("button", name=re.compile("^(Attach|Save)")).click()
    expect(page).to_have_url(re.compile(rf"/meeting/inspect/{meeting.pk}/"))
    expect(page.locator("[data-agenda-item]").first).to_contain_text("conditional approval slides")
    assert MeetingMaterial.objects.get().audience == "invitees"
    screenshot("workspace-2-meeting-page")

    # --- Preview, then send: one e-mail each, whatever the double click. ------------------
    page.locator("#invitations").get_by_role("link", name=re.compile("Send invitations")).click()
    expect(page.locator("body")).to_contain_text("Dr Aiko Tanaka")
    screenshot("workspace-3-send-preview")
    page.get_by_role("button", name=re.compile("^Send")).dblclick()
    expect(page).to_have_url(re.compile(rf"/meeting/inspect/{meeting.pk}/"))
    wait_for_mail(2)
    time.sleep(1)  # a second send would have queued by now
    # One e-mail to each invitee, the double click notwithstanding.
    addresses = sorted(parseaddr(m.to[0])[1] for m in mail.outbox)
    assert addresses == ["aiko@pmda.example", "dev@society.example"]
    invitation = next(m for m in mail.outbox if "aiko@pmda.example" in m.to[0])
    assert "conditional approval slides" in invitation.body
    decline = re.search(r"^  Declined: (https?://\S+)$", invitation.body, re.M).group(1)
    sign_out(page, "Sam")

    # --- The attendee declines from the e-mail, with no account. --------------------------
    outsider = browser.new_context()
    reply = outsider.new_page()
    reply.goto(base + "/" + decline.split("://", 1)[1].split("/", 1)[1])
    # The link chose "Declined" already; the button records it.
    expect(reply.get_by_label("Declined")).to_be_checked()
    reply.get_by_role("button", name="Send my answer").click()
    expect(reply.locator("[data-saved]")).to_contain_text("declined")
    outsider.close()

    # --- A delegate reads the meeting on a phone. ----------------------------------------
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    sign_in(mobile, base, "dev")
    mobile.goto(base + f"/admin/snippets/liaison/meeting/inspect/{meeting.pk}/")
    expect(mobile.locator(".meeting-page__title")).to_have_text(TITLE)
    expect(mobile.locator("[data-agenda]")).to_contain_text("Ask about conditional approval")
    expect(mobile.locator("[data-attendees]")).to_contain_text("Declined")
    # Nothing wider than the phone: no sideways scrolling to read it.
    assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    mobile.screenshot(path=str(SCREENSHOTS / "workspace-4-delegate-phone.png"), full_page=True)
    phone.close()

    # --- After the meeting, the Secretariat records attendance and outcomes. --------------
    # The meeting took place: move it into the past as the clock would (update(): no new
    # version for the calendars, as time passing is not a change).
    past = timezone.now() - datetime.timedelta(hours=3)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=past, ends_at=past + datetime.timedelta(hours=2)
    )
    sign_in(page, base, "sam")
    page.goto(base + f"/admin/snippets/liaison/meeting/inspect/{meeting.pk}/")
    expect(page.locator("[data-record-prompt]")).to_be_visible()
    page.locator("[data-edit-meeting]").first.click()
    page.locator("#id_status").select_option("held")
    page.locator("label:has(input[name=delegates_present])", has_text="Dev Delegate").locator(
        "input"
    ).check()
    page.locator("#id_agenda_items-0-regulator_response").fill(
        "PMDA will accept a matrix with a bridging study."
    )
    page.locator("button.action-save").click()
    expect(page).to_have_url(re.compile(rf"/meeting/inspect/{meeting.pk}/"))
    expect(page.locator("[data-delegation]")).to_contain_text("Attended")
    expect(page.locator("[data-outcome]").first).to_contain_text("bridging study")
    screenshot("workspace-5-recorded")
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert [u.username for u in meeting.delegates_present.all()] == ["dev"]
