"""Judging and filing one received message (R4.1, R3.1, R16.1): what the gateway does with
every message it reads, and what ``vanban mail import`` does with one file.

Once per message: the (mailbox, Message-ID, body SHA-256) row is written only after the
filing committed, and the arrival port is idempotent on the same key, so a gateway stopped at
any point files nothing twice and loses nothing when it reads the mailbox again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import DomainError, ValidationFailed
from vanban.directory.models import Agency
from vanban.exchange.arrivals import Arrival, ArrivalHeader, ArrivalResult, ArrivedFile
from vanban.exchange.arrivals_batch import (
    CheckedArrival,
    arrival_check,
    arrival_store,
    arrivals_stored,
    blob_files_put,
    blob_rows_put,
)
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
from vanban.pdfs.inspect import PdfInfo
from vanban.security.errors import ScannerUnavailable
from vanban.security.intake import Accepted, Door, FileGroup, intake_files
from vanban.signatures.verification.mail import (
    MailExamined,
    MailFacts,
    mail_examine,
    mail_record,
    mail_verifications_of,
)
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
    found = mail_receive_many(raws=[raw], mailbox=mailbox, run=run)[0]
    if isinstance(found, Exception):
        raise found
    return found


def mail_receive_many(*, raws: Sequence[bytes], mailbox: str, run: Run | None = None
                      ) -> list[Outcome | Exception]:
    """:func:`mail_receive` for a batch of messages read together, in order: each outcome,
    or the error that left that message unhandled (it is read again on the next pass).

    Group commit: every message is read, judged and examined first, outside any
    transaction (a refusal is kept in quarantine at once, as one message would be); the files
    of the messages to file are written together; then all of them are filed in one
    transaction (each in a savepoint, so one failing message leaves the others filed).

    One fallback: if a step shared by the batch fails (looking up the rows, verdicts or
    arrivals stored, writing the files, or the transaction as a whole), each message not yet
    done is taken on alone from where it stood (:func:`_each_alone`): what the batch did
    for it stays done (a refusal kept, a message judged and examined is not judged again),
    and a message that fails alone keeps its own error. Once per message holds as for one:
    a message's rows commit together or not at all, and a message is reported filed only
    after its rows committed.
    """
    run = run or Run.of(mailbox)
    messages = [_Message(raw=raw, oversize=len(raw) > max_message_bytes(run.limit))
                for raw in raws]
    try:
        _handle(messages, run)
    except Exception:
        if len(messages) == 1:
            raise
        logger.exception("mail gateway: a batch of %d could not be handled together; "
                         "handling each on its own", len(messages))
        _each_alone(messages, run)
    return [m.done if m.done is not None else _unhandled(m.message_id) for m in messages]


@dataclass(eq=False)
class _Message:
    """One message of a batch and how far it got: parsed, ready to file (judged, through the
    intake, its verdict reached), done (an outcome, or the error that left it unhandled)."""

    raw: bytes
    oversize: bool
    mail: ParsedMail | None = None
    ready: Ready | None = None
    done: Outcome | Exception | None = None

    @property
    def message_id(self) -> str:
        """The Message-ID, or one made of the body's hash when the message has none."""
        if self.mail is None:
            return "?"
        return self.mail.message_id or f"<{self.mail.body_sha256}@no-message-id>"


def _each_alone(messages: Sequence[_Message], run: Run) -> None:
    """The batch's one fallback: every message not done taken on as a batch of one, so a
    step that fails for one message fails only that message."""
    for message in messages:
        if message.done is not None:
            continue
        try:
            _handle([message], run)
        except Exception as err:  # this message only: read again on the next pass
            if message.ready is not None:
                _forget(message.ready, run)
            message.done = err


