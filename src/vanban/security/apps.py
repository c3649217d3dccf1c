from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "vanban.security"
    label = "security"
    verbose_name = "An toàn thông tin"

    def ready(self) -> None:
        """Register the deployment check that warns when no malware scanner is configured."""
        from vanban.security import checks  # noqa: F401 - registers on import
