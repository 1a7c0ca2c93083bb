"""What the invitation tests share: a meeting with a delegation and external attendees that
is about to be confirmed, and helpers that read the e-mails sent and their calendars.

Invitations are sent on purpose: saving a meeting sends nothing (``save`` checks it), and the
Secretariat then sends what the meeting calls for (``send``, or ``confirm`` for both). A send
writes its delivery rows in its own transaction; they are sent when it commits (``send``
commits, see ``tests.outbox.committed``), and whatever could not be sent then is sent by the
sweep (``sweep``), run as the schedule runs it, every minute."""

import contextlib
import datetime
import email
import email.policy
import smtplib
from unittest import mock

import icalendar
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import TestCase

from liaison.calendars import ics
from liaison.calendars import invitations as invites
from liaison.models import AgendaItem, Contact, InviteDelivery, Meeting
from tests.factories import make_society, make_user
from tests.liaison.factories import make_meeting, make_regulator
from tests.outbox import committed

UTC = datetime.UTC
S = Meeting.Status
D = InviteDelivery.Status
CANARY = "CANARY-confidential-7f3a"
SMTP_DOWN = mock.patch(
    "django.core.mail.EmailMessage.send",
    side_effect=smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
)
# The broker cannot be reached: the hint after a commit is lost (and logged).
BROKER_DOWN = mock.patch(
    "django_q.tasks.async_task", side_effect=ConnectionError("Error 111 connecting to redis")
)


def parse(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def calendar_of(message):
    """The text/calendar alternative of a sent e-mail, as bytes."""
    for part in parse(message).walk():
        if part.get_content_type() == "text/calendar":
            return part.get_content().encode("utf-8")
    raise AssertionError("no text/calendar part")


def event_of(message):
    calendar = icalendar.Calendar.from_ical(calendar_of(message))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def addresses(values):
    if not isinstance(values, list):
        values = [values]
    return sorted(str(v).removeprefix("mailto:").lower() for v in values)


def by_recipient():
    return {message.to[0].split("<")[-1].rstrip(">"): message for message in mail.outbox}


class InvitationTestCase(TestCase):
    """The meeting about to be confirmed; no tests of its own."""

    @classmethod
    def setUpTestData(cls):
        make_society()
        cls.regulator = make_regulator("FDA CBER", "America/New_York")
        cls.organiser = make_user(
            "Secretariat", email="sam@example.org", first_name="Sam", last_name="Lee"
        )
        cls.dana = make_user(
            "Liaison delegates", email="dana@example.org", first_name="Dana", last_name="Ng"
        )
        cls.eli = make_user("Liaison delegates", email="eli@example.org", first_name="Eli")
        cls.inactive = make_user("Liaison delegates", email="gone@example.org", is_active=False)
        cls.no_email = make_user("Liaison delegates", email="")
        cls.contact = Contact.objects.create(
            name="Dr Rita Osei", email="rita.osei@fda.example", regulator=cls.regulator
        )
        cls.no_email_contact = Contact.objects.create(name="No Address", regulator=cls.regulator)
        cls.meeting = make_meeting(
            cls.regulator,
            title="Potency assay liaison",
            organiser=cls.organiser,
            # The organiser on the delegation stays ORGANIZER and gets no invite.
            delegation=[cls.organiser, cls.dana, cls.eli, cls.inactive, cls.no_email],
            location="White Oak, Building 71",
            join_url="https://meet.example/abc",
            objectives=f"Objectives {CANARY}",
            starts_at=datetime.datetime(2026, 12, 10, 15, tzinfo=UTC),
        )
        cls.meeting.attendees.set([cls.contact, cls.no_email_contact])
        cls.meeting.agenda_items = [
            AgendaItem(title="Potency matrices", ask="Accept matrices", sort_order=0),
            AgendaItem(
                title=f"Pricing strategy {CANARY}",
                ask=f"Ask {CANARY}",
                confidential=True,
                sort_order=1,
            ),
        ]
        cls.meeting.save()
        cls.recipients = {"dana@example.org", "eli@example.org", "rita.osei@fda.example"}

    @contextlib.contextmanager
    def queues_nothing(self):
        """The block (a save, a change of who is invited, an admin form) writes no delivery
        row, changes none, and sends no e-mail: only a send does."""
        rows = set(InviteDelivery.objects.values_list("pk", "status", "sequence", "updated_at"))
        sent = len(mail.outbox)
        yield
        self.assertEqual(
            set(InviteDelivery.objects.values_list("pk", "status", "sequence", "updated_at")),
            rows,
            "a change queued invitations by itself",
        )
        self.assertEqual(len(mail.outbox), sent, "a change sent e-mail by itself")

    def save(self, meeting=None, **changes):
        """Change the meeting and commit; that alone queues and sends nothing (checked)."""
        meeting = meeting or self.meeting
        with self.queues_nothing(), committed():
            for name, value in changes.items():
                setattr(meeting, name, value)
            meeting.save()
        return meeting

    def send(self, meeting=None, *, by=None, note=""):
        """Send the meeting's invitations as the Secretariat does (by default as the
        organiser), in a transaction that commits: the worker then sends what it queued. The
        number of e-mails queued."""
        meeting = meeting or self.meeting
        with committed():
            # As the send view does: the meeting as stored, read for the calendar.
            stored = ics.for_calendar(Meeting.objects.filter(pk=meeting.pk)).get()
            return invites.queue(stored, sent_by=by or self.organiser, note=note)

    def confirm(self):
        """Confirm the meeting (which sends nothing), then send its invitations."""
        meeting = self.save(status=S.CONFIRMED)
        self.send(meeting)
        return meeting

    def sweep(self):
        """The every-minute sweep (the schedule of liaison.tasks.send_due_invitations): the
        number of invitations it sent."""
        return invites.send_due_invitations()


LOG_URL = "/admin/invitations/"


def send_url(meeting):
    """The page that previews a meeting's next send and sends it."""
    return f"{LOG_URL}send/{meeting.pk}/"


class DeliveryLogTestCase(InvitationTestCase):
    """Besides the meeting: the Secretariat, a reader of the log, and a delivery of a
    confidential meeting the reader may not see."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.secretariat = make_user("Secretariat")
        readers = Group.objects.create(name="Invitation log readers")
        readers.permissions.add(
            Permission.objects.get(codename="view_invitedelivery"),
            Permission.objects.get(codename="view_meeting"),
            Permission.objects.get(codename="access_admin"),
        )
        cls.reader = make_user("Invitation log readers")
        cls.secret = make_meeting(
            cls.regulator,
            title="Secret strategy session",
            organiser=cls.organiser,
            visibility=Meeting.Visibility.CONFIDENTIAL,
        )
        InviteDelivery.objects.create(
            meeting=cls.secret,
            recipient_email="hidden@example.org",
            sequence=cls.secret.sequence,
            method="REQUEST",
            status=D.SENT,
        )

    def delivery(self, email="dana@example.org"):
        return InviteDelivery.objects.get(recipient_email=email, meeting=self.meeting)
