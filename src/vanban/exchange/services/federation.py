"""Receiving from a peer installation (``POST /exchange/federation/messages/``).

The request must name a configured peer and carry its Ed25519 signature over the exact body
(else 401, audited). The body is an edXML document message (new, update, replace, revoke) or a
status message; a broken one is refused with the codec's reason (400). Its sender agency must be
one the peer serves (else 403, audited: see :mod:`.federation_trust`). Each message is applied
once: its id is recorded with the change in one transaction, so a repeat (the peer's worker
retrying after a lost answer) is acknowledged and changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict
from vanban.directory.models import Agency
from vanban.exchange.arrivals import arrival_accept, edoc_arrival
from vanban.exchange.core import edxml, states
from vanban.exchange.core.status import StatusCode, StatusMessage
from vanban.exchange.core.trace import BusinessType
from vanban.exchange.models import (
    BusinessType as RowBusinessType,
)
from vanban.exchange.models import (
    Channel,
    Delivery,
    InboxMessage,
    Peer,
    Transmission,
)
from vanban.exchange.services.common import OBJECT_TRANSMISSION, record
from vanban.exchange.services.federation_trust import authenticate, speaker
from vanban.exchange.services.matching import sent_deliveries
from vanban.exchange.services.statuses import event_for, stamp


@dataclass(frozen=True)
class Receipt:
    """What the endpoint answers: applied now, or a repeat acknowledged."""

    message_id: str
    kind: str
    duplicate: bool


def federation_receive(*, installation: str, signature: str, body: bytes) -> Receipt:
    """Authenticate, parse and apply one message from a peer."""
    peer = authenticate(installation=installation, signature=signature, body=body)
    message = edxml.parse_message(body)
    sender = speaker(peer=peer, message=message)  # R14.3: only for the peer's own agencies
    key = message.message_id or hashlib.sha256(body).hexdigest()
    kind = "status" if isinstance(message, StatusMessage) else "edoc"
    if InboxMessage.objects.filter(peer=peer, message_key=key).exists():
        return Receipt(message_id=key, kind=kind, duplicate=True)
    if isinstance(message, edxml.EdocMessage) and message.business_type is not \
            BusinessType.REVOKE:
        return _receive_document(peer, message, key, sender, body)
    try:
        with transaction.atomic():
            if isinstance(message, StatusMessage):
                _apply_status(peer, message, sender)
            else:
                _apply_revoke(peer, message, sender)
            # Recorded with the change (one INSERT): its unique key turns a concurrent repeat
            # into an IntegrityError that rolls the whole change back.
            _remember(peer, kind, key, body, None)
    except IntegrityError:  # the same message, applied by a concurrent request
        if InboxMessage.objects.filter(peer=peer, message_key=key).exists():
            return Receipt(message_id=key, kind=kind, duplicate=True)
        raise
    return Receipt(message_id=key, kind=kind, duplicate=False)


def _receive_document(peer: Peer, message: edxml.EdocMessage, key: str, sender: Agency,
                      body: bytes) -> Receipt:
    """A document for our agencies, through the one arrival port (ADR 0015): every attachment
    through the intake (R16.1, R3.1) before anything is stored, all kept, the main one chosen
    by content; once per (peer, message id), whatever a repeat or a crash in between does."""
    arrival = edoc_arrival(message, channel=Channel.FEDERATED, origin=peer.installation_id,
                                key=key, sender=sender, raw=body,
                                evidence={"peer": peer.installation_id, "message_id": key})
    result = arrival_accept(arrival)
    try:
        with transaction.atomic():
            _remember(peer, "edoc", key, body, result.transmission)
    except IntegrityError:  # a concurrent repeat remembered it first
        pass
    return Receipt(message_id=key, kind="edoc", duplicate=result.duplicate)


def _remember(peer: Peer, kind: str, key: str, body: bytes,
              transmission: Transmission | None) -> None:
    InboxMessage.objects.create(
        peer=peer, kind=kind, message_key=key, transmission=transmission,
        body_sha256=hashlib.sha256(body).hexdigest(), received_at=clock.now())


def _origin_transmissions(peer: Peer, document_id: str, sender: Agency) -> list[Transmission]:
    """The peer's documents with this id sent by ``sender`` (a revocation or recall is the
    sending agency's own act)."""
    return list(Transmission.objects.filter(origin=peer.installation_id, sender=sender,
                                            edxml_document_id=document_id,
                                            business_type=RowBusinessType.NEW))


