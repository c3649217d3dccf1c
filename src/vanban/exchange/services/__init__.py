"""Writes of the exchange hub: sending, statuses, recall and revocation, the outbox worker,
federation and peers. Each runs in one transaction with its evidence and audit records."""

from vanban.exchange.services.outbox import outbox_retry_now, outbox_run
from vanban.exchange.services.peers import peer_add, peer_route
from vanban.exchange.services.sending import (
    delivery_recall_request,
    transmission_revoke,
    transmission_send,
)
from vanban.exchange.services.statuses import (
    delivery_accept,
    delivery_recall_answer,
    delivery_reject,
    delivery_status_set,
)

__all__ = [
    "delivery_accept",
    "delivery_recall_answer",
    "delivery_recall_request",
    "delivery_reject",
    "delivery_status_set",
    "outbox_retry_now",
    "outbox_run",
    "peer_add",
    "peer_route",
    "transmission_revoke",
    "transmission_send",
]
