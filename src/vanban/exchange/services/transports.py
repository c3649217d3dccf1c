"""How outbox work leaves this installation: one registry of transports, so a new channel
plugs into the outbox (its retries, back-off, leases and idempotency) without a branch in it.

Two kinds of entry:

* a **peer transport** carries one built edXML body to a :class:`~vanban.exchange.models.Peer`
  and says how it went (:class:`Answer`); the peer's ``transport`` field chooses it. The
  federation's signed POST is registered here as ``"federation"``; the national axis adapters
  register ``"axis_spool"`` and ``"axis_http"``.
* an **outbox handler** works through outbox messages of a kind the hub does not carry itself
  (mail): :func:`~vanban.exchange.services.outbox.outbox_run` calls every registered handler
  each round with the batch size and the run's report, and the handler says how many messages
  it attempted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vanban.core.errors import ValidationFailed

if TYPE_CHECKING:
    from vanban.exchange.models import Peer


@dataclass(frozen=True)
class Answer:
    """What one attempt came to: delivered, or why not and whether a retry could change it."""

    ok: bool
    error: str = ""
    final: bool = False  # refused for good: not retried until an operator asks


@dataclass
class RunReport:
    """What one pass over the outbox did."""

    delivered: int = 0
    sent: int = 0
    duplicates: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Messages completed in this pass."""
        return self.delivered + self.sent


# (peer, body, kind "edoc" | "status" | "revoke") -> Answer
PeerSender = Callable[["Peer", bytes, str], Answer]
# (batch, report) -> how many messages were attempted
OutboxHandler = Callable[[int, RunReport], int]

_lock = threading.Lock()
_senders: dict[str, PeerSender] = {}
_handlers: dict[str, OutboxHandler] = {}


def register_peer_transport(name: str, sender: PeerSender) -> None:
    """Make ``sender`` the carrier for peers whose ``transport`` is ``name`` (a repeat of the
    same name replaces it: apps register in ``ready()``, which tests may run twice)."""
    with _lock:
        _senders[name] = sender


def register_outbox_handler(name: str, handler: OutboxHandler) -> None:
    """Have ``outbox_run`` call ``handler`` each round (a repeat of the name replaces it)."""
    with _lock:
        _handlers[name] = handler


def peer_sender(name: str) -> PeerSender:
    """The sender registered for transport ``name``."""
    with _lock:
        found = _senders.get(name)
    if found is None:
        raise ValidationFailed(f"Chưa có cách gửi “{name}” cho hệ thống nhận.",
                               f"No transport “{name}” is registered for the peer.",
                               code="unknown_transport")
    return found


def peer_transports() -> list[str]:
    """The names of the registered peer transports."""
    with _lock:
        return sorted(_senders)


def outbox_handlers() -> list[tuple[str, OutboxHandler]]:
    """The registered outbox handlers, by name."""
    with _lock:
        return sorted(_handlers.items())


def unregister(name: str) -> None:
    """Forget a transport or handler of that name (tests that register stand-ins)."""
    with _lock:
        _senders.pop(name, None)
        _handlers.pop(name, None)
