"""Registering an arrived delivery in the incoming register (R5.1, R10.1), or rejecting it.

Only the receiving agency's clerk acts; only a delivery whose verification passed (R4) is
registered, and registration is what makes it valid inside the system (R5.1). Registration
takes the next number of the agency's one yearly incoming series (shared with paper), copies
the sender's metadata, flags a duplicate, and sends status 03 to the sender, all in one
transaction with its audit event. Rejection sends 02 with the reason; the received bytes and
their verification stay. The evidence record of 03 or 02 names the leaf of the verification's
own evidence record it relies on (R7.2, docs/evidence.md).
"""

from __future__ import annotations

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, not_found
from vanban.core.roles import Actor
from vanban.core.text import clean_text as text
from vanban.directory.models import Unit
from vanban.exchange.core.states import State
from vanban.exchange.models import Channel, Delivery
from vanban.exchange.services import delivery_accept, delivery_reject
from vanban.exchange.services.sending import PRIORITY_CODES
from vanban.incoming.models import IncomingDocument, IncomingSource
from vanban.incoming.services.common import (
    OBJECT_DELIVERY,
    OBJECT_TYPE,
    actor_id,
    duplicate_of,
    incoming_register_of,
    next_arrival_number,
    refused,
    require_clerk,
)
from vanban.incoming.services.verify import incoming_verify
from vanban.signatures.verification.evidence import verification_pointer

PRIORITY_OF_CODE = {code: str(value) for value, code in PRIORITY_CODES.items()}


def _require_recipient_clerk(actor: Actor | None, action: str, delivery: Delivery) -> None:
    agency = delivery.recipient
    if actor is not None and actor.agency_id != delivery.recipient_id:
        raise refused(actor, action, not_found("văn bản đến", "Delivery"),
                      object_type=OBJECT_DELIVERY, object_id=delivery.uid, agency=agency)
    require_clerk(actor, action, agency, object_type=OBJECT_DELIVERY, object_id=delivery.uid)


def check_recipients(agency_id: int, unit: Unit | None, user: Actor | None) -> None:
    """The receiving unit or person must belong to the registering agency."""
    if unit is not None and unit.agency_id != agency_id:
        raise ValidationFailed("Đơn vị nhận không thuộc cơ quan.",
                               "The receiving unit is not part of the agency.", code="bad_unit")
    if user is not None and user.agency_id != agency_id:
        raise ValidationFailed("Người nhận không thuộc cơ quan.",
                               "The receiving person is not part of the agency.",
                               code="bad_user")


def require_recipient(unit: Unit | None, user: Actor | None) -> None:
    """Decree 30/2020 App. IV col. 7: an incoming document is registered to the unit or the
    person who receives it; the clerk chooses, nothing is assumed."""
    if unit is None and user is None:
        raise ValidationFailed(
            "Cần chọn đơn vị hoặc người nhận văn bản (cột 7 sổ văn bản đến).",
            "Choose the unit or the person who receives the document (column 7 of the "
            "incoming register).", code="missing_recipient")


def _already(delivery: Delivery) -> Conflict | None:
    existing = IncomingDocument.objects.filter(delivery=delivery).first()
    if existing is not None:
        return Conflict(
            f"Văn bản này đã được vào sổ văn bản đến, số đến {existing.arrival_number}.",
            f"This document is already in the incoming register, arrival number "
            f"{existing.arrival_number}.", code="already_registered",
            arrival_number=existing.arrival_number)
    if delivery.state == State.REJECTED:
        return Conflict("Văn bản này đã bị từ chối tiếp nhận.",
                        "This document was already rejected.", code="already_rejected")
    if delivery.state == State.ACCEPTED:
        # Accepted without an incoming register entry: the one-stop desk took it in as a
        # forwarded dossier (its own service accepts it in the same transaction).
        return Conflict("Văn bản này đã được tiếp nhận (bộ phận một cửa đã tiếp nhận thành "
                        "hồ sơ), không vào sổ hay từ chối được nữa.",
                        "This document was already accepted (the one-stop desk took it in as a "
                        "dossier); it can no longer be registered or rejected.",
                        code="already_accepted")
    if delivery.state != State.ARRIVED:
        return Conflict("Văn bản không còn chờ vào sổ (đã thu hồi hoặc đã xử lý).",
                        "The document no longer waits for registration (recalled or handled).",
                        code="not_waiting", state=delivery.state)
    return None


