import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.validators import storable_id
from liaison.briefings import data, document
from liaison.models import Briefing, Meeting


class Command(BaseCommand):
    help = "Write a meeting's briefing (Word .docx) to a file."

    def add_arguments(self, parser):
        parser.add_argument("meeting", help="The meeting's id or UUID.")
        parser.add_argument(
            "--audience", choices=Briefing.Audience.values, default=Briefing.Audience.DELEGATE
        )
        parser.add_argument("-o", "--output", required=True, help="File to write (.docx).")

    def handle(self, meeting, audience, output, **options):
        if meeting.isascii() and meeting.isdigit():
            lookup = {"pk": storable_id(meeting)}
        else:
            lookup = {"uuid": self.parse_uuid(meeting)}
        found = Meeting.objects.filter(**lookup).values_list("pk", flat=True).first()
        if found is None:
            raise CommandError(f"No meeting with id or UUID {meeting!r}.")
        body = document.build(
            data.load(found, base_url=settings.BASE_URL),
            audience,
            organisation=settings.SITE_NAME,
        )
        try:
            with open(output, "wb") as fh:
                fh.write(body)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        self.stdout.write(f"Wrote {len(body):,} bytes to {output}")

    def parse_uuid(self, value):
        try:
            return uuid.UUID(value)
        except ValueError:
            raise CommandError(f"{value!r} is neither a meeting id nor a UUID.") from None