def _handle(messages: Sequence[_Message], run: Run) -> None:
    """Take ``messages`` as far as they go together, each from where it stands: parse, look
    up the rows and verdicts stored (one query each), judge and prepare, then file the ready
    ones together (:func:`_file`). Sets ``done`` on every message it finishes; raises when a
    step shared by them fails, leaving what it did in place."""
    address = run.recipient.mailbox.lower()
    fresh: list[tuple[_Message, ParsedMail]] = []
    for message in messages:
        if message.done is not None or message.ready is not None:
            continue
        if message.mail is None:
            try:
                message.mail = parse_message(message.raw, headers_only=message.oversize)
            except Exception as err:  # this message only: left unread
                message.done = err
                continue
        fresh.append((message, message.mail))
    existing = {(m.message_id, m.body_sha256): m for m in MailMessage.objects.filter(
        mailbox=address, message_id__in={m.message_id for m, _ in fresh})} if fresh else {}
    _verdicts_read(_pdf_keys([mail for m, mail in fresh if not m.oversize], run), run)
    later: list[tuple[_Message, ParsedMail]] = []  # a second copy: after the first
    seen: set[tuple[str, str]] = set()
    for message, mail in fresh:
        key = (message.message_id, mail.body_sha256)
        if key in existing:
            message.done = Outcome(message=existing[key], duplicate=True)
        elif key in seen:
            later.append((message, mail))
        else:
            seen.add(key)
            try:
                found = _prepare(message.raw, message.oversize, mail, message.message_id, run)
            except Exception as err:  # ScannerUnavailable or a fault of ours: left unread
                message.done = err
                continue
            if isinstance(found, Ready):
                message.ready = found
            else:
                message.done = found
    _file([m for m in messages if m.ready is not None and m.done is None], run)
    for message, mail in later:
        message.done = _handled_before(address, message.message_id, mail) \
            or _unhandled(message.message_id)


def _file(messages: Sequence[_Message], run: Run) -> None:
    """File the ready ``messages`` together (:func:`_commit`), after one query for the
    arrivals already stored; a message whose rows a concurrent pass wrote first is that
    pass's duplicate."""
    ready = [m.ready for m in messages if m.ready is not None]
    if not ready:
        return
    stored = arrivals_stored([r.item.arrival for r in ready])  # one query, not one each
    ready = [replace(r, stored=stored.get(r.item.arrival.message_key)) for r in ready]
    for message, item, outcome in zip(messages, ready, _commit(ready, run, _file_one),
                                      strict=True):
        message.done = _resolved(item, run, outcome)


def _unhandled(message_id: str) -> Exception:
    return RuntimeError(f"message {message_id[:100]} was not handled")


def _pdf_keys(mails: Sequence[ParsedMail], run: Run) -> set[tuple[str, int]]:
    """(SHA-256, sender id) of every PDF of ``mails`` from a known sender: the keys verdicts
    are stored and shared under."""
    keys: set[tuple[str, int]] = set()
    for mail in mails:
        sender = run.sender(mail.from_address)
        if sender is not None:
            keys.update((p.sha256, sender.pk) for p in documents(mail.attachments) if is_pdf(p))
    return keys


def _verdicts_read(keys: set[tuple[str, int]], run: Run) -> None:
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


