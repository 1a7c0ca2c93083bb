from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = "Liaison"

    def ready(self):
        # Signal receivers: deletes that would orphan meeting history are refused, and
        # meeting changes send calendar invitations.
        from liaison.calendars import invitations  # noqa: F401
        from liaison.meetings import protection  # noqa: F401
