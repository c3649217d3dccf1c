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
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.directory.models import Agency
from vanban.signatures.arrival import arrival_keep
from vanban.signatures.models import ArrivalChannel, Verdict, Verification, VerificationPath
from vanban.signatures.verification.checks import Check, Code, Status, complete, is_valid
from vanban.signatures.verification.evidence import verification_evidence
from vanban.signatures.verification.services import _run, fingerprint
from vanban.storage.services import blob_put

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


def mail_verification_of(*, sha256: str, sender_id: int) -> Verification | None:
    """The mail-path record of these bytes from this sender, if any."""
    return Verification.objects.filter(blob_id=sha256, sender_id=sender_id,
                                       path=VerificationPath.MAIL,
                                       channel=ArrivalChannel.MAIL, peer="").first()


def mail_verify(*, data: bytes, sender: Agency, facts: MailFacts) -> Verification:
    """R4.1: record the verdict on ``data`` that came by mail from ``sender``'s mailbox.

    Once per document and sender: a second message carrying the same bytes reads the stored
    record. Bad input gets an invalid verdict, never an exception.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    existing = mail_verification_of(sha256=sha256, sender_id=sender.pk)
    if existing is not None:
        return existing
    examined, certificate_id, pages = _run(data, sender)
    checks = examined.checks
    if _unsigned(checks):
        checks = _mail_rule(checks)
    checks = [*complete(checks), *_mail_checks(sender, facts)]
    verdict = Verdict.VALID if is_valid(checks) else Verdict.INVALID
    signer = examined.signer
    blob = blob_put(data=data, content_type="application/pdf" if pages is not None
                    else "application/octet-stream")
    with transaction.atomic():
        record, created = Verification.objects.get_or_create(
            blob=blob, sender=sender, path=VerificationPath.MAIL, channel=ArrivalChannel.MAIL,
            peer="", defaults={
                "received_via": "mail", "verdict": verdict,
                "checks": [c.as_dict() for c in checks],
                "signer_certificate_id": certificate_id,
                "signer_subject": str(signer.subject.human_friendly)[:500] if signer else "",
                "signer_fingerprint": fingerprint(signer) if signer is not None else "",
                "signed_at": examined.signed_at, "signed_at_source": examined.signed_at_source,
                "page_count": pages, "verified_at": clock.now(),
                "mail_message_id": facts.message_id[:300], "mail_from": facts.mail_from[:300],
                "mail_received_at": facts.received_at})
        if created:
            audit_append(actor=None, action=ACTION, object_type="verification",
                         object_id=record.pk, agency_code=sender.code,
                         data={"sha256": sha256, "verdict": verdict, "channel": "mail",
                               "message_id": facts.message_id[:300], "dkim": facts.dkim,
                               "failed": [c.code for c in checks if c.status == "fail"]})
            arrival_keep(record, examined.collected)
            verification_evidence(record, signer=signer, collected=examined.collected)
    return record
