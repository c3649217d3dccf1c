"""Between the hub's rows and the edXML codec: the message a federated delivery sends, and the
status message a status change sends back (vn-standards §1.3, §1.6)."""

from __future__ import annotations

from datetime import date, datetime

from vanban.directory.models import Agency
from vanban.exchange.core import edxml
from vanban.exchange.core.status import StatusCode, StatusMessage, build_status
from vanban.exchange.core.trace import Business, BusinessType
from vanban.exchange.models import BusinessType as RowBusinessType
from vanban.exchange.models import Delivery, Transmission, Transport
from vanban.exchange.selectors import transmission_attachments
from vanban.storage.selectors import blob_read

BUSINESS: dict[str, BusinessType] = {
    RowBusinessType.NEW: BusinessType.NEW, RowBusinessType.REVOKE: BusinessType.REVOKE,
    RowBusinessType.UPDATE: BusinessType.UPDATE, RowBusinessType.REPLACE: BusinessType.REPLACE,
}
ROW_BUSINESS: dict[BusinessType, str] = {v: k for k, v in BUSINESS.items()}


def organisation(agency: Agency) -> edxml.Organisation:
    """An agency as edXML's From/To."""
    return edxml.Organisation(organ_id=agency.code, name=agency.name, email=agency.mailbox)


def _issued(transmission: Transmission) -> date:
    return transmission.issued_date or transmission.sent_at.date()


def edoc_for(delivery: Delivery, *, message_id: str, revoke: bool = False,
             files: dict[str, bytes] | None = None,
             transport: str = Transport.FEDERATION) -> bytes:
    """The edXML message carrying a delivery's document (or revoking it) to one recipient.

    ``files``: stored files already read (by SHA-256), shared by the messages of one batch;
    ``transport``: the peer's; the national axis gets each file in a one-entry zip as the SDK
    sends them, a vanban peer gets them plain.
    """
    transmission = delivery.transmission
    document = transmission.document
    business_type = BusinessType.REVOKE if revoke else BUSINESS[transmission.business_type]
    related = transmission.related.edxml_document_id if transmission.related else ""
    attachments: tuple[edxml.Attachment, ...] = ()
    if not revoke:  # every file, main first (a received document forwarded keeps them all)
        rows = sorted(transmission_attachments(transmission), key=lambda a: (not a.main,
                                                                             a.position))
        attachments = tuple(edxml.Attachment(
            content_id=str(n), name=a.name, content_type=a.content_type,
            data=_file(a.sha256, files), description=a.description,
            zipped=transport != Transport.FEDERATION)
            for n, a in enumerate(rows, start=1))
    signer = None
    if document is not None and (document.position or document.full_name):
        signer = edxml.SignerInfo(competence=document.competence, position=document.position,
                                  full_name=document.full_name)
    message = edxml.EdocMessage(
        message_id=message_id, sender=organisation(transmission.sender),
        recipients=(organisation(delivery.recipient),),
        code_number=transmission.code_number, code_notation=transmission.code_notation,
        promulgation_date=_issued(transmission), subject=transmission.subject,
        promulgation_place=document.place if document is not None else "",
        type_name=transmission.type_name, content=transmission.subject, signer=signer,
        due_date=document.due_date if document is not None else None,
        priority=transmission.priority, page_amount=document.page_amount if document else None,
        document_id=transmission.edxml_document_id,
        business=Business(type=business_type, reason=transmission.reason,
                          document_id=related),
        attachments=attachments)
    return edxml.build_edoc(message)


def _file(sha256: str, files: dict[str, bytes] | None) -> bytes:
    """The stored file, read (and its hash checked) once per batch."""
    if files is None:
        return blob_read(sha256)
    data = files.get(sha256)
    if data is None:
        data = files[sha256] = blob_read(sha256)
    return data


def staff_of(actor: object | None, agency: Agency) -> edxml.StaffInfo | None:
    """The person who caused a status, as edXML ``StaffInfo`` (their unit, else the agency;
    their name and mailbox); ``None`` when no person did (the console, an arrival's 01)."""
    name = str(getattr(actor, "full_name", "") or getattr(actor, "username", "") or "")
    if actor is None or not name:
        return None
    unit = getattr(actor, "unit", None)
    email = str(getattr(actor, "mailbox", "") or getattr(actor, "email", "") or "")
    return edxml.StaffInfo(department=unit.name if unit is not None else agency.name,
                           staff=name, email=email or agency.mailbox)


def status_for(delivery: Delivery, *, code: str, reason: str, at: datetime, message_id: str,
               from_sender: bool, actor: object | None = None) -> bytes:
    """A status message about a delivery's document; ``from_sender`` for a recall request.
    ``actor``: the person who caused it, named in ``StaffInfo`` (vn-standards §1.4)."""
    transmission = delivery.transmission
    reporter = transmission.sender if from_sender else delivery.recipient
    message = StatusMessage(
        message_id=message_id,
        response_for=edxml.ResponseFor(
            organ_id=transmission.sender.code, code=f"{transmission.code_number}/"
            f"{transmission.code_notation}", promulgation_date=_issued(transmission),
            document_id=transmission.edxml_document_id),
        sender=organisation(reporter), status_code=StatusCode(code), timestamp=at,
        description=reason, staff=staff_of(actor, reporter))
    return build_status(message)
