from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "vanban.exchange"
    label = "exchange"
    verbose_name = "Trục liên thông"

    def ready(self) -> None:
        """Push checkpoints to the witness peers at every scheduled moment (R14.3); carry
        outbox work to the national axis through its adapters and offer it as a source of the
        national agency list."""
        from vanban.audit.schedule import register_tick_hook
        from vanban.directory import national
        from vanban.exchange.axis.adapters import TRANSPORTS, national_agencies, send
        from vanban.exchange.services.transports import register_peer_transport
        from vanban.exchange.services.witness import witness_push_all

        register_tick_hook("exchange.witnesses", witness_push_all)
        for transport in TRANSPORTS:
            register_peer_transport(transport, send)
        national.register_source("axis", national_agencies)
