from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "vanban.core"
    label = "core"
    verbose_name = "vanban core"

    def ready(self) -> None:
        """Register the installation checks; ``vanban migrate`` narrows file modes (R14.3)."""
        from vanban.core import checks

        post_migrate.connect(checks.tighten_home, dispatch_uid="vanban.core.tighten_home")
