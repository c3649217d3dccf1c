from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "vanban.signatures"
    label = "signatures"
    verbose_name = "Chữ ký số"

    def ready(self) -> None:
        """Register the key-store deployment check."""
        from vanban.signatures import checks  # noqa: F401  (registers on import)
