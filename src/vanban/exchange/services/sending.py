"""Sending (R7.1): one transmission, one delivery per electronic recipient, the file stored once.

The send itself only commits rows: the transmission, its deliveries in state ``sent`` (the hub
has accepted them: that is the time sent), an evidence record ``sent`` for each, and one outbox
message per delivery. The worker then puts internal deliveries into the recipients' inboxes and
carries federated ones to the peers, so a fan-out to a thousand agencies never holds the clerk.
Revocation (Decree 30/2020 Art. 18.4): the sender's copy is frozen and every recipient's copy
withdrawn, both recorded.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.exchange.core import states
from vanban.exchange.models import (
    Attachment,
    BusinessType,
    Channel,
    Delivery,
    OutboxKind,
    OutboxMessage,
    Peer,
    Transmission,
)
from vanban.exchange.services.common import (
    OBJECT_TRANSMISSION,
    actor_id,
    locked_delivery,
    record,
    refuse,
    require_sender_clerk,
    transition_error,
    wake_worker,
)
from vanban.registry.core.dispatch import Channel as PlanChannel
from vanban.registry.models import Document, DocumentFile, DocumentState, Priority
from vanban.registry.selectors import current_file, dispatch_plan, signed_file
from vanban.registry.services import document_mark_sent

# The plan's channels this hub carries, and the delivery channel and outbox kind of each.
CARRIED: dict[PlanChannel, Channel] = {PlanChannel.INTERNAL: Channel.INTERNAL,
                                       PlanChannel.FEDERATED: Channel.FEDERATED,
                                       PlanChannel.MAIL: Channel.MAIL}
OUTBOX_KINDS: dict[str, OutboxKind] = {Channel.INTERNAL: OutboxKind.INTERNAL,
                                      Channel.FEDERATED: OutboxKind.EDOC,
                                      Channel.MAIL: OutboxKind.MAIL}
PRIORITY_CODES = {Priority.NORMAL: 0, Priority.URGENT: 1, Priority.VERY_URGENT: 2,
                  Priority.FLASH: 3}


def edxml_document_id(document: Document) -> str:
    """``<OrganId>,<yyyy/MM/dd>,<number>/<notation>`` (vn-standards §1.3, item 1.14)."""
    issued = document.issued_date.strftime("%Y/%m/%d") if document.issued_date else ""
    return f"{document.agency.code},{issued},{document.code_number}/{document.code_notation}"


def _check_sendable(actor: Actor | None, action: str, document: Document) -> None:
    code = document.agency.code
    if actor is not None and actor.agency_id != document.agency_id:
        raise refuse(actor, action, not_found("văn bản", "Document"),
                     object_type="registry.document", object_id=document.pk, agency_code=code)
    from vanban.exchange.services.common import is_clerk_of

    if not is_clerk_of(actor, document.agency_id):
        raise refuse(actor, action, forbidden(), object_type="registry.document",
                     object_id=document.pk, agency_code=code)
    if document.classified:
        raise refuse(actor, action, ValidationFailed(
            "Văn bản mật không được gửi qua hệ thống điện tử (Điều 3 khoản 1).",
            "A classified document may not be sent electronically (Art. 3.1).",
            code="classified"), object_type="registry.document", object_id=document.pk,
            agency_code=code)


def _file_to_send(document: Document) -> DocumentFile:
    found = signed_file(document) or current_file(document)
    if found is None:
        raise ValidationFailed("Văn bản chưa có tệp để gửi.", "The document has no file to send.",
                               code="no_file")
    return found


def _electronic_recipients(document: Document) -> list[tuple[Agency, Channel, Peer | None]]:
    """Agencies reached electronically by the dispatch plan, with their peer if federated.
    An agency whose route is its official mailbox goes by mail (R9.1); an individual's
    mailbox has no agency to track and stays with the clerk's paper and by-hand list."""
    peers = {p.installation_id: p for p in Peer.objects.filter(active=True)}
    out: list[tuple[Agency, Channel, Peer | None]] = []
    for row in dispatch_plan(document):
        agency = row.recipient.agency
        if agency is None or row.channel not in CARRIED:
            continue
        if row.channel != PlanChannel.FEDERATED:
            out.append((agency, CARRIED[row.channel], None))
            continue
        peer = peers.get(agency.installation)
        if peer is None:
            raise ValidationFailed(
                f"Chưa cấu hình hệ thống “{agency.installation}” để gửi tới {agency.name}.",
                f"Installation “{agency.installation}” (for {agency.name}) is not configured.",
                code="unknown_peer")
        out.append((agency, Channel.FEDERATED, peer))
    if not out:
        raise ValidationFailed("Văn bản không có nơi nhận điện tử.",
                               "The document has no electronic recipient.",
                               code="no_electronic_recipient")
    return out


