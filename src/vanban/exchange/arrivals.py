"""The one arrival port (ADR 0015): every channel that brings a document from outside —
federation, the national axis, the official mailbox — hands it to :func:`arrival_accept`.

The channel reads its own message (edXML, MIME) and says who sent it, for whom, with which
files, and what it already knows (evidence, a verdict); the port does the rest the same way for
all: once per message, every file through the door's intake, the main document chosen by its
content, every file and the raw message kept, one delivery per recipient in the inbox, the
evidence record, the 01 status back where the channel carries statuses, and the verification.
The incoming side then sees a delivery, whatever its channel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.directory.models import Agency
from vanban.exchange import wire
from vanban.exchange.core import edxml, filetype, states
from vanban.exchange.models import Attachment, Channel, Delivery, Peer, Transmission
from vanban.exchange.services.common import OBJECT_TRANSMISSION, record, verify_after_commit
from vanban.pdfs.sniff import sniff
from vanban.security.errors import MalwareFound, ScannerUnavailable, Unscannable
from vanban.security.intake import Accepted, Door, FileGroup, intake_files
from vanban.security.scanner import get_scanner
from vanban.signatures.models import Verification
from vanban.storage.services import blob_put

# Channels that answer with edXML statuses (mail has none).
STATUS_CHANNELS = frozenset({Channel.FEDERATED, Channel.AXIS})
DOORS: dict[str, Door] = {Channel.FEDERATED: Door.FEDERATION, Channel.AXIS: Door.FEDERATION,
                          Channel.MAIL: Door.MAIL}
RAW_TYPES: dict[str, str] = {Channel.MAIL: "message/rfc822"}
# Attachments never kept, whatever else the message carries: the door refuses them.
PROGRAMS = frozenset({"exe", "elf"})


@dataclass(frozen=True)
class ArrivedFile:
    """One attachment as the channel received it."""

    name: str
    data: bytes               # the file itself, already unzipped by the channel's reader
    declared_type: str = ""   # the content type the message declared (kept as evidence)
    description: str = ""


@dataclass(frozen=True)
class ArrivalHeader:
    """What the message says about the document (edXML's header, or the mail's)."""

    document_id: str          # edXML DocumentId (or a key the channel makes, e.g. for mail)
    subject: str
    code_number: str = ""
    code_notation: str = ""
    issued_date: date | None = None
    type_name: str = ""
    priority: int = 0
    business_type: str = "0"  # exchange.models.BusinessType value
    related_document_id: str = ""
    reason: str = ""
    sent_at: datetime | None = None
    due_date: date | None = None


@dataclass(frozen=True)
class Arrival:
    """One message from outside, as its channel read it."""

    channel: str              # exchange.models.Channel value: "federated", "axis", "mail"
    origin: str               # peer installation id (federated and axis) / sender address (mail)
    message_key: str          # the channel's idempotency key (edXML message id, Message-ID+hash)
    sender: Agency
    recipients: Sequence[Agency]   # this installation's agencies it is for (at least one)
    header: ArrivalHeader
    files: Sequence[ArrivedFile]   # every attachment, in the order received
    raw: bytes                # the message exactly as received (edXML, .eml): kept as a blob
    evidence: Mapping[str, str] = field(default_factory=dict)  # channel facts for 'received'
    verification_id: int | None = None  # a verdict the channel already stored (mail); None:
                                        # the hub verifies the main file after commit
    # The intake's view of PDFs the channel already took through the same door (by SHA-256 of
    # the bytes): the port uses it instead of running the intake and the scanner again.
    intake: Mapping[str, Accepted] = field(default_factory=dict)


@dataclass(frozen=True)
class ArrivalResult:
    """The stored transmission and its deliveries; ``duplicate``: it was there already."""

    transmission: Transmission
    deliveries: list[Delivery]
    duplicate: bool


@dataclass(frozen=True)
class _Checked:
    """A file through the door: its bytes, detected type and (for a PDF) the intake's view."""

    file: ArrivedFile
    content_type: str
    accepted: Accepted | None


