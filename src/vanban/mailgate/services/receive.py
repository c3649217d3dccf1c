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
from datetime import date, datetime
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
    """The local agency whose clerk mailbox ``mailbox`` is (a disabled mailbox is no one's:
    nothing is read from it)."""
    agency = Agency.objects.filter(mailbox__iexact=mailbox.strip(), installation="",
                                   active=True).first()
    if agency is None or ports.mailbox_refused(mailbox):
        raise UnknownMailbox(mailbox)
    return agency


@dataclass
class Run:
    """What one pass over a mailbox learns once and uses for every message: the receiving
    agency, the limits, the time the pass judges at, the senders met, and the verdicts
    reached on identical PDF bytes from the same sender at that same time (R4.1: every
    distinct PDF is verified; the same bytes within one pass share one verdict)."""

    recipient: Agency
    now: datetime = field(default_factory=clock.now)
    limit: int = field(default_factory=max_attachment_bytes)
    senders: dict[str, Agency | None] = field(default_factory=dict)
    refused: dict[str, bool] = field(default_factory=dict)
    verdicts: dict[tuple[str, int], int] = field(default_factory=dict)
    keys: dict[tuple[str, str], object] = field(default_factory=ports.dkim_keys)

    @classmethod
    def of(cls, mailbox: str) -> Run:
        """A run reading ``mailbox`` (raises :class:`UnknownMailbox`)."""
        return cls(recipient=receiving_agency(mailbox))

    def sender(self, address: str) -> Agency | None:
        """The agency whose registered, active clerk mailbox ``address`` is."""
        if address not in self.senders:
            found = Agency.objects.filter(mailbox__iexact=address, active=True).first() \
                if address else None
            self.senders[address] = found
        return self.senders[address]

    def mailbox_refused(self, address: str) -> bool:
        """:func:`ports.mailbox_refused`, asked once per address in a pass."""
        if address not in self.refused:
            self.refused[address] = ports.mailbox_refused(address)
        return self.refused[address]


@dataclass(frozen=True)
class Judged:
    """One message read and judged: what it is, who sent it, what DKIM said, every reason
    to refuse it (empty: it may be filed)."""

    mail: ParsedMail
    message_id: str
    reasons: list[Reason]
    sender: Agency | None = None
    dkim: Dkim | None = None


@dataclass(frozen=True)
class Filed:
    """The records of a filed message."""

    verification_id: int
    transmission_id: int


def mail_receive(*, raw: bytes, mailbox: str, run: Run | None = None) -> Outcome:
    """Judge ``raw`` read from ``mailbox`` and file it or keep it in quarantine, once.

    Raises :class:`UnknownMailbox` for a mailbox of no agency and
    :class:`~vanban.security.errors.ScannerUnavailable` when the scanner is down (nothing is
    recorded: the message is read again on the next pass). ``run``: the pass it belongs to.
    """
    run = run or Run.of(mailbox)
    recipient = run.recipient
    address = recipient.mailbox.lower()
    oversize = len(raw) > max_message_bytes(run.limit)
    mail = parse_message(raw, headers_only=oversize)
    message_id = mail.message_id or f"<{mail.body_sha256}@no-message-id>"
    existing = MailMessage.objects.filter(mailbox=address, message_id=message_id,
                                          body_sha256=mail.body_sha256).first()
    if existing is not None:
        return Outcome(message=existing, duplicate=True)
    if oversize:
        return _keep(raw, mail, message_id, recipient,
                     reasons=too_large(mail, max_attachment_bytes=run.limit))
    if mail.dsn:
        ports.dsn_handle(raw, mailbox=address)
        return _keep(raw, mail, message_id, recipient, state=MailState.DSN)
    judged = judge(raw, mail, message_id, run)
    filed = file_judged(raw, judged, run) if not judged.reasons else judged.reasons
    if isinstance(filed, Filed):
        return _keep(raw, mail, message_id, recipient, state=MailState.FILED, dkim=judged.dkim,
                     sender=judged.sender, verification_id=filed.verification_id,
                     transmission_id=filed.transmission_id)
    return _keep(raw, mail, message_id, recipient, reasons=filed, dkim=judged.dkim,
                 sender=judged.sender)


def judge(raw: bytes, mail: ParsedMail, message_id: str, run: Run) -> Judged:
    """Every rule of R4.1 and R3.1 on one parsed message, before its files are opened."""
    address = run.recipient.mailbox.lower()
    sender = run.sender(mail.from_address)
    dkim = ports.dkim_check(raw, run.keys)
    reasons = judge_message(mail, sender_known=sender is not None, dkim=dkim,
                            max_attachment_bytes=run.limit)
    if sender is not None and run.mailbox_refused(mail.from_address):
        # The directory still names it, but the mail system's row is disabled (or a
        # person's): never an agency's official sender (R13.1).
        reasons = [reason("mailbox_disabled", mail.from_address), *reasons]
        sender = None
    if not reasons and address not in mail.addressed_to:
        # The signed To names another agency: a copy resent here by someone who received it
        # (DKIM still verifies) is not a document sent to this agency.
        reasons = [reason("wrong_mailbox", ", ".join(mail.addressed_to)[:200] or "—")]
    if sender is None and not reasons:
        reasons = [reason("unknown_sender", mail.from_address)]
    return Judged(mail=mail, message_id=message_id, reasons=reasons, sender=sender, dkim=dkim)


def file_judged(raw: bytes, judged: Judged, run: Run) -> Filed | list[Reason]:
    """Intake (once: its verdict goes along to the arrival port), verification, the arrival
    port; the reasons instead when the intake or the port refuses the message."""
    mail, message_id, sender, dkim = judged.mail, judged.message_id, judged.sender, judged.dkim
    if sender is None or dkim is None:  # never so: a message without reasons has both
        return [reason("unknown_sender", mail.from_address)]
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
        return [_refusal(err)]
    main = _main(pdfs, accepted)
    verification_id = _verified(main, sender, judged, run)
    ordered = [main, *[p for p in files if p is not main]]
    recipient = run.recipient
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
            verification_id=verification_id,
            intake={p.sha256: a for p, a in zip(pdfs, accepted, strict=True)}))
    except ScannerUnavailable:
        raise
    except DomainError as err:
        return [_refusal(err)]
    return Filed(verification_id=verification_id, transmission_id=result.transmission.pk)


def _verified(main: Part, sender: Agency, judged: Judged, run: Run) -> int:
    """The verification of the main PDF; identical bytes from the same sender met earlier in
    this pass share its verdict (same validation time)."""
    key = (main.sha256, sender.pk)
    if key not in run.verdicts:
        run.verdicts[key] = mail_verify(data=main.data, sender=sender, facts=MailFacts(
            message_id=judged.message_id, mail_from=judged.mail.from_address,
            received_at=run.now, dkim=judged.dkim.evidence if judged.dkim else "")).pk
    return run.verdicts[key]


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


def attachment_rows(mail: ParsedMail) -> list[dict[str, Any]]:
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
                attachments=attachment_rows(mail), reasons=found, received_at=clock.now(),
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


__all__ = ["Filed", "Judged", "Outcome", "Run", "UnknownMailbox", "attachment_rows",
           "file_judged", "judge", "mail_receive", "max_attachment_bytes", "message_key",
           "receiving_agency"]
