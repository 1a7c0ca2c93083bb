from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = "Liaison"

    def ready(self):
        from liaison import protection  # noqa: F401  (connects the pre_delete guards)
