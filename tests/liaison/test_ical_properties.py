"""liaison.ical on arbitrary text: whatever people type (or paste from Word) into a title, a
place, an agenda item or a name, the file parses with vobject (validating) and icalendar
and carries the text back, less the characters iCalendar forbids."""

import datetime
import re

import icalendar
from django.contrib.auth import get_user_model
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.calendars import ics as ical
from liaison.calendars import ics_writer
from liaison.models import AgendaItem, Contact, Meeting, Regulator
from tests.liaison.calendar_readers import read_vobject

UTC = datetime.UTC

# Any character (lone surrogates too), with the troublesome ones often enough to matter:
# controls, TEXT and parameter delimiters, line separators, emoji sequences and CJK.
TRICKY = list(
    "\x00\x01\x08\t\n\x0b\x0c\r\x1b\x1c\x1f\x7f\x85\u2028\u2029\ufeff\ufffe\uffff\ud800\udfff"
    ",;:\"\\^ ^n'<>&日本語漢字한국어"
) + ["😀", "👩‍👩‍👧", "🇨🇦", "\r\n", "^'", "\\n", "\\,", "e\u0301"]
text = st.lists(
    st.one_of(st.characters(exclude_categories=()), st.sampled_from(TRICKY)), max_size=40
).map("".join)
ZONES = ["America/Toronto", "Europe/Amsterdam", "Asia/Tokyo", "Australia/Lord_Howe", "UTC"]
FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def meeting_from(title, location, summary, agenda, name, zone, start):
    meeting = Meeting(
        title=title,
        time_zone=zone,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=90),
        location=location,
        public_summary=summary,
        objectives=summary,
        join_url="https://meet.example/j/1",
        visibility=Meeting.Visibility.PUBLIC,
        status=Meeting.Status.HELD,  # so the summary is in the calendar too
        updated_at=datetime.datetime(2026, 1, 1, tzinfo=UTC),
    )
    meeting.regulators = [Regulator(name=name, acronym=name)]
    meeting.agenda_items = [
        AgendaItem(title=t, sort_order=i, confidential=i == 1, ask=t) for i, t in enumerate(agenda)
    ]
    meeting.attendees = [Contact(name=name, email="attendee@example.org")]
    meeting.delegation = [get_user_model()(last_name=name, email="delegate@example.org")]
    meeting.organiser = get_user_model()(first_name=name, email="organiser@example.org")
    return meeting


@settings(max_examples=100, deadline=None)
@given(
    title=text,
    location=text,
    summary=text,
    agenda=st.lists(text, max_size=3),
    name=text,
    zone=st.sampled_from(ZONES),
    start=st.datetimes(
        min_value=datetime.datetime(2000, 1, 1),
        max_value=datetime.datetime(2060, 12, 31),
        timezones=st.just(UTC),
    ).map(lambda moment: moment.replace(microsecond=0)),  # the admin stores whole minutes
    audience=st.sampled_from(list(ical.Audience)),
)
def test_any_text_gives_a_valid_file_that_carries_it_back(
    title, location, summary, agenda, name, zone, start, audience
):
    meeting = meeting_from(title, location, summary, agenda, name, zone, start)
    data = ical.calendar_bytes([meeting], audience, name=title, url_for=lambda m: "https://x/")

    assert FORBIDDEN.search(data) is None
    lines = data.split(b"\r\n")
    assert lines[-1] == b""
    for line in lines:
        assert len(line) <= 75
        assert b"\n" not in line and b"\r" not in line
        line.decode("utf-8")

    line_of = ical.clean_line
    expected_summary = line_of(title) or ical.UNTITLED
    delegation = audience == ical.Audience.DELEGATION
    agenda_lines = [
        f"- {'[Confidential] ' if i == 1 else ''}{line_of(t)}"
        for i, t in enumerate(agenda)
        if delegation or i != 1
    ]

    calendar = read_vobject(data)
    if line_of(title):
        assert calendar.contents["x-wr-calname"][0].value == line_of(title)
        assert calendar.contents["name"][0].value == line_of(title)
    (event,) = calendar.vevent_list
    assert event.summary.value == expected_summary
    assert event.dtstart.value.astimezone(UTC) == start
    assert event.dtend.value.astimezone(UTC) == start + datetime.timedelta(minutes=90)
    if line_of(location):
        assert event.location.value == line_of(location)
    description = event.description.value
    for agenda_line in agenda_lines:
        assert agenda_line in description
    if ical.clean_text(summary).strip("\n"):
        assert ical.clean_text(summary).strip("\n") in description
    people = audience in (ical.Audience.INVITEE, ical.Audience.DELEGATION)
    # The delegate, then the external attendee; Django strips the delegate's full name.
    names = [ical.display_name(name.strip()), ical.display_name(name)]
    if people:
        cns = [a.params.get("CN", [""])[0] for a in event.attendee_list]
        assert cns == names

    calendar = icalendar.Calendar.from_ical(data)
    (parsed,) = calendar.events
    assert str(parsed["SUMMARY"]) == expected_summary
    assert parsed.DTSTART.astimezone(UTC) == start
    assert str(parsed.get("DESCRIPTION")) == description
    # icalendar leaves NAME and X-WR-CALNAME escaped (vUnknown): compare the escaped form.
    if line_of(title):
        assert calendar["X-WR-CALNAME"].to_ical().decode() == ics_writer._text(line_of(title))
    if people:
        assert [a.params.get("CN", "") for a in parsed["ATTENDEE"]] == names