def arrival_accept(arrival: Arrival) -> ArrivalResult:
    """Store one arrival once (R4.1, R7.1, R16.1); a repeat of (channel, origin, message key)
    returns the stored one with ``duplicate`` and changes nothing.

    Call it outside any transaction: the intake audits a refused file in its own, and a
    scanner outage must refuse before anything is stored. The error of a refused file (the
    door's typed error) or of a message without a main document is raised as is.
    """
    found = _stored(arrival)
    if found is not None:
        return found
    if not arrival.recipients:
        raise ValidationFailed("Không có nơi nhận nào thuộc hệ thống này.",
                               "No recipient is served by this installation.",
                               code="no_local_recipient")
    checked = _check_files(arrival)
    main = _main(checked)
    for item in checked:  # files first: a committed row always has its file
        blob_put(data=item.file.data, content_type=item.content_type)
    raw = blob_put(data=arrival.raw, content_type=RAW_TYPES.get(arrival.channel,
                                                                "application/xml"))
    try:
        with transaction.atomic():
            return _store(arrival, checked, main, raw.sha256)
    except IntegrityError:  # the same message, stored by a concurrent call
        found = _stored(arrival)
        if found is None:
            raise
        return found


def _stored(arrival: Arrival) -> ArrivalResult | None:
    transmission = (Transmission.objects.select_related("sender")
                    .filter(channel=arrival.channel, origin=arrival.origin,
                            origin_message_id=arrival.message_key).first())
    if transmission is None:
        return None
    deliveries = list(transmission.deliveries.select_related("recipient"))
    return ArrivalResult(transmission=transmission, deliveries=deliveries, duplicate=True)


# ---------------------------------------------------------------- the door


def _check_files(arrival: Arrival) -> list[_Checked]:
    """Every PDF through the door's intake (type, PDF rules, scanner), every other file through
    the scanner; any refusal refuses the message, so nothing of it is stored half-checked. A
    program among the files, or no PDF at all, is refused by the door with the real kind."""
    door = DOORS.get(arrival.channel, Door.FEDERATION)
    context = {"channel": arrival.channel, "message_id": arrival.message_key,
               ("peer" if arrival.channel in STATUS_CHANNELS else "origin"): arrival.origin}
    pdfs = [f for f in arrival.files if sniff(f.data).code == "pdf"]
    programs = [f for f in arrival.files if sniff(f.data).code in PROGRAMS]
    if not pdfs or programs:  # the door refuses it with the file's real kind, audited
        first = next(iter(programs or arrival.files), None)
        if first is not None:
            intake_files(door=door, agency_code=arrival.sender.code, context=context,
                         groups=[FileGroup(parts=[first.data], what_vi="văn bản",
                                           what_en="document", images=False,
                                           names=[first.name])])
        raise ValidationFailed(
            "Thư không có văn bản chính (tệp PDF) nên không được nhận.",
            "The message carries no main document (a PDF) and is refused.",
            code="no_main_document")
    known = {id(f): arrival.intake.get(hashlib.sha256(f.data).hexdigest())
             for f in pdfs} if arrival.intake else {}
    unchecked = [f for f in pdfs if known.get(id(f)) is None]
    accepted = intake_files(
        door=door, agency_code=arrival.sender.code, context=context,
        groups=[FileGroup(parts=[f.data], what_vi="văn bản", what_en="document", images=False,
                          names=[f.name]) for f in unchecked]) if unchecked else []
    by_file: dict[int, Accepted] = {id(f): a for f, a in zip(unchecked, accepted, strict=True)}
    by_file.update({k: a for k, a in known.items() if a is not None})
    others = [f for f in arrival.files if id(f) not in by_file]
    _scan(door, others, agency_code=arrival.sender.code, context=context)
    return [_Checked(file=f, content_type=detected_type(f.data, f.name),
                     accepted=by_file.get(id(f))) for f in arrival.files]


def _scan(door: Door, files: Sequence[ArrivedFile], *, agency_code: str,
          context: Mapping[str, str]) -> None:
    """Files that are not PDFs through the malware scanner (the intake takes PDFs and page
    images only): malware, an unscannable file and an outage refuse the message, audited."""
    scanner = get_scanner()
    if scanner is None or not files:
        return
    for item in files:
        sha256 = hashlib.sha256(item.data).hexdigest()
        try:
            verdict = scanner.scan(item.data)
        except (Unscannable, ScannerUnavailable) as err:
            action = ("security.unscannable" if isinstance(err, Unscannable)
                      else "security.scan_unavailable")
            _audit_file(door, action, sha256, agency_code,
                        {"name": item.name[:200], "detail": err.detail[:300], **context})
            if isinstance(err, Unscannable):
                err.audited = True
            raise
        if verdict.infected:
            _audit_file(door, "security.malware_found", sha256, agency_code,
                        {"name": item.name[:200], "signature": verdict.signature,
                         "engine": verdict.engine, **context})
            found = MalwareFound(signature=verdict.signature, sha256=sha256, name=item.name)
            found.audited = True
            raise found


