from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "vanban.exchange"
    label = "exchange"
    verbose_name = "Trục liên thông"

    def ready(self) -> None:
        """Push checkpoints to the witness peers at every scheduled moment (R14.3)."""
        from vanban.audit.schedule import register_tick_hook
        from vanban.exchange.services.witness import witness_push_all

        register_tick_hook("exchange.witnesses", witness_push_all)