def transmission_send(*, actor: Actor | None, document: Document,
                      business_type: str = BusinessType.NEW,
                      related: Transmission | None = None) -> Transmission:
    """Send a ready document to every electronic recipient (clerk only; R7.1, R7.2).

    ``business_type`` update or replace sends a new version that refers to ``related``.
    """
    action = "exchange.transmission_send"
    _check_sendable(actor, action, document)
    if business_type not in (BusinessType.NEW, BusinessType.UPDATE, BusinessType.REPLACE):
        raise ValidationFailed("Loại nghiệp vụ không hợp lệ.", "Invalid business type.",
                               code="bad_business_type")
    if business_type != BusinessType.NEW and related is None:
        raise ValidationFailed("Cần chỉ rõ văn bản được cập nhật hoặc thay thế.",
                               "Name the transmission that is updated or replaced.",
                               code="missing_related")
    with transaction.atomic():
        document = (Document.objects.select_for_update(of=("self",))
                    .select_related("agency").get(pk=document.pk))
        sendable = (DocumentState.READY,) if business_type == BusinessType.NEW else (
            DocumentState.READY, DocumentState.SENT)
        if document.state not in sendable:
            raise Conflict("Văn bản chưa sẵn sàng gửi.", "The document is not ready to send.",
                           code="not_ready", state=document.state)
        if business_type == BusinessType.NEW and document.transmissions.filter(
                business_type=BusinessType.NEW).exists():
            raise Conflict("Văn bản này đã được gửi.", "This document was already sent.",
                           code="already_sent")
        file = _file_to_send(document)
        recipients = _electronic_recipients(document)
        transmission = _create(actor, document, file, business_type, related)
        _fan_out(actor, transmission, recipients)
        document_mark_sent(document=document)
        audit_append(actor=actor, action=action, object_type=OBJECT_TRANSMISSION,
                     object_id=transmission.message_id, agency_code=document.agency.code,
                     data={"document": document.pk, "number": document.number_text,
                           "sha256": file.sha256, "business_type": business_type,
                           "recipients": len(recipients)})
        wake_worker()
        return transmission


def _create(actor: Actor | None, document: Document, file: DocumentFile, business_type: str,
            related: Transmission | None) -> Transmission:
    transmission = Transmission.objects.create(
        document=document, sender=document.agency, business_type=business_type,
        related=related, edxml_document_id=edxml_document_id(document),
        code_number=str(document.code_number or ""), code_notation=document.code_notation,
        issued_date=document.issued_date, type_name=document.type_name,
        subject=document.subject, priority=PRIORITY_CODES.get(Priority(document.priority), 0),
        file_sha256=file.sha256, file_name=file.filename or f"{document.pk}.pdf",
        file_size=file.size, sent_at=clock.now(), created_by_id=actor_id(actor))
    Attachment.objects.create(transmission=transmission, position=0,
                              name=transmission.file_name[:255], sha256=file.sha256,
                              size=file.size, content_type="application/pdf", main=True)
    return transmission


def _fan_out(actor: Actor | None, transmission: Transmission,
             recipients: list[tuple[Agency, Channel, Peer | None]]) -> None:
    """One delivery, one ``sent`` record and one outbox message per recipient."""
    at = transmission.sent_at
    deliveries = Delivery.objects.bulk_create([
        Delivery(transmission=transmission, recipient=agency, channel=channel, sent_at=at)
        for agency, channel, _peer in recipients])
    OutboxMessage.objects.bulk_create([
        OutboxMessage(kind=OUTBOX_KINDS[channel], delivery=delivery, peer=peer,
                      created_at=at, next_attempt_at=at)
        for delivery, (_agency, channel, peer) in zip(deliveries, recipients, strict=True)])
    for delivery, (agency, _channel, _peer) in zip(deliveries, recipients, strict=True):
        delivery.transmission = transmission
        delivery.recipient = agency
        record(actor=actor, event="sent", delivery=delivery, at=at, audit=False,
               extra={"channel": delivery.channel})


