"""Outgoing documents: drafting, registration with gapless numbering, ready to send, cancel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction

from vanban.audit.services import (
    PreparedEvent,
    audit_append,
    audit_append_prepared,
    audit_appended,
    audit_prepare,
)
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.core.text import clean_text as _text
from vanban.directory.models import Agency, Unit
from vanban.registry import rules
from vanban.registry.core.numbering import (
    DocumentNumber,
    doc_type,
    format_number,
    notation_for,
    series_for,
)
from vanban.registry.models import (
    Classification,
    Competence,
    Document,
    DocumentRecipient,
    DocumentState,
    FileKind,
    Priority,
    Register,
    RegisterCounter,
)
from vanban.registry.services import pgnumbering
from vanban.registry.services.approval import require_may_edit, require_may_number
from vanban.registry.services.common import (
    OBJECT_TYPE,
    actor_id,
    document_state,
    locked,
    refuse_classified,
    refused,
    require_clerk,
    require_member,
    require_state,
)


@dataclass(frozen=True)
class RecipientInput:
    """A recipient as the drafting form or the API gives it: an agency, or a person."""

    agency: Agency | None = None
    name: str = ""
    address: str = ""
    mailbox: str = ""
    note: str = ""
    role: str = DocumentRecipient.ROLE_ELECTRONIC


def _choice(value: str, choices: list[str], vi: str, en: str) -> str:
    if value not in choices:
        raise ValidationFailed(f"Giá trị “{value}” của {vi} không hợp lệ.",
                               f"Invalid {en} “{value}”.", code="bad_choice")
    return value


def _recipient(document: Document, position: int, item: RecipientInput) -> DocumentRecipient:
    role = _choice(item.role, [DocumentRecipient.ROLE_PAPER, DocumentRecipient.ROLE_ELECTRONIC],
                   "hình thức nhận", "recipient role")
    mailbox = item.mailbox.strip().lower()
    if mailbox:
        try:
            validate_email(mailbox)
        except ValidationError:
            raise ValidationFailed(f"Địa chỉ thư “{mailbox}” không hợp lệ.",
                                   f"Mail address “{mailbox}” is invalid.",
                                   code="bad_mailbox") from None
    name = _text(item.name, 200, "tên người nhận", "recipient name",
                 required=item.agency is None)
    return DocumentRecipient(
        document=document, position=position, agency=item.agency, name=name,
        address=_text(item.address, 300, "địa chỉ", "address"), mailbox=mailbox,
        note=_text(item.note, 100, "ghi chú", "note"), role=role)


def _fill(document: Document, *, type_code: str, subject: str, legal_normative: bool,
          classification: str, priority: str, place: str, competence: str, position: str,
          full_name: str, due_date: date | None, unit: Unit | None, description: str,
          archive_units: str) -> None:
    document.type_code = doc_type(type_code).code
    series_for(type_code=type_code, legal_normative=legal_normative, classified=False)
    document.legal_normative = legal_normative
    document.subject = _text(subject, 500, "trích yếu", "subject", required=True)
    document.classification = _choice(classification, Classification.values, "độ mật",
                                      "classification")
    document.priority = _choice(priority, Priority.values, "độ khẩn", "priority")
    document.competence = _choice(competence, Competence.values, "thẩm quyền ký", "competence")
    document.place = _text(place, 100, "địa danh", "place")
    document.position = _text(position, 100, "chức vụ người ký", "signer position")
    document.full_name = _text(full_name, 50, "họ tên người ký", "signer name")
    document.description = _text(description, 500, "ghi chú", "description")
    document.archive_units = _text(archive_units, 200, "nơi lưu", "archive units")
    document.due_date = due_date
    if unit is not None and unit.agency_id != document.agency_id:
        raise ValidationFailed("Đơn vị soạn thảo không thuộc cơ quan.",
                               "The drafting unit is not part of the agency.", code="bad_unit")
    document.unit = unit


FORWARDING_TYPE = "phieu_chuyen"
"""The type of a one-stop forwarding ("Phiếu chuyển"); the one-stop desk writes its draft
itself (no author), addressed to the one agency whose desk the dossier goes to."""


def _keeps_forwarding(document: Document, type_code: str,
                      recipients: Sequence[RecipientInput]) -> bool:
    """R11.1(a): a forwarding draft the desk wrote keeps its type and its one recipient (the
    clerk numbers, signs and sends it; sending it elsewhere would hand the dossier to an
    agency the desk did not choose). Other documents may change freely."""
    if document.type_code != FORWARDING_TYPE or document.created_by_id is not None:
        return True
    before = [(r.agency_id, r.role) for r in document.recipients.order_by("position", "id")]
    after = [(r.agency.pk if r.agency is not None else None, r.role) for r in recipients]
    return type_code == FORWARDING_TYPE and before == after


def _set_recipients(document: Document, recipients: Sequence[RecipientInput]) -> None:
    rows = [_recipient(document, i, item) for i, item in enumerate(recipients)]
    document.recipients.all().delete()
    DocumentRecipient.objects.bulk_create(rows)


def document_create(
    *, actor: Actor | None, agency: Agency, type_code: str, subject: str,
    legal_normative: bool = False, classification: str = Classification.NORMAL,
    priority: str = Priority.NORMAL, place: str = "", competence: str = "",
    position: str = "", full_name: str = "", due_date: date | None = None,
    unit: Unit | None = None, description: str = "", archive_units: str = "VT",
    recipients: Sequence[RecipientInput] = (),
) -> Document:
    """A new draft of the agency (specialist, head, delegate or clerk)."""
    if not rules.can_draft(actor, agency.pk):
        audit_append(actor=actor, action="registry.document_create.denied",
                     object_type=OBJECT_TYPE, agency_code=agency.code,
                     data={"reason": "forbidden"})
        raise forbidden()
    now = clock.now()
    with transaction.atomic():
        document = Document(agency=agency, created_at=now, updated_at=now,
                            created_by_id=actor_id(actor))
        _fill(document, type_code=type_code, subject=subject, legal_normative=legal_normative,
              classification=classification, priority=priority, place=place,
              competence=competence, position=position, full_name=full_name,
              due_date=due_date, unit=unit, description=description,
              archive_units=archive_units)
        document.save()
        _set_recipients(document, recipients)
        audit_append(actor=actor, action="registry.document_create", object_type=OBJECT_TYPE,
                     object_id=document.pk, agency_code=agency.code,
                     after=document_state(document))
        return document


def document_update(
    *, actor: Actor | None, document: Document, type_code: str, subject: str,
    legal_normative: bool = False, classification: str = Classification.NORMAL,
    priority: str = Priority.NORMAL, place: str = "", competence: str = "",
    position: str = "", full_name: str = "", due_date: date | None = None,
    unit: Unit | None = None, description: str = "", archive_units: str = "VT",
    recipients: Sequence[RecipientInput] = (),
) -> Document:
    """Change a draft (all fields and the recipients); a registered document is frozen."""
    action = "registry.document_update"
    require_member(actor, action, document)
    if not rules.can_draft(actor, document.agency_id):
        raise refused(actor, action, document, forbidden())
    # Checked before the transaction so its refusal's audit row stays (a draft's type, author
    # and recipients change only through this function).
    if not _keeps_forwarding(document, type_code, recipients):
        raise refused(actor, action, document, Conflict(
            "Phiếu chuyển hồ sơ một cửa giữ nguyên loại văn bản và nơi nhận; muốn chuyển "
            "nơi khác, hãy hủy phiếu này để bộ phận một cửa chuyển lại.",
            "A one-stop forwarding slip keeps its type and recipient; to send the dossier "
            "elsewhere, cancel this slip so the desk can forward it again.",
            code="forwarding_recipient"))
    with transaction.atomic():
        document = locked(document)
        require_state(document, DocumentState.DRAFT)
        require_may_edit(document)
        before = document_state(document)
        _fill(document, type_code=type_code, subject=subject, legal_normative=legal_normative,
              classification=classification, priority=priority, place=place,
              competence=competence, position=position, full_name=full_name,
              due_date=due_date, unit=unit, description=description,
              archive_units=archive_units)
        document.updated_at = clock.now()
        document.save()
        _set_recipients(document, recipients)
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=document.pk,
                     agency_code=document.agency.code, before=before,
                     after=document_state(document))
        return document


def register_for(*, agency: Agency, year: int, series: str,
                 kind: str = Register.KIND_OUTGOING) -> Register:
    """The register of (agency, year, series, kind), created with its counter on first use
    (``kind`` incoming: the one yearly series of arrival numbers, R10.1).

    Two first registrations may race on PostgreSQL: the loser's insert fails on the unique
    constraint inside a savepoint and it reads the winner's row.
    """
    register = Register.objects.filter(agency=agency, year=year, series=series,
                                       kind=kind).order_by("pk").first()
    if register is not None:
        return register
    try:
        with transaction.atomic():
            register = Register.objects.create(agency=agency, year=year, series=series,
                                               kind=kind, created_at=clock.now())
            RegisterCounter.objects.create(register=register, last_number=0)
            return register
    except IntegrityError:
        return Register.objects.get(agency=agency, year=year, series=series, kind=kind)


def next_number(register: Register) -> int:
    """The next number of ``register``: lock its counter row, add one. Caller's transaction.

    The lock is held until the caller commits, so numbers are handed out in commit order and a
    rollback returns the number (no gap); never a database sequence (a rollback burns it).
    """
    # One statement takes the row lock and increments (UPDATE … RETURNING: PostgreSQL and
    # SQLite ≥ 3.35), so the lock is held for as few round trips as possible.
    table = RegisterCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608
                       "WHERE register_id = %s RETURNING last_number", [register.pk])
        row = cursor.fetchone()
    if row is None:
        raise RuntimeError(f"register {register.pk} has no counter row")
    return int(row[0])


@dataclass(frozen=True)
class _Registration:
    """Everything a registration writes except the number, computed before any lock."""

    document: Document
    series: str
    notation: str
    issued: date
    at: datetime
    event: PreparedEvent  # data with pgnumbering's marks for the number and register id


def _registration_plan(actor: Actor | None, action: str, document: Document) -> _Registration:
    """Prepare the registration of ``document`` as it is (no database access)."""
    today = clock.local_now().date()
    unit_short = document.unit.short_name if document.unit is not None else ""
    notation = notation_for(type_code=document.type_code,
                            agency_short=document.agency.short_name, unit_short=unit_short)
    series = series_for(type_code=document.type_code,
                        legal_normative=document.legal_normative, classified=False)
    year = today.year if document.legal_normative else None
    # The number's text after its digits ("/QĐ-UBND", "/2026/QĐ-UBND"), from the formatter.
    suffix = format_number(DocumentNumber(number=1, notation=notation, year=year))[2:]
    event = audit_prepare(actor=actor, action=action, object_type=OBJECT_TYPE,
                          object_id=document.pk, agency_code=document.agency.code,
                          data={"number": pgnumbering.NUMBER_MARK + suffix,
                                "register": pgnumbering.REGISTER_MARK, "series": series,
                                "year": today.year})
    return _Registration(document=document, series=series, notation=notation, issued=today,
                         at=clock.now(), event=event)


def _claim_postgres(plan: _Registration) -> Document | None:
    """One call of ``vanban_register_document``: document re-check, register lookup, head
    lock, counter claim, document update and chained event. None when the document is no
    longer the draft ``plan`` read, or its register does not exist yet."""
    document = plan.document
    with connection.cursor() as cursor:
        cursor.execute(pgnumbering.CALL, [
            document.pk, document.updated_at, DocumentState.DRAFT.value, document.agency_id,
            plan.issued.year, plan.series, Register.KIND_OUTGOING, plan.notation, plan.issued,
            plan.at, DocumentState.REGISTERED.value, plan.event.data,
            *plan.event.params()[:-1]])
        row = cursor.fetchone()
    if row is None or row[1] is None:
        return None
    _registered(plan, register_id=int(row[0]), number=int(row[1]))
    document.search_text_refresh()  # the function wrote the number and notation, not save()
    audit_appended(plan.event, id=int(row[3]), seq=int(row[4]), prev_hash=str(row[5]),
                   digest=str(row[6]), data=str(row[2]))
    return document


def _claim_locked(plan: _Registration) -> Document:
    """The claim on a document locked by this transaction, its register created if needed."""
    document = plan.document
    register = register_for(agency=document.agency, year=plan.issued.year, series=plan.series)
    if connection.vendor == "postgresql":
        claimed = _claim_postgres(plan)
        if claimed is None:
            raise RuntimeError(f"document {document.pk} changed under its row lock")
        return claimed
    # SQLite: its transactions hold the database write lock from BEGIN anyway.
    _registered(plan, register_id=register.pk, number=next_number(register))
    document.save(update_fields=["register", "code_notation", "issued_date", "state",
                                 "registered_at", "updated_at", "code_number"])
    data = pgnumbering.data_with(plan.event.data, number=int(document.code_number or 0),
                                 register_id=register.pk)
    audit_append_prepared(replace(plan.event, data=data))
    return document


def _registered(plan: _Registration, *, register_id: int, number: int) -> None:
    """Set the registration's fields on the document object."""
    document = plan.document
    document.register_id = register_id
    document.code_notation = plan.notation
    document.issued_date = plan.issued
    document.state = DocumentState.REGISTERED
    document.registered_at = document.updated_at = plan.at
    document.code_number = number


