"""Canaries: unique strings planted in everything the public must never see, on a site with
public, members-only and confidential meetings and the positions they cite.

Used by the leak walk over the public site (test_public_leaks.py) and over the calendar feeds
(test_feed_leaks.py)."""

import datetime
import uuid

from django.test import TestCase

from advocacy.models import HomePage, ResponseIndexPage
from liaison.models import ActionItem, AgendaItem, Contact
from tests.factories import make_position, make_position_index, make_response, make_user, publish
from tests.liaison.factories import make_meeting, make_regulator


def canary(label):
    return f"canary{label}{uuid.uuid4().hex[:10]}"


class PlantedCanariesTestCase(TestCase):
    """The planted site; no tests of its own, so each subclass runs only its own tests."""

    @classmethod
    def setUpTestData(cls):
        cls.canaries = {}

        def plant(label):
            cls.canaries[label] = canary(label)
            return cls.canaries[label]

        index = make_position_index()
        cls.position = make_position(index, title="Potency assurance")
        cls.quiet_position = make_position(index, title="Vector shedding")
        responses = publish(
            HomePage.objects.get().add_child(
                instance=ResponseIndexPage(title="Responses", slug="consultation-responses")
            )
        )
        cls.response = make_response(responses, relies_on=[cls.position])

        regulator = make_regulator(listed=True)
        delegate = make_user(
            "Liaison delegates",
            username=plant("username"),
            first_name=plant("firstname"),
            last_name=plant("lastname"),
        )
        organiser = make_user("Secretariat", first_name=plant("organiser"))
        contact = Contact.objects.create(name=plant("attendee"), regulator=regulator)

        cls.public = make_meeting(
            regulator,
            title="Summer liaison",
            starts_at=datetime.datetime(2026, 6, 9, 13, tzinfo=datetime.UTC),
            visibility="public",
            delegation=[delegate],
            join_url=f"https://{plant('joinurl')}.example.com/j/1",
            objectives=plant("objectives"),
            organiser=organiser,
        )
        cls.public.attendees.set([contact])
        cls.public.save()
        cls.held = make_meeting(
            regulator,
            title="Spring liaison",
            starts_at=datetime.datetime(2026, 3, 3, 14, tzinfo=datetime.UTC),
            visibility="public",
            status="held",
            public_summary="We agreed to share assay examples.",
        )
        private_fields = ["ask", "background", "talking_points"]
        outcome_fields = ["decision", "regulator_response", "outcome_notes"]
        cls.item(
            cls.public,
            title="Potency assays",
            presenter="Dr Priya Shah",
            positions=[cls.position],
            **{f: plant(f"open{f}") for f in private_fields + outcome_fields},
        )
        cls.item(
            cls.public,
            title=plant("secretitem"),
            confidential=True,
            positions=[cls.position],
            presenter=plant("secretpresenter"),
            **{f: plant(f"secret{f}") for f in private_fields + outcome_fields},
        )
        # The held meeting raised the quiet position only in a confidential item.
        cls.item(
            cls.held, title=plant("helditem"), confidential=True, positions=[cls.quiet_position]
        )
        ActionItem.objects.create(meeting=cls.public, description=plant("action"), owner=delegate)

        cls.members = make_meeting(
            regulator,
            title=plant("memberstitle"),
            visibility="members",
            location=plant("memberslocation"),
            public_summary=plant("memberssummary"),
        )
        cls.item(cls.members, title=plant("membersitem"), positions=[cls.position])
        cls.secret = make_meeting(
            regulator,
            title=plant("confidentialtitle"),
            visibility="confidential",
            starts_at=datetime.datetime(2026, 3, 10, 14, tzinfo=datetime.UTC),
        )
        cls.item(cls.secret, title=plant("confidentialitem"), positions=[cls.position])
        cls.outsider = make_user()

    @staticmethod
    def item(meeting, positions=(), **fields):
        agenda_item = AgendaItem.objects.create(meeting=meeting, **fields)
        agenda_item.cited_positions.set(positions)
        agenda_item.save()