def incoming_register_delivery(*, actor: Actor | None, delivery: Delivery,
                               recipient_unit: Unit | None = None,
                               recipient_user: Actor | None = None,
                               note: str = "") -> IncomingDocument:
    """R10.1, R5.1: register a verified delivery with the next arrival number; sends 03."""
    action = "incoming.register_delivery"
    delivery = (Delivery.objects.select_related("transmission__sender", "transmission__document",
                                                "recipient").get(pk=delivery.pk))
    _require_recipient_clerk(actor, action, delivery)
    agency = delivery.recipient
    verification = incoming_verify(delivery=delivery)
    if not verification.valid:
        raise refused(actor, action, ValidationFailed(
            "Văn bản không đạt kiểm tra chữ ký số, nguồn gốc và tính toàn vẹn nên không được "
            "vào sổ; hãy từ chối tiếp nhận và nêu lý do.",
            "The document failed the signature, origin and integrity checks and cannot be "
            "registered; reject it with a reason.", code="not_verified",
            failed=[c.get("code", "") for c in verification.failures()]),
            object_type=OBJECT_DELIVERY, object_id=delivery.uid, agency=agency,
            verification=verification.pk)
    check_recipients(agency.pk, recipient_unit, recipient_user)
    note = text(note, 500, "ghi chú", "note")
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(of=("self",))
                    .select_related("transmission__sender", "transmission__document",
                                    "recipient").get(pk=delivery.pk))
        problem = _already(delivery)
        if problem is not None:
            raise problem
        require_recipient(recipient_unit, recipient_user)  # after: "already registered" first
        document = _create(actor, delivery, verification_id=verification.pk,
                           page_amount=verification.page_count, unit=recipient_unit,
                           user=recipient_user, note=note)
        delivery_accept(actor=actor, delivery=delivery,
                        relies_on=verification_pointer(verification))
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=document.pk,
                     agency_code=agency.code, data={
                         "delivery": str(delivery.uid), "arrival_number": document.arrival_number,
                         "year": document.arrival_date.year, "sha256": document.file_sha256,
                         "verification": verification.pk,
                         "duplicate_of": document.duplicate_of_id})
        return document


def _create(actor: Actor | None, delivery: Delivery, *, verification_id: int,
            page_amount: int | None, unit: Unit | None, user: Actor | None,
            note: str) -> IncomingDocument:
    transmission = delivery.transmission
    agency = delivery.recipient
    now = clock.now()
    today = clock.local_now().date()
    register = incoming_register_of(agency, today.year)
    sender = transmission.sender
    due = (transmission.document.due_date if transmission.document is not None
           else transmission.due_date)
    return IncomingDocument.objects.create(
        agency=agency, register=register, arrival_number=next_arrival_number(register),
        arrival_date=today, received_at=delivery.received_at or now,
        source=IncomingSource.MAIL if delivery.channel == Channel.MAIL else IncomingSource.HUB,
        delivery=delivery, verification_id=verification_id,
        issuer=sender, issuer_name=sender.name[:200], code_number=transmission.code_number,
        code_notation=transmission.code_notation, issued_date=transmission.issued_date,
        type_name=transmission.type_name, subject=transmission.subject,
        priority=PRIORITY_OF_CODE.get(transmission.priority, ""), page_amount=page_amount,
        due_date=due, recipient_unit=unit,
        recipient_user_id=actor_id(user),
        file_sha256=transmission.file_sha256,
        duplicate_of=duplicate_of(agency=agency, issuer=sender, issuer_name=sender.name[:200],
                                  code_number=transmission.code_number,
                                  code_notation=transmission.code_notation,
                                  issued_date=transmission.issued_date),
        note=note, registered_by_id=actor_id(actor), registered_at=now)


def incoming_reject(*, actor: Actor | None, delivery: Delivery, reason: str) -> Delivery:
    """Refuse a delivery with a reason (02 to the sender); the bytes and verification stay."""
    action = "incoming.reject"
    delivery = (Delivery.objects.select_related("transmission__sender", "recipient")
                .get(pk=delivery.pk))
    _require_recipient_clerk(actor, action, delivery)
    reason = text(reason, 500, "lý do từ chối", "reason for the rejection", required=True)
    verification = incoming_verify(delivery=delivery)
    with transaction.atomic():
        locked = (Delivery.objects.select_for_update(of=("self",))
                  .select_related("transmission__sender", "recipient").get(pk=delivery.pk))
        problem = _already(locked)
        if problem is not None:
            raise problem
        delivery = delivery_reject(actor=actor, delivery=locked, reason=reason,
                                   relies_on=verification_pointer(verification))
        audit_append(actor=actor, action=action, object_type=OBJECT_DELIVERY,
                     object_id=delivery.uid, agency_code=delivery.recipient.code,
                     data={"reason": reason, "verification": verification.pk,
                           "verdict": verification.verdict,
                           "channel": Channel(delivery.channel).value})
        return delivery

