import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms import society
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
        parser.add_argument(
            "--zone",
            default=None,
            help="Also show the meeting in this IANA time zone as the reader's own time "
            "(e.g. Europe/Paris). Without it, the copy shows the delegation's zones.",
        )

    def handle(self, meeting, audience, output, zone=None, **options):
        if meeting.isascii() and meeting.isdigit():
            lookup = {"pk": storable_id(meeting)}
        else:
            lookup = {"uuid": self.parse_uuid(meeting)}
        found = Meeting.objects.filter(**lookup).values_list("pk", flat=True).first()
        if found is None:
            raise CommandError(f"No meeting with id or UUID {meeting!r}.")
        if zone and not document.time_zone_known(zone):
            raise CommandError(f"{zone!r} is not a time zone name such as Europe/Paris.")
        org = society.current()
        body = document.build(
            data.load(found, base_url=settings.BASE_URL),
            audience,
            society=org,
            logo=society.logo_png(org),
            reader_zone=zone,
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