def _not_yet(document_id: str) -> Conflict:
    """Refers to a document we have not received (yet): 409, the peer retries later."""
    return Conflict(f"Chưa nhận văn bản “{document_id}”.",
                    f"Document “{document_id}” has not been received (yet).",
                    code="unknown_document")


def _apply_revoke(peer: Peer, message: edxml.EdocMessage, sender: Agency) -> None:
    """Revocation: our copies of the document are withdrawn (Decree 30/2020 Art. 18.4.b)."""
    document_id = message.business.document_id or message.document_id
    transmissions = _origin_transmissions(peer, document_id, sender)
    if not transmissions:
        raise _not_yet(document_id)
    now = clock.now()
    for transmission in transmissions:
        transmission.frozen_at = transmission.frozen_at or now
        transmission.reason = message.business.reason[:500]
        transmission.save(update_fields=["frozen_at", "reason"])
        for delivery in (transmission.deliveries.select_for_update(of=("self",))
                         .select_related("recipient")):
            delivery.transmission = transmission
            step = states.withdraw(states.State(delivery.state))
            if step.changed:
                delivery.state = step.state
                delivery.withdrawn_at = now
                delivery.reason = transmission.reason
                delivery.save(update_fields=["state", "withdrawn_at", "reason"])
                record(actor=None, event="withdrawn", delivery=delivery, at=now,
                       reason=delivery.reason, extra={"peer": peer.installation_id})


def _apply_status(peer: Peer, message: StatusMessage, sender: Agency) -> None:
    """A status about one of our sent deliveries (01–06, 15, 16), or a sender's recall (13).

    ``sender`` is the agency the status comes from, already known to be served by ``peer``:
    the recipient of our delivery, or for a recall the sender of the peer's document.
    """
    if message.status_code is StatusCode.UNKNOWN:
        audit_append(actor=None, action="exchange.status_unknown_code",
                     object_type=OBJECT_TRANSMISSION, agency_code=message.sender.organ_id,
                     data={"peer": peer.installation_id, "raw": message.raw_code})
        return  # logged and kept, never failed (vn-standards §1.6)
    code = states.normalise_code(message.status_code.value)
    document_id = message.response_for.document_id
    if code is states.Code.RECALL_REQUESTED:
        targets = [d for t in _origin_transmissions(peer, document_id, sender)
                   for d in t.deliveries.select_related("transmission__sender", "recipient")]
    else:
        # By the exact DocumentId, else by issuer, number and date (a receiver's rebuilt id).
        targets = list(sent_deliveries(message.response_for, sender))
    if not targets:
        raise _not_yet(document_id)
    at = message.timestamp or clock.now()
    for delivery in targets:
        _advance(peer, delivery, code, at, message.description)


def _advance(peer: Peer, delivery: Delivery, code: states.Code, at: datetime,
             reason: str) -> None:
    before = states.State(delivery.before_recall) if delivery.before_recall else None
    try:
        step = states.advance(states.State(delivery.state), code, before_recall=before)
    except states.InvalidTransition:
        audit_append(actor=None, action="exchange.status_out_of_order",
                     object_type="exchange.delivery", object_id=delivery.uid,
                     agency_code=delivery.recipient.code,
                     data={"peer": peer.installation_id, "code": code.value,
                           "state": delivery.state})
        return
    if not step.changed:
        return
    for implied in step.implied:
        stamp(delivery, implied, at, "")
        record(actor=None, event=event_for(implied), delivery=delivery, at=at,
               extra={"code": implied.value, "implied": True})
    delivery.state = step.state
    delivery.before_recall = step.before_recall or ""
    fields = stamp(delivery, code, at, reason)
    delivery.save(update_fields=sorted({*fields, "received_at"}))
    record(actor=None, event=event_for(code), delivery=delivery, at=at,
           reason=reason, extra={"code": code.value, "peer": peer.installation_id})


# The appliers other edXML channels (the national axis) share with federation.
status_apply = _apply_status
revoke_apply = _apply_revoke
