"""Helpers shared by the hub's services: who may act, and the record every event leaves.

Every event of a delivery (sent, received, accepted, rejected, a status, a recall, a
withdrawal) is written twice inside the caller's transaction: an evidence record in the Merkle
log (what a third party verifies, R7.2) and an event in the audit chain (R14.3).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from django.db import transaction

from vanban.audit.services import audit_append, audit_refusal
from vanban.core.errors import Conflict, DomainError, forbidden, not_found
from vanban.core.roles import Actor, Role
from vanban.evidence.services import evidence_append
from vanban.exchange.core.states import InvalidTransition, label
from vanban.exchange.models import Delivery, OutboxMessage, Transmission

OBJECT_TRANSMISSION = "exchange.transmission"
OBJECT_DELIVERY = "exchange.delivery"


def actor_id(actor: Actor | None) -> int | None:
    """The user id of the actor (None for the console operator and the worker)."""
    return int(str(actor.pk)) if actor is not None and actor.pk is not None else None


def is_clerk_of(actor: Actor | None, agency_id: int) -> bool:
    """The agency's clerk (or the console operator)."""
    return actor is None or (actor.agency_id == agency_id and actor.has_role(Role.CLERK))


def is_handler_of(actor: Actor | None, agency_id: int) -> bool:
    """Staff of the agency may report 04, 05 and 06: who holds the work (a head, a specialist, a
    clerk made lead…) is the workflow's rule (R8.1), which is the only caller."""
    return actor is None or actor.agency_id == agency_id


def refuse(actor: Actor | None, action: str, error: DomainError, *, object_type: str,
           object_id: object, agency_code: str) -> DomainError:
    """Audit a refused attempt in its own transaction (it survives the error) and return it."""
    return audit_refusal(actor=actor, error=error, action=action, object_type=object_type,
                         object_id=object_id, agency_code=agency_code)


def require_recipient_side(actor: Actor | None, action: str, delivery: Delivery, *,
                           handler: bool = False) -> None:
    """Only the recipient agency's clerk (or, with ``handler``, its head/delegate/specialist)."""
    agency_id = delivery.recipient_id
    code = delivery.recipient.code
    if actor is not None and actor.agency_id != agency_id:
        raise refuse(actor, action, not_found("văn bản đến", "Delivery"),
                     object_type=OBJECT_DELIVERY, object_id=delivery.uid, agency_code=code)
    allowed = is_handler_of(actor, agency_id) if handler else is_clerk_of(actor, agency_id)
    if not allowed:
        raise refuse(actor, action, forbidden(), object_type=OBJECT_DELIVERY,
                     object_id=delivery.uid, agency_code=code)


def require_sender_clerk(actor: Actor | None, action: str, transmission: Transmission) -> None:
    """Only the sending agency's clerk (another agency's transmission is "not found")."""
    agency_id = transmission.sender_id
    code = transmission.sender.code
    if actor is not None and actor.agency_id != agency_id:
        raise refuse(actor, action, not_found("văn bản đã gửi", "Transmission"),
                     object_type=OBJECT_TRANSMISSION, object_id=transmission.message_id,
                     agency_code=code)
    if not is_clerk_of(actor, agency_id):
        raise refuse(actor, action, forbidden(), object_type=OBJECT_TRANSMISSION,
                     object_id=transmission.message_id, agency_code=code)


def wrong_state(state: str, code: str) -> Conflict:
    """A status that cannot be set in the delivery's state."""
    return Conflict(
        f"Không thể chuyển sang trạng thái {code} khi văn bản đang ở trạng thái "
        f"“{label(state)}”.",
        f"Status {code} is not possible while the delivery is “{label(state, 'en')}”.",
        code="wrong_state", state=state)


def transition_error(err: InvalidTransition) -> Conflict:
    """The domain error for an invalid state-machine step."""
    return wrong_state(str(err.state), err.code)


def locked_delivery(delivery: Delivery) -> Delivery:
    """Re-read a delivery under a row lock, for a state change."""
    return (Delivery.objects.select_for_update(of=("self",))
            .select_related("transmission__sender", "recipient").get(pk=delivery.pk))


def record(*, actor: Actor | None, event: str, delivery: Delivery, at: datetime,
           reason: str = "", extra: dict[str, Any] | None = None,
           audit: bool = True) -> None:
    """Evidence record + audit event of one delivery event, in the caller's transaction."""
    transmission = delivery.transmission
    sender = transmission.sender.code
    recipient = delivery.recipient.code
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() must run inside the event's transaction")
    evidence_append(event=event, at=at, sender=sender, recipient=recipient,
                    transmission_id=str(transmission.message_id),
                    delivery_id=str(delivery.uid), document_sha256=transmission.file_sha256,
                    reason=reason, extra=extra or None)
    if audit:
        audit_append(actor=actor, action=f"exchange.delivery_{event}",
                     object_type=OBJECT_DELIVERY, object_id=delivery.uid,
                     agency_code=recipient if event != "sent" else sender,
                     data={"sender": sender, "recipient": recipient, "state": delivery.state,
                           "reason": reason, **(extra or {})})


def wake_worker() -> None:
    """Ask the background worker to look at the outbox once this transaction commits.

    Only a nudge: ``vanban exchange worker`` finds the work anyway; nothing depends on it.
    """
    if os.environ.get("VANBAN_EXCHANGE_WAKE", "1") == "0":
        return  # the worker alone carries the outbox (benchmarks measure it that way)

    def enqueue() -> None:
        from vanban.exchange.tasks import exchange_wake

        try:
            exchange_wake.enqueue()
        except Exception:
            import logging

            logging.getLogger(__name__).warning("could not enqueue the exchange wake task",
                                                exc_info=True)

    transaction.on_commit(enqueue)


def verify_after_commit(transmission_ids: set[int]) -> None:
    """Once the arrival commits, verify the arrived documents (R4.2) in the background: one
    verification per document and sender, however many recipients; a failure here only
    leaves the inbox to verify on first view."""
    if not transmission_ids:
        return

    def enqueue() -> None:
        from vanban.exchange.tasks import verify_arrived

        try:
            verify_arrived.enqueue(sorted(transmission_ids))
        except Exception:
            import logging

            logging.getLogger(__name__).warning("could not verify arrived documents",
                                                exc_info=True)

    transaction.on_commit(enqueue)


def outbox_pending() -> int:
    """How many outbox messages are not done yet."""
    return OutboxMessage.objects.filter(done_at__isnull=True).count()