def document_register(*, actor: Actor | None, document: Document) -> Document:
    """Give the draft its number, notation and date in the register (clerk only; R3.1).

    Everything but the number is read and computed before the audit head and the counter are
    locked; they are then held for one statement and the commit (ADR 0006).
    """
    action = "registry.document_register"
    require_clerk(actor, action, document)
    refuse_classified(actor, action, document)
    require_may_number(document)  # checked again under the lock (the claim re-reads it too)
    if (connection.vendor == "postgresql" and not connection.in_atomic_block
            and document.state == DocumentState.DRAFT and document.pk is not None):
        # Its own transaction: one autocommit statement that the server commits before it
        # answers, so the head and counter locks never wait for this process. It re-checks
        # under the lock that the document is the draft given here (same updated_at).
        registered = _claim_postgres(_registration_plan(actor, action, document))
        if registered is not None:
            return registered
    if connection.in_atomic_block:
        # Inside the caller's transaction: the checks in a savepoint (a refusal leaves the
        # caller's transaction usable), the claim after it, so no savepoint release runs
        # while the locks are held.
        with transaction.atomic():
            document = locked(document)
            require_state(document, DocumentState.DRAFT)
            require_may_number(document)
            plan = _registration_plan(actor, action, document)
        with transaction.atomic(savepoint=False):
            return _claim_locked(plan)
    with transaction.atomic():
        document = locked(document)
        require_state(document, DocumentState.DRAFT)
        require_may_number(document)
        return _claim_locked(_registration_plan(actor, action, document))


