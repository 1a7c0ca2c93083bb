from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "advocacy"
    verbose_name = "Advocacy"

    def ready(self):
        # Positions are searched by the names of their jurisdictions' regulators.
        from advocacy import signals

        signals.connect()
