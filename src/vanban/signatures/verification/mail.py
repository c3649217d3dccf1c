"""The verification of a document that came by the official mail road (R4.1).

The mail gateway has already judged the message (a registered clerk mailbox of the sender,
a DKIM signature of the province by the sender's domain). This records the verdict in the same
:class:`Verification` as every other arrival, ``path=mail`` with the ``mail_*`` fields:

* a PDF that carries a signature is verified as on the hub (signer = the sending agency);
* an unsigned PDF (a scan) is valid by the mail rule alone: the two mail checks stand in for
  the signature, and the record says so.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.directory.models import Agency
from vanban.pdfs.inspect import PdfInfo
from vanban.signatures.arrival import arrival_keep
from vanban.signatures.models import ArrivalChannel, Verdict, Verification, VerificationPath
from vanban.signatures.verification.checks import Check, Code, Status, complete, is_valid
from vanban.signatures.verification.evidence import verification_evidence
from vanban.signatures.verification.services import _run, fingerprint
from vanban.signatures.verification.signature import Examined

ACTION = "signatures.mail_verify"
MAIL_SENDER = "mail_sender"
MAIL_DKIM = "mail_dkim"


@dataclass(frozen=True)
class MailFacts:
    """What the gateway established about the message that carried the document."""

    message_id: str
    mail_from: str
    received_at: datetime
    dkim: str  # "pass d=… s=…"


def _mail_checks(sender: Agency, facts: MailFacts) -> list[Check]:
    return [
        Check(MAIL_SENDER, Status.PASS,
              f"Thư gửi từ hộp thư văn thư đã đăng ký của {sender.name} ({facts.mail_from}).",
              f"Sent from the registered clerk mailbox of {sender.name} ({facts.mail_from})."),
        Check(MAIL_DKIM, Status.PASS,
              f"Chữ ký DKIM của hệ thống thư công vụ tỉnh hợp lệ ({facts.dkim}).",
              f"The provincial mail system's DKIM signature verifies ({facts.dkim})."),
    ]


def _unsigned(checks: list[Check]) -> bool:
    return any(c.code == Code.SIGNATURE_PRESENT and c.reason == "no_signature" for c in checks)


def _mail_rule(checks: list[Check]) -> list[Check]:
    """An unsigned scan: the missing signature is a remark, not a failure (R4.1)."""
    return [Check(str(Code.SIGNATURE_PRESENT), Status.WARNING,
                  "Tệp không có chữ ký số; văn bản hợp lệ theo quy tắc thư công vụ (hộp thư "
                  "đã đăng ký và chữ ký DKIM).",
                  "The file carries no digital signature; it is valid by the official mail "
                  "rule (registered mailbox and DKIM signature).", "mail_rule")
            if c.code == Code.SIGNATURE_PRESENT else c for c in checks]


def mail_verifications_of(*, sha256s: Iterable[str], sender_ids: Iterable[int]
                          ) -> dict[tuple[str, int], Verification]:
    """The mail-path records of many (bytes, sender) pairs in one query, by (SHA-256, sender
    id): what a batch of messages asks instead of one lookup each."""
    found = Verification.objects.filter(blob_id__in=set(sha256s), sender_id__in=set(sender_ids),
                                        path=VerificationPath.MAIL,
                                        channel=ArrivalChannel.MAIL, peer="")
    return {(str(v.blob_id), int(v.sender_id)): v for v in found}


@dataclass(frozen=True)
class MailExamined:
    """The verdict on one document that came by mail, reached but not stored yet: what
    :func:`mail_record` writes (a batch of messages examines each outside its transaction and
    stores them all in one)."""

    sha256: str
    sender_id: int
    facts: MailFacts
    examined: Examined
    certificate_id: int | None
    pages: int | None
    checks: list[Check]
    verdict: str
    verified_at: datetime

    @property
    def content_type(self) -> str:
        """How the blob is stored: a PDF only when it opened as one."""
        return "application/pdf" if self.pages is not None else "application/octet-stream"


# Verdicts reached but not stored yet (a filing that failed and is tried again, in the same
# pass or the next), by document, sender and message: the same message is examined once
# within CACHE_SECONDS, however often its filing is tried (the verdict keeps the facts and the
# validation time of its first reading). Small and short-lived: a verdict is
# what would have been stored had the first filing committed, never older than that.
CACHE_SECONDS = 300.0
CACHE_SIZE = 256
_examined: OrderedDict[tuple[str, ...], tuple[float, MailExamined]] = OrderedDict()


def _cache_key(sha256: str, sender_id: int, facts: MailFacts) -> tuple[str, ...]:
    """The message, not the pass: a later pass reads it at another time but it is the same
    message (Message-ID, sender address, DKIM result) carrying the same bytes."""
    return (sha256, str(sender_id), facts.message_id, facts.mail_from, facts.dkim)


def mail_examine(*, data: bytes, sender: Agency, facts: MailFacts,
                 info: PdfInfo | None = None) -> MailExamined:
    """Every check of R4.1 on ``data`` from ``sender``'s mailbox, nothing written; computed
    once per message (see :data:`CACHE_SECONDS`). Bad input gets an invalid verdict, never an
    exception. ``info``: the intake's inspection of ``data`` (the gateway took the file
    through it), used instead of inspecting the PDF again when it is of these very bytes."""
    sha256 = hashlib.sha256(data).hexdigest()
    key = _cache_key(sha256, sender.pk, facts)
    cached = _examined.get(key)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    examined, certificate_id, pages = _run(
        data, sender, info=info if info is not None and info.sha256 == sha256 else None)
    checks = examined.checks
    if _unsigned(checks):
        checks = _mail_rule(checks)
    checks = [*complete(checks), *_mail_checks(sender, facts)]
    verdict = Verdict.VALID if is_valid(checks) else Verdict.INVALID
    result = MailExamined(sha256=sha256, sender_id=sender.pk, facts=facts, examined=examined,
                          certificate_id=certificate_id, pages=pages, checks=checks,
                          verdict=verdict, verified_at=clock.now())
    _examined[key] = (time.monotonic(), result)
    while len(_examined) > CACHE_SIZE:
        _examined.popitem(last=False)
    return result


def mail_examined_for(found: MailExamined, sender: Agency, facts: MailFacts) -> MailExamined:
    """``found`` as the verdict of the message ``facts`` describe: a verdict reached on
    these bytes for another message of the same pass names that message's Message-ID,
    address and DKIM result; the record must name the message actually filed."""
    same = (facts.message_id, facts.mail_from, facts.dkim)
    if same == (found.facts.message_id, found.facts.mail_from, found.facts.dkim):
        return found  # the same message read again: its first reading's facts stand
    mail = {MAIL_SENDER, MAIL_DKIM}
    checks = [*(c for c in found.checks if c.code not in mail), *_mail_checks(sender, facts)]
    return replace(found, facts=facts, checks=checks)


def mail_record(found: MailExamined, sender: Agency, *, new: bool = False,
                facts: MailFacts | None = None) -> Verification:
    """Store ``found`` (once per document and sender) with its audit event, validation data
    and evidence, in the caller's transaction. The blob's file and row must exist (files
    before rows). ``new``: the caller looked in this transaction's snapshot and found no
    record, so it inserts without looking again (a concurrent writer's record then fails the
    caller's savepoint on the unique constraint, and the message is filed on the next read).
    ``facts``: the message being filed, when ``found`` was examined for another one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("mail_record() must run inside the filing's transaction")
    cached = _cache_key(found.sha256, found.sender_id, found.facts)
    if facts is not None:
        found = mail_examined_for(found, sender, facts)
    signer = found.examined.signer
    facts = found.facts
    keys = {"blob_id": found.sha256, "sender": sender, "path": VerificationPath.MAIL,
            "channel": ArrivalChannel.MAIL, "peer": ""}
    defaults: dict[str, Any] = {
        "received_via": "mail", "verdict": found.verdict,
        "checks": [c.as_dict() for c in found.checks],
        "signer_certificate_id": found.certificate_id,
        "signer_subject": str(signer.subject.human_friendly)[:500] if signer else "",
        "signer_fingerprint": fingerprint(signer) if signer is not None else "",
        "signed_at": found.examined.signed_at,
        "signed_at_source": found.examined.signed_at_source,
        "page_count": found.pages, "verified_at": found.verified_at,
        "mail_message_id": facts.message_id[:300], "mail_from": facts.mail_from[:300],
        "mail_received_at": facts.received_at}
    if new:
        record, created = Verification.objects.create(**keys, **defaults), True
    else:
        record, created = Verification.objects.get_or_create(**keys, defaults=defaults)
    if created:
        audit_append(actor=None, action=ACTION, object_type="verification",
                     object_id=record.pk, agency_code=sender.code,
                     data={"sha256": found.sha256, "verdict": found.verdict, "channel": "mail",
                           "message_id": facts.message_id[:300], "dkim": facts.dkim,
                           "failed": [c.code for c in found.checks if c.status == "fail"]})
        arrival_keep(record, found.examined.collected)
        verification_evidence(record, signer=signer, collected=found.examined.collected)
    # Once stored, the record itself is what a later message with these bytes reads; only
    # once stored: a filing rolled back keeps its verdict for the next try.
    transaction.on_commit(lambda: _examined.pop(cached, None))
    return record
