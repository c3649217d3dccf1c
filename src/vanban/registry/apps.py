"""The registry app: outgoing documents, their numbering, signing and approval (R3, R6, R9)."""

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """Registers the approval-step checker with the audit verifier (docs/adr/0008)."""

    name = "vanban.registry"
    label = "registry"
    verbose_name = "Văn bản và sổ đăng ký"

    def ready(self) -> None:
        """``vanban audit verify`` also checks every approval step and note against its event."""
        from vanban.audit.verify import register_record_checker
        from vanban.registry.integrity import check_steps

        register_record_checker("registry.approval_step", check_steps)