def document_mark_ready(*, actor: Actor | None, document: Document) -> Document:
    """R3.1: the document may go (signed, or with a file where the agency has no certificate)."""
    action = "registry.document_mark_ready"
    require_clerk(actor, action, document)
    refuse_classified(actor, action, document)
    with transaction.atomic():
        document = locked(document)
        require_state(document, DocumentState.SIGNED, DocumentState.REGISTERED)
        if document.state == DocumentState.REGISTERED:
            _ready_unsigned_allowed(document)
        document.state = DocumentState.READY
        document.ready_at = document.updated_at = clock.now()
        document.save(update_fields=["state", "ready_at", "updated_at"])
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=document.pk,
                     agency_code=document.agency.code, data={"number": document.number_text})
        return document


def document_mark_sent(*, document: Document) -> Document:
    """The hub accepted the document's first transmission (R7.1): it is "Đã gửi" from now on
    and can no longer be cancelled, only revoked. Runs inside the sending transaction, whose
    audit event records the send; the document row is already locked by the caller."""
    if document.state == DocumentState.READY:
        document.state = DocumentState.SENT
        document.sent_at = document.updated_at = clock.now()
        document.save(update_fields=["state", "sent_at", "updated_at"])
    return document


def _ready_unsigned_allowed(document: Document) -> None:
    """R9.1: unsigned only when the agency has no certificate, and a file is needed anyway."""
    from vanban.signatures.selectors import active_certificate

    if not document.files.exclude(kind=FileKind.SIGNED).exists():
        raise ValidationFailed("Văn bản chưa có tệp đính kèm.", "The document has no file yet.",
                               code="no_file")
    if active_certificate(document.agency) is not None:
        raise ValidationFailed("Cơ quan có chứng thư số: hãy ký số văn bản trước khi gửi.",
                               "The agency has a certificate: sign the document before sending.",
                               code="not_signed")


def document_cancel(*, actor: Actor | None, document: Document, reason: str) -> Document:
    """Cancel a document; its number stays taken (marked cancelled), never reused."""
    action = "registry.document_cancel"
    require_clerk(actor, action, document)
    reason = _text(reason, 500, "lý do hủy", "reason", required=True)
    with transaction.atomic():
        document = locked(document)
        if document.state == DocumentState.SENT:
            raise Conflict(
                "Văn bản đã gửi đi nên không hủy được; hãy thu hồi văn bản đã gửi.",
                "The document was sent and cannot be cancelled; revoke the sent document.",
                code="sent_revoke_instead")
        require_state(document, DocumentState.DRAFT, DocumentState.REGISTERED,
                      DocumentState.SIGNED, DocumentState.READY)
        document.state = DocumentState.CANCELLED
        document.cancelled_at = document.updated_at = clock.now()
        document.cancel_reason = reason
        document.save(update_fields=["state", "cancelled_at", "cancel_reason", "updated_at"])
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=document.pk,
                     agency_code=document.agency.code,
                     data={"number": document.number_text, "reason": reason})
        return document
