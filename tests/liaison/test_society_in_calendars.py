"""Calendars and invitations speak for the society of Settings ▸ Society: feed names, file
names and the sender of invitations. PRODID stays the software's."""

import icalendar
from django.test import override_settings

from liaison.calendars import feeds
from liaison.calendars.ics_writer import PRODID
from tests.factories import SOCIETY, make_society
from tests.liaison.feeds import FeedTestCase
from tests.liaison.invitations import InvitationTestCase, by_recipient, event_of, parse


def calendar(response):
    return icalendar.Calendar.from_ical(response.content)


class FeedNamesTestCase(FeedTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_society()

    def test_every_feed_is_named_after_the_society(self):
        feeds_and_names = [
            ("/calendar/public.ics", "SCGTP: meetings with regulators", "scgtp-meetings.ics"),
            (
                "/calendar/regulators/fda-cber.ics",
                "SCGTP: meetings with FDA CBER",
                "fda-cber-meetings.ics",
            ),
            (
                f"/calendar/feed/{feeds.issue_token(user=self.delegate)}.ics",
                "SCGTP: my meetings",
                "scgtp-my-meetings.ics",
            ),
            (
                f"/calendar/feed/{feeds.issue_token(subscriber=self.subscriber)}.ics",
                "SCGTP: meetings with regulators",
                "scgtp-my-meetings.ics",
            ),
        ]
        for url, name, filename in feeds_and_names:
            response = self.get(url)
            self.assertEqual(response.status_code, 200, url)
            parsed = calendar(response)
            self.assertEqual(str(parsed["X-WR-CALNAME"]), name, url)
            self.assertEqual(str(parsed["NAME"]), name, url)
            self.assertEqual(str(parsed["PRODID"]), PRODID, url)
            self.assertEqual(response["Content-Disposition"], f'inline; filename="{filename}"')
            self.assertNotIn("Liaise", str(parsed["X-WR-CALNAME"]))

    def test_renaming_the_society_changes_the_etag_and_the_name(self):
        first = self.get("/calendar/public.ics")

        make_society(short_name="", name="Gene Therapy Policy Forum")
        response = self.get("/calendar/public.ics", if_none_match=first["ETag"])

        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response["ETag"], first["ETag"])
        self.assertEqual(
            str(calendar(response)["X-WR-CALNAME"]),
            "Gene Therapy Policy Forum: meetings with regulators",
        )


@override_settings(SITE_NAME="Fallback Society")
class FeedFallbackTestCase(FeedTestCase):
    def test_without_a_society_the_site_name_stands_in(self):
        response = self.get("/calendar/public.ics")

        self.assertEqual(
            str(calendar(response)["X-WR-CALNAME"]), "Fallback Society: meetings with regulators"
        )
        self.assertEqual(
            response["Content-Disposition"], 'inline; filename="fallback-society-meetings.ics"'
        )


@override_settings(DEFAULT_FROM_EMAIL="noreply@scgtp.example.org")
class InvitationFromTheSocietyTestCase(InvitationTestCase):
    def test_an_invitation_names_the_society_not_the_software(self):
        self.confirm()

        for recipient, message in by_recipient().items():
            parsed = parse(message)
            subject = parsed["Subject"]
            sender = parsed["From"].addresses[0]
            body = parsed.get_body(("plain",)).get_content()
            self.assertTrue(subject.startswith("[SCGTP] Invitation: "), subject)
            self.assertEqual(sender.display_name, "Sam Lee via SCGTP")
            self.assertEqual(sender.addr_spec, "noreply@scgtp.example.org")
            lines = body.rstrip("\n").split("\n")
            signature = lines[lines.index("-- ") + 1 :]
            self.assertEqual(
                signature,
                [SOCIETY["name"], *SOCIETY["postal_address"].splitlines(), SOCIETY["website"]],
                recipient,
            )
            for text in (subject, str(parsed["From"]), body):
                self.assertNotIn("Liaise", text, recipient)
            # The organiser is still the person, under their own name.
            _calendar, event = event_of(message)
            self.assertEqual(event["ORGANIZER"].params["CN"], "Sam Lee")
