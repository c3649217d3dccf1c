"""Judging and filing one received message (R4.1, R3.1, R16.1): what the gateway does with
every message it reads, and what ``vanban mail import`` does with one file.

Once per message: the (mailbox, Message-ID, body SHA-256) row is written only after the
filing committed, and the arrival port is idempotent on the same key, so a gateway stopped at
any point files nothing twice and loses nothing when it reads the mailbox again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import DomainError, ValidationFailed
from vanban.directory.models import Agency
from vanban.exchange.arrivals import Arrival, ArrivalHeader, ArrivedFile, arrival_accept
from vanban.exchange.models import BusinessType, Channel
from vanban.mailgate.core.judge import (
    Dkim,
    Reason,
    documents,
    is_pdf,
    judge_message,
    max_message_bytes,
    reason,
    too_large,
)
from vanban.mailgate.core.message import ParsedMail, Part, parse_message
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.services import ports
from vanban.security.errors import ScannerUnavailable
from vanban.security.intake import Accepted, Door, FileGroup, intake_files
from vanban.signatures.verification.mail import MailFacts, mail_verify
from vanban.storage.models import Blob
from vanban.storage.services import blob_put

logger = logging.getLogger(__name__)
DEFAULT_MAX_ATTACHMENT = 25 * 1024 * 1024


class UnknownMailbox(ValidationFailed):
    """The mailbox is not an agency's clerk mailbox on this installation."""

    code = "unknown_mailbox"

    def __init__(self, address: str) -> None:
        super().__init__(f"Hộp thư {address} không phải hộp thư văn thư của cơ quan nào.",
                         f"The mailbox {address} is no agency's clerk mailbox.", address=address)


