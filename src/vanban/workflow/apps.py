"""The workflow app: assignment, opinions, deadlines, work files (R8.1, R12.1, R14.2)."""

from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    """Registers the opinion checker with the audit verifier (docs/adr/0008), and tells the
    incoming policy who holds a work line (need-to-know, R16.2)."""

    name = "vanban.workflow"
    label = "workflow"
    verbose_name = "Xử lý văn bản"

    def ready(self) -> None:
        """``vanban audit verify`` also checks every opinion against its audit event."""
        from vanban.audit.verify import register_record_checker
        from vanban.workflow.integrity import check_opinions

        register_record_checker("workflow.opinion", check_opinions)

        from vanban.incoming.policy import holdings_register
        from vanban.workflow.selectors import held_incoming

        holdings_register(held_incoming)