def transmission_revoke(*, actor: Actor | None, transmission: Transmission,
                        reason: str) -> Transmission:
    """Revoke (thu hồi) a sent document: the sender's copy is frozen, the recipients' copies
    withdrawn (internal at once; federated through a revocation message to the peer)."""
    action = "exchange.transmission_revoke"
    require_sender_clerk(actor, action, transmission)
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ValidationFailed("Cần nêu lý do thu hồi.", "A reason is required.",
                               code="missing_reason")
    with transaction.atomic():
        transmission = (Transmission.objects.select_for_update(of=("self",))
                        .select_related("sender").get(pk=transmission.pk))
        if transmission.frozen_at is not None or transmission.origin:
            raise Conflict("Văn bản đã bị thu hồi hoặc không do cơ quan gửi.",
                           "Already revoked, or not sent by this agency.", code="not_revocable")
        now = clock.now()
        transmission.frozen_at = now
        transmission.reason = reason
        transmission.save(update_fields=["frozen_at", "reason"])
        for delivery in transmission.deliveries.select_related("recipient"):
            _revoke_delivery(actor, transmission, delivery, reason=reason, at=now)
        audit_append(actor=actor, action=action, object_type=OBJECT_TRANSMISSION,
                     object_id=transmission.message_id, agency_code=transmission.sender.code,
                     data={"reason": reason})
        wake_worker()
        return transmission


def _revoke_delivery(actor: Actor | None, transmission: Transmission, delivery: Delivery, *,
                     reason: str, at: datetime) -> None:
    delivery.transmission = transmission
    step = states.withdraw(states.State(delivery.state))
    if not step.changed:
        return
    delivery.state = step.state
    delivery.reason = reason
    record(actor=actor, event="revoked", delivery=delivery, at=at, reason=reason)
    if delivery.channel in (Channel.INTERNAL, Channel.MAIL):
        # Mail cannot take a message back: the recipient's copy is withdrawn here, and the
        # revocation stands in the evidence log (the clerk tells the recipient by hand); one
        # not mailed yet never leaves.
        delivery.withdrawn_at = at
        OutboxMessage.objects.filter(delivery=delivery, kind=OutboxKind.MAIL,
                                     done_at__isnull=True).update(
            done_at=at, locked_until=None, last_error="revoked before it was mailed")
        record(actor=actor, event="withdrawn", delivery=delivery, at=at, reason=reason,
               audit=False)
    else:
        peer = Peer.objects.get(installation_id=delivery.recipient.installation)
        OutboxMessage.objects.create(kind=OutboxKind.REVOKE, delivery=delivery, peer=peer,
                                     created_at=clock.now(), next_attempt_at=clock.now())
    delivery.save(update_fields=["state", "reason", "withdrawn_at"])


def delivery_recall_request(*, actor: Actor | None, delivery: Delivery,
                            reason: str = "") -> Delivery:
    """The sender asks to take a delivery back (status 13); the recipient answers 15 or 16."""
    action = "exchange.delivery_recall_request"
    require_sender_clerk(actor, action, delivery.transmission)
    with transaction.atomic():
        delivery = locked_delivery(delivery)
        if delivery.transmission.frozen_at is not None:
            raise Conflict("Văn bản đã bị thu hồi.", "The document was revoked.",
                           code="frozen")
        try:
            step = states.apply(states.State(delivery.state), states.Code.RECALL_REQUESTED)
        except states.InvalidTransition as err:
            raise transition_error(err) from None
        now = clock.now()
        delivery.state = step.state
        delivery.before_recall = step.before_recall or ""
        delivery.recall_requested_at = delivery.status_at = now
        delivery.reason = " ".join(reason.split())[:500]
        delivery.save(update_fields=["state", "before_recall", "recall_requested_at",
                                     "status_at", "reason"])
        record(actor=actor, event="recall_requested", delivery=delivery, at=now,
               reason=delivery.reason)
        if delivery.channel == Channel.FEDERATED:
            from vanban.exchange.services.outbox import enqueue_status

            enqueue_status(delivery=delivery, code=states.Code.RECALL_REQUESTED,
                           reason=delivery.reason, at=now, from_sender=True, actor=actor)
        return delivery

