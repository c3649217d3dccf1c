"""Between the hub's rows and the edXML codec: the message a federated delivery sends, and the
status message a status change sends back (vn-standards §1.3, §1.6)."""

from __future__ import annotations

from datetime import date, datetime

from vanban.directory.models import Agency
from vanban.exchange.core import edxml
from vanban.exchange.core.status import StatusCode, StatusMessage, build_status
from vanban.exchange.core.trace import Business, BusinessType
from vanban.exchange.models import BusinessType as RowBusinessType
from vanban.exchange.models import Delivery, Transmission
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
             files: dict[str, bytes] | None = None) -> bytes:
    """The edXML message carrying a delivery's document (or revoking it) to one recipient.

    ``files``: stored files already read (by SHA-256), shared by the messages of one batch.
    """
    transmission = delivery.transmission
    document = transmission.document
    business_type = BusinessType.REVOKE if revoke else BUSINESS[transmission.business_type]
    related = transmission.related.edxml_document_id if transmission.related else ""
    attachments: tuple[edxml.Attachment, ...] = ()
    if not revoke:
        attachments = (edxml.Attachment(
            content_id="1", name=transmission.file_name, content_type="application/pdf",
            data=_file(transmission.file_sha256, files)),)
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


def status_for(delivery: Delivery, *, code: str, reason: str, at: datetime, message_id: str,
               from_sender: bool) -> bytes:
    """A status message about a delivery's document; ``from_sender`` for a recall request."""
    transmission = delivery.transmission
    reporter = transmission.sender if from_sender else delivery.recipient
    message = StatusMessage(
        message_id=message_id,
        response_for=edxml.ResponseFor(
            organ_id=transmission.sender.code, code=f"{transmission.code_number}/"
            f"{transmission.code_notation}", promulgation_date=_issued(transmission),
            document_id=transmission.edxml_document_id),
        sender=organisation(reporter), status_code=StatusCode(code), timestamp=at,
        description=reason)
    return build_status(message)
