from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "vanban.evidence"
    label = "evidence"
    verbose_name = "Bằng chứng gửi nhận"

    def ready(self) -> None:
        """Sign a tree head at every scheduled checkpoint moment (R7.2, docs/adr/0010)."""
        from vanban.audit.schedule import register_tick_hook
        from vanban.evidence.services import tree_head_tick

        register_tick_hook("evidence.tree_head", tree_head_tick)
