import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from liaison.briefings import document as builder
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
        lookup = {"pk": meeting} if meeting.isdigit() else {"uuid": self.parse_uuid(meeting)}
        found = Meeting.objects.filter(**lookup).values_list("pk", flat=True).first()
        if found is None:
            raise CommandError(f"No meeting with id or UUID {meeting!r}.")
        data = builder.build(
            builder.load(found),
            audience,
            organisation=settings.SITE_NAME,
            base_url=settings.BASE_URL,
        )
        try:
            with open(output, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        self.stdout.write(f"Wrote {len(data):,} bytes to {output}")

    def parse_uuid(self, value):
        try:
            return uuid.UUID(value)
        except ValueError:
            raise CommandError(f"{value!r} is neither a meeting id nor a UUID.") from None
