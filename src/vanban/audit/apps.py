from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vanban.audit"
    label = "audit"
    verbose_name = "Nhật ký kiểm toán"

    def ready(self) -> None:
        """Seal what a process appended when it ends cleanly (R14.3, docs/adr/0010)."""
        from vanban.audit import schedule

        schedule.install_exit_hooks()
