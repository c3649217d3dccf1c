"""Judging one message and preparing its filing (R4.1, R3.1, R16.1): the pass it belongs to,
every rule on the parsed message, the intake, the arrival port's door and the mail-path verdict
on the main PDF. Nothing here writes a row of the gateway's own; the intake audits its
refusals as always."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings

from vanban.core import clock
from vanban.core.errors import DomainError, ValidationFailed
from vanban.directory.models import Agency
from vanban.exchange.arrivals import Arrival, ArrivalHeader, ArrivalResult, ArrivedFile
from vanban.exchange.arrivals_batch import CheckedArrival, arrival_check, arrivals_stored
from vanban.exchange.models import BusinessType, Channel
from vanban.mailgate.core.judge import Dkim, Reason, documents, is_pdf, judge_message, reason
from vanban.mailgate.core.message import ParsedMail, Part
from vanban.mailgate.services import ports
from vanban.pdfs.inspect import PdfInfo
from vanban.security.errors import ScannerUnavailable
from vanban.security.intake import Accepted, Door, FileGroup, intake_files
from vanban.signatures.verification.mail import (
    MailExamined,
    MailFacts,
    mail_examine,
    mail_verifications_of,
)

DEFAULT_MAX_ATTACHMENT = 25 * 1024 * 1024


class UnknownMailbox(ValidationFailed):
    """The mailbox is not an agency's clerk mailbox on this installation."""

    code = "unknown_mailbox"

    def __init__(self, address: str) -> None:
        super().__init__(f"Hộp thư {address} không phải hộp thư văn thư của cơ quan nào.",
                         f"The mailbox {address} is no agency's clerk mailbox.", address=address)


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
    verdicts: dict[tuple[str, int], int | MailExamined] = field(default_factory=dict)
    looked: set[tuple[str, int]] = field(default_factory=set)  # verdicts asked for
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


def pdf_keys(mails: Sequence[ParsedMail], run: Run) -> set[tuple[str, int]]:
    """(SHA-256, sender id) of every PDF of ``mails`` from a known sender: the keys verdicts
    are stored and shared under."""
    keys: set[tuple[str, int]] = set()
    for mail in mails:
        sender = run.sender(mail.from_address)
        if sender is not None:
            keys.update((p.sha256, sender.pk) for p in documents(mail.attachments) if is_pdf(p))
    return keys


def verdicts_read(keys: set[tuple[str, int]], run: Run) -> None:
    """The stored mail-path verdicts on ``keys`` not looked up yet in this pass, in one query
    (a batch asks for all its PDFs at once; a message filed alone for its main one). A key
    with no stored verdict is examined; one with it reuses it."""
    keys = keys - run.looked
    if not keys:
        return
    found = mail_verifications_of(sha256s=[k[0] for k in keys], sender_ids=[k[1] for k in keys])
    for key in keys:
        if key in found:  # a stored record replaces a verdict reached but not stored
            run.verdicts[key] = found[key].pk
    run.looked.update(keys)


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


@dataclass(frozen=True)
class Ready:
    """A message judged, through the intake and the door, its verdict reached: only its
    rows are left to write (:func:`file_rows`)."""

    raw: bytes
    judged: Judged
    item: CheckedArrival
    main: Part
    verdict: int | MailExamined
    stored: ArrivalResult | None = None

    def blobs(self) -> list[tuple[bytes, str]]:
        """Every file the filing keeps: the attachments and the raw message."""
        return self.item.blobs()


def filing_prepare(raw: bytes, judged: Judged, run: Run, *, lookup: bool = True
                   ) -> Ready | list[Reason]:
    """Everything of a filing that writes no record, outside any transaction: the intake
    (its refusals audited as always), the main document, the mail-path verdict (examined
    once), the arrival port's door. The reasons when the message is refused. ``lookup``:
    whether to ask now if the arrival is stored (a batch asks once for all)."""
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
    ordered = [main, *[p for p in files if p is not main]]
    recipient = run.recipient
    arrival = Arrival(
        channel=Channel.MAIL, origin=mail.from_address,
        message_key=message_key(message_id, mail.body_sha256, recipient.mailbox),
        sender=sender, recipients=[recipient],
        header=_header(mail, message_id, sender), raw=raw,
        files=[ArrivedFile(name=p.name or f"tep-{i + 1}", data=p.data,
                           declared_type=p.content_type) for i, p in enumerate(ordered)],
        evidence={"message_id": message_id[:300], "dkim": dkim.evidence,
                  "from": mail.from_address, "mailbox": recipient.mailbox.lower(),
                  "body_sha256": mail.body_sha256},
        intake={p.sha256: a for p, a in zip(pdfs, accepted, strict=True)})
    stored = arrivals_stored([arrival]).get(arrival.message_key) if lookup else None
    try:
        item = arrival_check(arrival)
    except ScannerUnavailable:
        raise
    except DomainError as err:
        return [_refusal(err)]
    return Ready(raw=raw, judged=judged, item=item, main=main,
                 verdict=_verdict(main, arrival.intake[main.sha256].info, sender, judged,
                                  run), stored=stored)


def _verdict(main: Part, info: PdfInfo, sender: Agency, judged: Judged, run: Run
             ) -> int | MailExamined:
    """The verdict on the main PDF: the stored record's id when there is one, else examined
    (once per message) with the intake's inspection ``info`` of it, so the PDF is inspected
    once. Identical bytes from the same sender met earlier in this pass share it (same
    validation time)."""
    key = (main.sha256, sender.pk)
    if key not in run.verdicts:
        verdicts_read({key}, run)  # nothing to ask when the batch looked already
    if key not in run.verdicts:
        run.verdicts[key] = mail_examine(data=main.data, sender=sender,
                                         facts=mail_facts(judged, run), info=info)
    return run.verdicts[key]


def mail_facts(judged: Judged, run: Run) -> MailFacts:
    """What the gateway established about the message carrying the document, as the
    verification records it."""
    return MailFacts(message_id=judged.message_id, mail_from=judged.mail.from_address,
                     received_at=run.now, dkim=judged.dkim.evidence if judged.dkim else "")


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