def _prepare(raw: bytes, oversize: bool, mail: ParsedMail, message_id: str,
             run: Run) -> Outcome | Ready:
    """One message up to its filing: a refusal, a DSN or an oversize message is kept at
    once; a message to file comes back :class:`Ready`."""
    recipient = run.recipient
    if oversize:
        return _keep(raw, mail, message_id, recipient,
                     reasons=too_large(mail, max_attachment_bytes=run.limit))
    if mail.dsn:
        ports.dsn_handle(raw, mailbox=recipient.mailbox.lower())
        return _keep(raw, mail, message_id, recipient, state=MailState.DSN)
    judged = judge(raw, mail, message_id, run)
    found = filing_prepare(raw, judged, run, lookup=False) if not judged.reasons \
        else judged.reasons
    if isinstance(found, Ready):
        return found
    return _keep(raw, mail, message_id, recipient, reasons=found, dkim=judged.dkim,
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


@dataclass(frozen=True)
class Ready:
    """A message judged, through the intake and the door, its verdict reached: only its
    rows are left to write (:func:`_file_rows`)."""

    raw: bytes
    judged: Judged
    item: CheckedArrival
    main: Part
    verdict: int | MailExamined
    stored: ArrivalResult | None = None

    def blobs(self) -> list[tuple[bytes, str]]:
        """Every file the filing keeps: the attachments and the raw message."""
        return self.item.blobs()


def file_judged(raw: bytes, judged: Judged, run: Run) -> Filed | list[Reason]:
    """Intake (once: its verdict goes along to the arrival port), verification, the arrival
    port; the reasons instead when the intake or the port refuses the message. The records
    are written in one transaction (:func:`_commit`); raises what kept them from it."""
    found = filing_prepare(raw, judged, run)
    if not isinstance(found, Ready):
        return found
    filed = _commit([found], run, _file_rows)[0]
    if isinstance(filed, Exception):
        raise filed
    return filed


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
        _verdicts_read({key}, run)  # nothing to ask when the batch looked already
    if key not in run.verdicts:
        run.verdicts[key] = mail_examine(data=main.data, sender=sender,
                                         facts=_facts(judged, run), info=info)
    return run.verdicts[key]


def _facts(judged: Judged, run: Run) -> MailFacts:
    """What the gateway established about the message carrying the document, as the
    verification records it."""
    return MailFacts(message_id=judged.message_id, mail_from=judged.mail.from_address,
                     received_at=run.now, dkim=judged.dkim.evidence if judged.dkim else "")


def _file_rows(ready: Ready, run: Run, made: dict[tuple[str, int], int]) -> Filed:
    """The records of one filing, in the caller's transaction: the verification (unless
    stored), the arrival's rows (unless stored). ``made``: verdicts stored in this
    transaction, by (SHA-256, sender), for the pass to reuse once it commits."""
    sender = ready.item.arrival.sender
    key = (ready.main.sha256, sender.pk)
    verdict = made.get(key, ready.verdict)
    if isinstance(verdict, MailExamined):
        verdict = mail_record(verdict, sender, new=key in run.looked,
                              facts=_facts(ready.judged, run)).pk
        made[key] = verdict
    if ready.stored is not None:
        return Filed(verification_id=verdict, transmission_id=ready.stored.transmission.pk)
    result = arrival_store(ready.item, verification_id=verdict,
                           verified_sha256=ready.main.sha256)
    return Filed(verification_id=verdict, transmission_id=result.transmission.pk)


class BatchBroken(RuntimeError):
    """The batch's transaction can no longer commit (a savepoint could not be rolled back,
    or the connection is gone): it is rolled back, nothing in it is reported filed, and the
    one fallback (:func:`_each_alone`) files every message of it on its own."""


def _broken() -> bool:
    """Whether the current transaction is doomed: Django rolls back an atomic block marked
    ``needs_rollback`` without raising, so filing on in it would report rows never stored."""
    connection = transaction.get_connection()
    return bool(connection.needs_rollback or connection.closed_in_transaction
                or connection.connection is None or not connection.is_usable())


Written = TypeVar("Written")


def _commit(ready: Sequence[Ready], run: Run,
            write: Callable[[Ready, Run, dict[tuple[str, int], int]], Written]
            ) -> list[Written | Exception]:
    """Commit prepared filings, the one way the gateway does: their files first (durable
    before any row), then one transaction holding the blob rows and a savepoint per filing in
    which ``write`` writes its records. Each result, or the error that rolled back that
    filing alone, is returned only once the transaction committed, and the verdicts stored in
    it are kept for the pass only then (a verdict stored in a savepoint rolled back is
    forgotten). Raises, nothing reported, when the files fail or the transaction can no
    longer commit."""
    blobs = [b for r in ready for b in r.blobs()]
    blob_files_put(blobs)
    out: list[Written | Exception] = []
    made: dict[tuple[str, int], int] = {}
    with transaction.atomic():
        blob_rows_put(blobs)
        for item in ready:
            before = dict(made)
            try:
                with transaction.atomic():
                    out.append(write(item, run, made))
            except Exception as err:  # this filing only: rolled back to its savepoint
                if _broken():
                    raise BatchBroken(f"message {item.judged.message_id[:100]}: {err!r}"
                                      ) from err
                made.clear()
                made.update(before)  # a verdict stored in the savepoint is gone too
                _forget(item, run)
                logger.warning("mail gateway: %s not filed: %s",
                               item.judged.message_id[:100], err)
                out.append(err)
        if _broken():  # leaving the block would roll it back without a word
            raise BatchBroken("the transaction cannot commit")
    run.verdicts.update(made)
    return out


def _forget(item: Ready, run: Run) -> None:
    """After a failed filing, look its verdict up again rather than insert it blindly: a
    record stored meanwhile (a rejudge, an import) must not fail every later message with
    these bytes."""
    sender = item.item.arrival.sender
    run.looked.discard((item.main.sha256, sender.pk))


def _resolved(ready: Ready, run: Run, outcome: Outcome | Exception) -> Outcome | Exception:
    """A message whose rows a concurrent pass wrote first is that pass's (a duplicate)."""
    if not isinstance(outcome, IntegrityError):
        return outcome
    return _handled_before(run.recipient.mailbox, ready.judged.message_id,
                           ready.judged.mail) or outcome


def _handled_before(mailbox: str, message_id: str, mail: ParsedMail) -> Outcome | None:
    """The row another pass (or an earlier copy in this batch) wrote for this message, as a
    duplicate: the one lookup of "already handled" after the fact."""
    row = MailMessage.objects.filter(mailbox=mailbox.lower(), message_id=message_id,
                                     body_sha256=mail.body_sha256).first()
    return Outcome(message=row, duplicate=True) if row is not None else None


def _file_one(ready: Ready, run: Run, made: dict[tuple[str, int], int]) -> Outcome:
    """One message's records and its row, in the caller's transaction."""
    filed = _file_rows(ready, run, made)
    judged = ready.judged
    return _row(judged.mail, judged.message_id, run.recipient,
                raw_sha256=ready.item.raw_sha256, state=MailState.FILED, dkim=judged.dkim,
                sender=judged.sender, verification_id=filed.verification_id,
                transmission_id=filed.transmission_id)


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
          dkim: Dkim | None = None, sender: Agency | None = None) -> Outcome:
    """The row (and raw blob) of a message not filed, with its audit event, once; a
    concurrent writer's row wins."""
    blob = Blob.objects.filter(sha256=hashlib.sha256(raw).hexdigest()).first() \
        or blob_put(data=raw, content_type="message/rfc822")
    try:
        with transaction.atomic():
            return _row(mail, message_id, recipient, raw_sha256=blob.sha256, state=state,
                        reasons=reasons, dkim=dkim, sender=sender)
    except IntegrityError:  # the same message, handled by a concurrent pass
        found = _handled_before(recipient.mailbox, message_id, mail)
        if found is None:
            raise
        return found


