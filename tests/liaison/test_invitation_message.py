"""The invitation e-mail: its MIME layout, the calendar inside (read back with icalendar,
vobject and ical.js), text outside ASCII, and what external attendees never see."""

from liaison.models import Contact
from tests.js import icaljs
from tests.liaison.calendar_readers import read_vobject
from tests.liaison.invitations import (
    CANARY,
    UTC,
    InvitationTestCase,
    addresses,
    by_recipient,
    calendar_of,
    event_of,
    parse,
)


class InvitationMessageTestCase(InvitationTestCase):
    def test_mime_layout(self):
        self.confirm()
        message = by_recipient()["dana@example.org"]
        parsed = parse(message)

        self.assertEqual(parsed.get_content_type(), "multipart/mixed")
        alternative, attachment = parsed.get_payload()
        self.assertEqual(alternative.get_content_type(), "multipart/alternative")
        text, calendar = alternative.get_payload()
        self.assertEqual(text.get_content_type(), "text/plain")
        self.assertEqual(calendar.get_content_type(), "text/calendar")
        self.assertEqual(calendar.get_param("method"), "REQUEST")
        self.assertEqual(calendar.get_content_charset(), "utf-8")
        self.assertEqual(attachment.get_content_type(), "application/ics")
        self.assertEqual(attachment.get_filename(), "invite.ics")
        # The same calendar (the attachment keeps the CRLF line ends byte for byte).
        ics = attachment.get_content()
        self.assertTrue(ics.startswith(b"BEGIN:VCALENDAR\r\n"))
        self.assertEqual(ics.replace(b"\r\n", b"\n"), calendar.get_content().encode("utf-8"))

        self.assertEqual(parsed["To"].addresses[0].addr_spec, "dana@example.org")
        self.assertEqual(parsed["From"].addresses[0].display_name, "Sam Lee via SCGTP")
        self.assertEqual(parsed["From"].addresses[0].addr_spec, "noreply@localhost")
        self.assertEqual(parsed["Reply-To"].addresses[0].addr_spec, "sam@example.org")

    def test_the_calendar_is_a_request_from_the_organiser_to_every_recipient(self):
        meeting = self.confirm()

        for recipient, message in by_recipient().items():
            calendar, event = event_of(message)
            self.assertEqual(str(calendar["METHOD"]), "REQUEST")
            self.assertEqual(str(event["UID"]), str(meeting.uuid))
            self.assertEqual(int(event["SEQUENCE"]), meeting.sequence)
            self.assertEqual(str(event["ORGANIZER"]), "mailto:sam@example.org")
            self.assertEqual(event["ORGANIZER"].params["CN"], "Sam Lee")
            attendees = event["ATTENDEE"]
            self.assertEqual(addresses(attendees), sorted(self.recipients))
            self.assertIn(recipient, addresses(attendees))
            self.assertNotIn("sam@example.org", addresses(attendees))
            for attendee in attendees:
                self.assertEqual(attendee.params["RSVP"], "TRUE")
                self.assertEqual(attendee.params["PARTSTAT"], "NEEDS-ACTION")

            parsed = read_vobject(calendar_of(message))
            self.assertEqual(parsed.method.value, "REQUEST")
            vevent = parsed.vevent
            self.assertEqual(vevent.uid.value, str(meeting.uuid))
            self.assertEqual(vevent.organizer.value, "mailto:sam@example.org")
            self.assertEqual(
                sorted(a.value.removeprefix("mailto:") for a in vevent.attendee_list),
                sorted(self.recipients),
            )
            self.assertEqual(vevent.dtstart.value.astimezone(UTC), meeting.starts_at)

        # Thunderbird's parser reads the attached file the same way.
        ics = next(p for p in parse(message).walk() if p.get_filename() == "invite.ics")
        parsed = icaljs.parse(ics.get_content())
        self.assertEqual(parsed["method"], "REQUEST")
        (event,) = parsed["events"]
        self.assertEqual((event["uid"], event["sequence"]), (str(meeting.uuid), meeting.sequence))
        self.assertEqual(event["start"], "2026-12-10T15:00:00.000Z")

    def test_names_and_titles_outside_ascii_survive(self):
        self.meeting.title = "Réunion de liaison, Santé Canada: thérapies géniques"
        self.meeting.save()
        Contact.objects.filter(pk=self.contact.pk).update(name='Zoë "Z" Łukasiewicz, PhD')
        meeting = self.confirm()

        message = by_recipient()["rita.osei@fda.example"]
        parsed = parse(message)
        self.assertEqual(parsed["To"].addresses[0].display_name, "Zoë Z Łukasiewicz, PhD")
        self.assertIn("Réunion de liaison", parsed["Subject"])
        part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
        self.assertEqual(part.get_param("method"), "REQUEST")
        _, event = event_of(message)
        self.assertEqual(str(event["SUMMARY"]), meeting.title)
        names = {a.params.get("CN") for a in event["ATTENDEE"]}
        self.assertIn("Zoë Z Łukasiewicz, PhD", names)
        read_vobject(calendar_of(message))

    def test_external_attendees_never_see_confidential_content(self):
        self.confirm()
        external = by_recipient()["rita.osei@fda.example"]
        delegate = by_recipient()["dana@example.org"]

        raw = external.message().as_bytes()
        parsed = parse(external)
        texts = [
            part.get_content() if part.get_content_maintype() == "text" else ""
            for part in parsed.walk()
            if not part.is_multipart()
        ]
        attachment = next(p for p in parsed.walk() if p.get_filename() == "invite.ics")
        for text in [raw.decode("utf-8", "replace"), *texts, attachment.get_content().decode()]:
            self.assertNotIn(CANARY, text)
        self.assertIn("Potency matrices", external.body)
        self.assertIn("Join online: https://meet.example/abc", external.body)
        self.assertNotIn("as a member of the delegation", external.body)
        # The delegation does get it, marked.
        self.assertIn(CANARY, delegate.body)
        self.assertIn(CANARY, calendar_of(delegate).decode().replace("\r\n ", ""))