def _audit_file(door: Door, action: str, sha256: str, agency_code: str,
                data: Mapping[str, str]) -> None:
    audit_append(actor=None, action=action, object_type="security.file", object_id=sha256,
                 agency_code=agency_code, data={"door": str(door), "sha256": sha256, **data})


def _main(checked: Sequence[_Checked]) -> int:
    """The main document by content: the first PDF carrying a signature, else the first PDF
    (the channel's order and the declared types say nothing reliable, issue 10 observed 1)."""
    pdfs = [i for i, c in enumerate(checked) if c.accepted is not None]
    signed = [i for i in pdfs if (a := checked[i].accepted) is not None
              and a.info.has_signatures]
    return (signed or pdfs)[0]


# What the codec's detection names only as "bytes", told apart by the intake's sniffing.
_OTHER_KINDS: dict[str, str] = {
    "gif": "image/gif", "bmp": "image/bmp", "webp": "image/webp", "rar": "application/vnd.rar",
    "7z": "application/x-7z-compressed", "exe": "application/vnd.microsoft.portable-executable",
    "elf": "application/x-executable", "html": "text/html",
}
_OLE = {".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint"}


def detected_type(data: bytes, name: str = "") -> str:
    """The content type judged from the bytes, as the codec detects it (one rule for what
    ``vanban edxml inspect`` prints and what is stored); a PDF is one the intake takes, and the
    name only tells the old Office formats apart, which share one container."""
    kind = sniff(data).code
    if kind == "pdf":
        return filetype.PDF
    found = filetype.detect_type(data)
    if found == filetype.PDF:
        # "%PDF-" somewhere near the start but not at byte 0: not a PDF the intake checked, so
        # never stored (nor served inline) as one.
        return filetype.OCTET
    if found == filetype.DOC:
        suffix = name[name.rfind("."):].lower() if "." in name else ""
        return _OLE.get(suffix, filetype.DOC)
    if found in (filetype.OCTET, filetype.XML, filetype.TEXT) and kind in _OTHER_KINDS:
        return _OTHER_KINDS[kind]
    return found


# ---------------------------------------------------------------- storing


def _store(arrival: Arrival, checked: Sequence[_Checked], main: int,
           raw_sha256: str, *, verdict_of: tuple[str, int] | None = None) -> ArrivalResult:
    """The arrival's rows. ``verdict_of``: (SHA-256, sender id) the channel's verdict is
    known to be about (it stored it in this transaction), so it is matched without a query."""
    header = arrival.header
    now = clock.now()
    main_file = checked[main].file
    main_sha256 = hashlib.sha256(main_file.data).hexdigest()
    if verdict_of is not None and arrival.verification_id is not None:
        verdict = arrival.verification_id \
            if verdict_of == (main_sha256, arrival.sender.pk) else None
    else:
        verdict = _verdict_for(arrival, main_sha256)
    transmission = Transmission.objects.create(
        sender=arrival.sender, business_type=header.business_type,
        related=_related(arrival), channel=arrival.channel, origin=arrival.origin,
        origin_message_id=arrival.message_key, edxml_document_id=header.document_id[:200],
        code_number=header.code_number[:50], code_notation=header.code_notation[:50],
        issued_date=header.issued_date, type_name=header.type_name[:100],
        subject=header.subject[:500], priority=header.priority,
        file_sha256=main_sha256,
        file_name=main_file.name[:200], file_size=len(main_file.data),
        reason=header.reason[:500], due_date=header.due_date, raw_sha256=raw_sha256,
        verification_id=verdict, sent_at=header.sent_at or now)
    Attachment.objects.bulk_create([
        Attachment(transmission=transmission, position=i, name=c.file.name[:255] or f"{i + 1}",
                   sha256=hashlib.sha256(c.file.data).hexdigest(), size=len(c.file.data),
                   content_type=c.content_type, declared_type=c.file.declared_type[:100],
                   main=i == main, description=c.file.description[:500])
        for i, c in enumerate(checked)])
    deliveries = _deliver(arrival, transmission, now)
    if verdict is None and arrival.channel in STATUS_CHANNELS:
        # The background task verifies per peer; any other channel without a verdict of its
        # own is verified under its channel when the inbox first shows it.
        verify_after_commit({transmission.pk})
    audit_append(actor=None, action=_action(arrival.channel), object_type=OBJECT_TRANSMISSION,
                 object_id=transmission.message_id, agency_code=arrival.sender.code,
                 data={"channel": arrival.channel, "origin": arrival.origin,
                       "message_id": arrival.message_key, "recipients": len(deliveries),
                       "files": len(checked), "raw_sha256": raw_sha256})
    return ArrivalResult(transmission=transmission, deliveries=deliveries, duplicate=False)