@dataclass(frozen=True)
class Outcome:
    """What became of one message: filed, refused (quarantined, with reasons), a DSN, or a
    repeat of one handled before (``duplicate``: nothing changed)."""

    message: MailMessage
    duplicate: bool = False
    reasons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def filed(self) -> bool:
        """Whether the document entered the inbox."""
        return self.message.state == MailState.FILED

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``vanban mail import --json``."""
        message = self.message
        return {"state": message.state, "filed": self.filed, "duplicate": self.duplicate,
                "message_id": message.message_id, "mailbox": message.mailbox,
                "from": message.from_address, "subject": message.subject,
                "dkim": message.dkim, "raw_sha256": message.raw_sha256,
                "attachments": message.attachments,
                "transmission": str(message.transmission.message_id)
                if message.transmission else None,
                "verification": message.verification_id,
                "reasons": message.reasons or self.reasons}


def max_attachment_bytes() -> int:
    """Largest attachment the gateway files (``VANBAN_MAIL_MAX_ATTACHMENT_BYTES``, 25 MB as
    common mail systems allow)."""
    return int(getattr(settings, "VANBAN_MAIL_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT))


def receiving_agency(mailbox: str) -> Agency:
    """The local agency whose clerk mailbox ``mailbox`` is."""
    agency = Agency.objects.filter(mailbox__iexact=mailbox.strip(), installation="",
                                   active=True).first()
    if agency is None:
        raise UnknownMailbox(mailbox)
    return agency


def mail_receive(*, raw: bytes, mailbox: str) -> Outcome:
    """Judge ``raw`` read from ``mailbox`` and file it or keep it in quarantine, once.

    Raises :class:`UnknownMailbox` for a mailbox of no agency and
    :class:`~vanban.security.errors.ScannerUnavailable` when the scanner is down (nothing is
    recorded: the message is read again on the next pass).
    """
    recipient = receiving_agency(mailbox)
    address = recipient.mailbox.lower()
    limit = max_attachment_bytes()
    oversize = len(raw) > max_message_bytes(limit)
    mail = parse_message(raw, headers_only=oversize)
    message_id = mail.message_id or f"<{mail.body_sha256}@no-message-id>"
    existing = MailMessage.objects.filter(mailbox=address, message_id=message_id,
                                          body_sha256=mail.body_sha256).first()
    if existing is not None:
        return Outcome(message=existing, duplicate=True)
    if oversize:
        return _keep(raw, mail, message_id, recipient,
                     reasons=too_large(mail, max_attachment_bytes=limit))
    if mail.dsn:
        ports.dsn_handle(raw, mailbox=address)
        return _keep(raw, mail, message_id, recipient, state=MailState.DSN)
    sender = Agency.objects.filter(mailbox__iexact=mail.from_address, active=True).first() \
        if mail.from_address else None
    dkim = ports.dkim_check(raw)
    reasons = judge_message(mail, sender_known=sender is not None, dkim=dkim,
                            max_attachment_bytes=limit)
    if not reasons and address not in mail.addressed_to:
        # The signed To names another agency: a copy resent here by someone who received it
        # (DKIM still verifies) is not a document sent to this agency.
        reasons = [reason("wrong_mailbox", ", ".join(mail.addressed_to)[:200] or "—")]
    if reasons or sender is None:
        return _keep(raw, mail, message_id, recipient, reasons=reasons, dkim=dkim,
                     sender=sender)
    return _file(raw, mail, message_id, recipient, sender=sender, dkim=dkim)


def _file(raw: bytes, mail: ParsedMail, message_id: str, recipient: Agency, *,
          sender: Agency, dkim: Dkim) -> Outcome:
    """Intake, verification, the arrival port, then the row: in that order."""
    files = documents(mail.attachments)
    pdfs = [p for p in files if is_pdf(p)]
    try:
        accepted = intake_files(
            door=Door.MAIL, agency_code=sender.code,
            context={"channel": "mail", "message_id": message_id[:200]},
            groups=[FileGroup(parts=[p.data], what_vi="văn bản", what_en="document",
                              images=False, names=[p.name]) for p in pdfs])
    except ScannerUnavailable:
        raise
    except DomainError as err:
        return _keep(raw, mail, message_id, recipient, dkim=dkim, sender=sender,
                     reasons=[_refusal(err)])
    main = _main(pdfs, accepted)
    now = clock.now()
    verification = mail_verify(data=main.data, sender=sender, facts=MailFacts(
        message_id=message_id, mail_from=mail.from_address, received_at=now,
        dkim=dkim.evidence))
    ordered = [main, *[p for p in files if p is not main]]
    try:
        result = arrival_accept(Arrival(
            channel=Channel.MAIL, origin=mail.from_address,
            message_key=message_key(message_id, mail.body_sha256, recipient.mailbox),
            sender=sender,
            recipients=[recipient],
            header=_header(mail, message_id, sender), raw=raw,
            files=[ArrivedFile(name=p.name or f"tep-{i + 1}", data=p.data,
                               declared_type=p.content_type) for i, p in enumerate(ordered)],
            evidence={"message_id": message_id[:300], "dkim": dkim.evidence,
                      "from": mail.from_address, "mailbox": recipient.mailbox.lower(),
                      "body_sha256": mail.body_sha256},
            verification_id=verification.pk))
    except ScannerUnavailable:
        raise
    except DomainError as err:
        return _keep(raw, mail, message_id, recipient, dkim=dkim, sender=sender,
                     reasons=[_refusal(err)])
    return _keep(raw, mail, message_id, recipient, state=MailState.FILED, dkim=dkim,
                 sender=sender, verification_id=verification.pk,
                 transmission_id=result.transmission.pk)


def _refusal(err: DomainError) -> Reason:
    """The intake's refusal as a quarantine reason; malware has its own code, so the raw
    message carrying it is never offered for download."""
    code = "malware" if err.code == "malware_found" else "intake_refused"
    return reason(code, err.vi, detail_en=err.en)


def message_key(message_id: str, body_sha256: str, mailbox: str) -> str:
    """The arrival port's key (97 characters): the SHA-256 prefix of the receiving mailbox and
    the Message-ID, then the body's SHA-256. The mailbox is part of it: one message sent to two
    of our agencies is two arrivals, one in each inbox."""
    head = hashlib.sha256(f"{mailbox.lower()}\n{message_id}".encode()).hexdigest()[:32]
    return f"{head}|{body_sha256}"


def _main(pdfs: Sequence[Part], accepted: Sequence[Accepted]) -> Part:
    """The main document as the arrival port chooses it: the first signed PDF, else the first."""
    signed = [p for p, a in zip(pdfs, accepted, strict=True) if a.info.has_signatures]
    return (signed or list(pdfs))[0]


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10]) if value.strip() else None
    except ValueError:
        return None


def _header(mail: ParsedMail, message_id: str, sender: Agency) -> ArrivalHeader:
    """The register data the sending gateway put in X-Vanban headers, else the subject."""
    h = mail.headers
    priority = h.get("x-vanban-priority", "0").strip()
    business = h.get("x-vanban-business-type", "0").strip()
    return ArrivalHeader(
        document_id=h.get("x-vanban-document-id", "") or f"mail:{message_id}"[:200],
        subject=h.get("x-vanban-subject", "") or mail.subject or "(không có tiêu đề)",
        code_number=h.get("x-vanban-code-number", ""),
        code_notation=h.get("x-vanban-code-notation", ""),
        issued_date=_date(h.get("x-vanban-issued-date", "")),
        type_name=h.get("x-vanban-type-name", ""),
        priority=int(priority) if priority.isdigit() and int(priority) < 10 else 0,
        business_type=business if business in BusinessType.values else BusinessType.NEW,
        sent_at=mail.sent_at, due_date=_date(h.get("x-vanban-due-date", "")))


def _attachments(mail: ParsedMail) -> list[dict[str, Any]]:
    return [{"name": p.name, "type": p.content_type, "size": len(p.data), "sha256": p.sha256}
            for p in mail.attachments]


def _keep(raw: bytes, mail: ParsedMail, message_id: str, recipient: Agency, *,
          state: str = MailState.QUARANTINED, reasons: Sequence[Reason] = (),
          dkim: Dkim | None = None, sender: Agency | None = None,
          verification_id: int | None = None, transmission_id: int | None = None) -> Outcome:
    """The message's row (and raw blob) with its audit event, once; a concurrent writer's row
    wins."""
    blob = Blob.objects.filter(sha256=hashlib.sha256(raw).hexdigest()).first() \
        or blob_put(data=raw, content_type="message/rfc822")  # the port keeps a filed one
    found = [r.as_dict() for r in reasons]
    try:
        with transaction.atomic():
            row = MailMessage.objects.create(
                mailbox=recipient.mailbox.lower(), agency=recipient, message_id=message_id,
                body_sha256=mail.body_sha256, raw=blob, state=state,
                from_address=mail.from_address[:254], sender=sender,
                subject=mail.subject[:500], dkim=(dkim.evidence if dkim else "")[:300],
                attachments=_attachments(mail), reasons=found, received_at=clock.now(),
                verification_id=verification_id, transmission_id=transmission_id)
            audit_append(actor=None, action=f"mailgate.{state}", object_type="mailgate.message",
                         object_id=row.uid, agency_code=recipient.code,
                         data={"mailbox": row.mailbox, "message_id": message_id[:300],
                               "from": row.from_address, "raw_sha256": blob.sha256,
                               "reasons": [r.code for r in reasons]})
    except IntegrityError:  # the same message, handled by a concurrent pass
        row = MailMessage.objects.get(mailbox=recipient.mailbox.lower(), message_id=message_id,
                                      body_sha256=mail.body_sha256)
        return Outcome(message=row, duplicate=True)
    return Outcome(message=row, reasons=found)


__all__ = ["Outcome", "UnknownMailbox", "mail_receive", "max_attachment_bytes", "message_key",
           "receiving_agency"]
