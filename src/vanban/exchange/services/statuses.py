"""The recipient side's statuses (R7.1, R7.2): accepted (03) or rejected (02) by the clerk,
assigned (04), processing (05) and completed (06) by the head, delegate or specialist, and the
answer to a recall (15 agree, 16 refuse). Each flows back to the sender: at once for an internal
delivery (the sender reads the same row), through the outbox for one that came from a peer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction

from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Actor
from vanban.exchange.core import states
from vanban.exchange.models import Channel, Delivery
from vanban.exchange.services.common import (
    locked_delivery,
    record,
    require_recipient_side,
    transition_error,
)

_EVENTS = {states.Code.ARRIVED: "received", states.Code.REJECTED: "rejected",
           states.Code.ACCEPTED: "accepted", states.Code.RECALL_AGREED: "recall_accepted",
           states.Code.RECALL_REFUSED: "recall_refused",
           states.Code.RECALL_REQUESTED: "recall_requested"}
CLERK_CODES = frozenset({states.Code.REJECTED, states.Code.ACCEPTED})
HANDLER_CODES = frozenset({states.Code.ASSIGNED, states.Code.PROCESSING,
                           states.Code.COMPLETED})


def event_for(code: states.Code) -> str:
    """The evidence event type of a status code."""
    return _EVENTS.get(code, "status")


def stamp(delivery: Delivery, code: states.Code, at: datetime, reason: str) -> list[str]:
    """Set the time columns a code fills (R7.1); returns the fields changed."""
    fields = ["state", "before_recall", "status_at", "reason"]
    delivery.status_at = at
    if reason:
        delivery.reason = reason[:500]
    if code is states.Code.ARRIVED and delivery.received_at is None:
        delivery.received_at = at
        fields.append("received_at")
    elif code is states.Code.ACCEPTED:
        delivery.acknowledged_at = at
        fields.append("acknowledged_at")
    elif code is states.Code.REJECTED:
        delivery.rejected_at = at
        fields.append("rejected_at")
    elif code is states.Code.RECALL_REQUESTED:
        delivery.recall_requested_at = at
        fields.append("recall_requested_at")
    elif code in (states.Code.RECALL_AGREED, states.Code.RECALL_REFUSED):
        delivery.recall_answered_at = at
        fields.append("recall_answered_at")
        if code is states.Code.RECALL_AGREED:
            delivery.withdrawn_at = at
            fields.append("withdrawn_at")
    return fields


def delivery_status_set(*, actor: Actor | None, delivery: Delivery, code: str,
                        reason: str = "", relies_on: Mapping[str, Any] | None = None) -> Delivery:
    """Set 02/03 (the recipient's clerk) or 04/05/06 (its head, delegate or specialist).
    ``relies_on``: what the decision rests on, kept in its evidence record (the verification's
    evidence record for 02/03, R7.2)."""
    action = "exchange.delivery_status_set"
    try:
        wanted = states.normalise_code(code)
    except states.InvalidTransition:
        wanted = None
    if wanted not in CLERK_CODES | HANDLER_CODES:
        raise ValidationFailed(f"Mã trạng thái “{code}” không đặt được ở đây.",
                               f"Status code “{code}” cannot be set here.", code="bad_code")
    assert wanted is not None  # noqa: S101 - narrowed by the check above
    require_recipient_side(actor, action, delivery, handler=wanted in HANDLER_CODES)
    reason = " ".join(reason.split())[:500]
    if wanted is states.Code.REJECTED and not reason:
        raise ValidationFailed("Cần nêu lý do từ chối.", "A reason for the rejection is needed.",
                               code="missing_reason")
    return _apply_local(actor, delivery, wanted, reason, relies_on)


def delivery_accept(*, actor: Actor | None, delivery: Delivery,
                    relies_on: Mapping[str, Any] | None = None) -> Delivery:
    """03: the recipient's clerk accepted and registered the document."""
    return delivery_status_set(actor=actor, delivery=delivery, code=states.Code.ACCEPTED,
                               relies_on=relies_on)


def delivery_reject(*, actor: Actor | None, delivery: Delivery, reason: str,
                    relies_on: Mapping[str, Any] | None = None) -> Delivery:
    """02: the recipient's clerk refuses it, with the reason (sent back to the sender)."""
    return delivery_status_set(actor=actor, delivery=delivery, code=states.Code.REJECTED,
                               reason=reason, relies_on=relies_on)


def delivery_recall_answer(*, actor: Actor | None, delivery: Delivery, agree: bool,
                           reason: str = "") -> Delivery:
    """15 (agree: the recipient's copy is withdrawn) or 16 (refuse), by the recipient's clerk."""
    require_recipient_side(actor, "exchange.delivery_recall_answer", delivery)
    code = states.Code.RECALL_AGREED if agree else states.Code.RECALL_REFUSED
    return _apply_local(actor, delivery, code, " ".join(reason.split())[:500])


def _apply_local(actor: Actor | None, delivery: Delivery, code: states.Code,
                 reason: str, relies_on: Mapping[str, Any] | None = None) -> Delivery:
    with transaction.atomic():
        delivery = locked_delivery(delivery)
        if delivery.transmission.frozen_at is not None and delivery.transmission.origin == "":
            raise transition_error(states.InvalidTransition(states.State(delivery.state), code))
        try:
            step = states.apply(states.State(delivery.state), code,
                                before_recall=_before(delivery))
        except states.InvalidTransition as err:
            raise transition_error(err) from None
        now = clock.now()
        delivery.state = step.state
        delivery.before_recall = step.before_recall or ""
        fields = stamp(delivery, code, now, reason)
        delivery.save(update_fields=fields)
        record(actor=actor, event=event_for(code), delivery=delivery, at=now, reason=reason,
               extra={**(relies_on or {}), "code": str(code)})
        if delivery.transmission.origin and delivery.transmission.channel != Channel.MAIL:
            # came from a peer or the axis: tell the sender's system (mail has no statuses)
            from vanban.exchange.services.outbox import enqueue_status

            enqueue_status(delivery=delivery, code=code, reason=reason, at=now,
                           from_sender=False, actor=actor)
        return delivery


def _before(delivery: Delivery) -> states.State | None:
    return states.State(delivery.before_recall) if delivery.before_recall else None