def _row(mail: ParsedMail, message_id: str, recipient: Agency, *, raw_sha256: str,
         state: str = MailState.QUARANTINED, reasons: Sequence[Reason] = (),
         dkim: Dkim | None = None, sender: Agency | None = None,
         verification_id: int | None = None, transmission_id: int | None = None) -> Outcome:
    """The message's row with its audit event, in the caller's transaction (the raw blob
    stored)."""
    found = [r.as_dict() for r in reasons]
    row = MailMessage.objects.create(
        mailbox=recipient.mailbox.lower(), agency=recipient, message_id=message_id,
        body_sha256=mail.body_sha256, raw_id=raw_sha256, state=state,
        from_address=mail.from_address[:254], sender=sender,
        subject=mail.subject[:500], dkim=(dkim.evidence if dkim else "")[:300],
        attachments=attachment_rows(mail), reasons=found, received_at=clock.now(),
        verification_id=verification_id, transmission_id=transmission_id)
    audit_append(actor=None, action=f"mailgate.{state}", object_type="mailgate.message",
                 object_id=row.uid, agency_code=recipient.code,
                 data={"mailbox": row.mailbox, "message_id": message_id[:300],
                       "from": row.from_address, "raw_sha256": raw_sha256,
                       "reasons": [r.code for r in reasons]})
    return Outcome(message=row, reasons=found)


__all__ = ["Filed", "Judged", "Outcome", "Ready", "Run", "UnknownMailbox", "attachment_rows",
           "file_judged", "filing_prepare", "judge", "mail_receive", "mail_receive_many",
           "max_attachment_bytes", "message_key", "receiving_agency"]