def _verdict_for(arrival: Arrival, main_sha256: str) -> int | None:
    """The channel's verdict, linked only when it is about this main file from this sender:
    a verdict reached for another file (the channel chose another main document) would show
    one file's "valid" beside another; without a link the file is verified on first view."""
    if arrival.verification_id is None:
        return None
    fits = Verification.objects.filter(pk=arrival.verification_id, blob_id=main_sha256,
                                       sender_id=arrival.sender.pk).exists()
    return arrival.verification_id if fits else None


def _action(channel: str) -> str:
    """The audit action: federation keeps the name it always had."""
    return "exchange.federation_receive" if channel == Channel.FEDERATED \
        else f"exchange.{channel}_receive"


def _related(arrival: Arrival) -> Transmission | None:
    """The earlier document an update or replacement refers to, from the same origin."""
    if not arrival.header.related_document_id:
        return None
    return (Transmission.objects.filter(channel=arrival.channel, origin=arrival.origin,
                                        edxml_document_id=arrival.header.related_document_id)
            .order_by("-id").first())


def _deliver(arrival: Arrival, transmission: Transmission, now: datetime) -> list[Delivery]:
    """One delivery per recipient in its inbox (01), its evidence, and the 01 status back."""
    from vanban.exchange.services.outbox import enqueue_status

    peer = None
    if arrival.channel in STATUS_CHANNELS:
        peer = Peer.objects.filter(installation_id=arrival.origin).first()
    out: list[Delivery] = []
    seen: set[int] = set()
    for agency in arrival.recipients:
        if agency.pk in seen:
            continue
        seen.add(agency.pk)
        delivery = Delivery.objects.create(
            transmission=transmission, recipient=agency, channel=arrival.channel,
            state=states.State.ARRIVED, sent_at=transmission.sent_at, received_at=now,
            status_at=now)
        record(actor=None, event="received", delivery=delivery, at=now,
               extra={"code": states.Code.ARRIVED.value, "channel": arrival.channel,
                      **dict(arrival.evidence)})
        if peer is not None:
            enqueue_status(delivery=delivery, code=states.Code.ARRIVED, reason="", at=now,
                           from_sender=False, peer=peer)
        out.append(delivery)
    return out


def edoc_arrival(message: edxml.EdocMessage, *, channel: str, origin: str, key: str,
                 sender: Agency, raw: bytes, evidence: Mapping[str, str]) -> Arrival:
    """A read edXML document as an arrival for :func:`arrival_accept`
    (federation and the national axis share it): the recipients this installation serves,
    every attachment as read (unzipped by the codec) with the type the message declared."""
    codes = [o.organ_id for o in message.recipients if o.organ_id]
    known = {a.code: a for a in Agency.objects.filter(code__in=codes)}  # one query
    local: list[Agency] = []
    for code in codes:
        agency = known.get(code)
        if agency is not None and not agency.installation and agency not in local:
            local.append(agency)
    header = ArrivalHeader(
        document_id=message.document_id, subject=message.subject,
        code_number=message.code_number, code_notation=message.code_notation,
        issued_date=message.promulgation_date, type_name=message.type_name,
        priority=message.priority, business_type=wire.ROW_BUSINESS[message.business_type],
        related_document_id=message.business.document_id, reason=message.business.reason,
        sent_at=next((h.timestamp for h in message.trace if h.timestamp), None),
        due_date=message.due_date)
    return Arrival(channel=channel, origin=origin, message_key=key, sender=sender,
                   recipients=local, header=header, files=_arrived_files(message.attachments),
                   raw=raw, evidence=dict(evidence))


def _arrived_files(attachments: Sequence[edxml.Attachment]) -> list[ArrivedFile]:
    return [ArrivedFile(name=a.name, data=a.data,
                        declared_type=a.content_type or getattr(a, "manifest_type", ""),
                        description=a.description) for a in attachments]
