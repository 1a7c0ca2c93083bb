from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = "Liaison"

    def ready(self):
        from wagtail.models import ReferenceIndex

        # Signal receivers: deletes that would orphan meeting history, or leave a meeting
        # in invitees' calendars, are refused. (Nothing is sent on save: invitations are
        # sent on purpose, from the meeting.)
        from liaison.asks import protection as ask_protection  # noqa: F401
        from liaison.calendars import invitations  # noqa: F401
        from liaison.meetings import protection  # noqa: F401
        from liaison.meetings.models import MeetingMaterial

        # Wagtail's reference index then records which meetings use a document: its Usage
        # tab lists them, and the delete page says the document is in use.
        ReferenceIndex.register_model(MeetingMaterial)
