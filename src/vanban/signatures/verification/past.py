"""Validation of a signed PDF as of a past moment (``vanban pdf verify --at``; R4.2, R4.3, R12.1,
ADR 0014).

"Was this document valid when it arrived?" asked years later, after the agency certificate has
expired or been revoked for an unrelated reason, and without reaching the issuer. The answer
uses what the installation kept: the validation data embedded in the file (B-LT), the archive
copy of a file we signed with its chain of document time-stamps (B-LTA), and the validation
data kept when the file arrived. The certificate is judged at the signature's proven time (its
time-stamp), else at the moment asked; revocations dated after that do not count and the report
says so, with the date and reason; a signature made after the moment asked fails.

Nothing is stored: it is an inquiry, not an arrival (the arrival's record stands).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vanban.core import clock
from vanban.directory.models import Agency
from vanban.pdfs.errors import PdfRejected
from vanban.pdfs.inspect import inspect_pdf
from vanban.signatures.arrival import arrival_extra
from vanban.signatures.models import ArchiveCopy
from vanban.signatures.verification import trust
from vanban.signatures.verification.checks import (
    Code,
    complete,
    is_valid,
    passed,
    rejected,
)
from vanban.signatures.verification.services import _sender_check, fingerprint
from vanban.signatures.verification.signature import Examined, examine
from vanban.storage.selectors import blob_read


@dataclass
class PastReport:
    """The verdict as of ``at`` and what it rested on."""

    sha256: str
    sender: str
    at: datetime
    valid: bool
    checks: list[dict[str, Any]] = field(default_factory=list)
    signer: str = ""
    signed_at: datetime | None = None
    signed_at_source: str = ""
    proven_at: datetime | None = None  # POE from the archival time-stamps
    archive_copy: str = ""  # SHA-256 of the archive copy used, if any
    arrival_data: bool = False  # validation data kept at arrival was used

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``--json``)."""
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {"verdict": "valid" if self.valid else "invalid", "sha256": self.sha256,
                "sender": self.sender or None, "at": self.at.isoformat(), "signer": self.signer,
                "signed_at": iso(self.signed_at),
                "signed_at_source": self.signed_at_source or None,
                "proven_by_archive_at": iso(self.proven_at),
                "archive_copy": self.archive_copy or None,
                "arrival_data": self.arrival_data, "checks": self.checks}


def archived(data: bytes) -> tuple[str, bytes] | None:
    """The archive copy in force of ``data`` (a file we signed, or an older archive copy of
    it): its SHA-256 and bytes, when they extend ``data`` (they always should)."""
    sha256 = hashlib.sha256(data).hexdigest()
    known = ArchiveCopy.objects.filter(blob_id=sha256).first()
    origin = known.origin if known is not None else sha256
    copy = (ArchiveCopy.objects.filter(origin=origin, renewed_by__isnull=True)
            .order_by("-id").first())
    if copy is None or copy.blob_id == sha256:
        return None
    stored = blob_read(copy.blob_id)
    return (copy.blob_id, stored) if stored.startswith(data) else None


def _judge(data: bytes, at: datetime, extra: Any) -> Examined:
    material = trust.material()
    return examine(data, material, now=clock.now(), at=at, fingerprint_of=fingerprint,
                   extra=extra)


def verify_at(*, data: bytes, sender: Agency | None, at: datetime,
              use_archive: bool = True) -> PastReport:
    """Judge ``data``, said to come from ``sender``, as of ``at`` with the kept validation
    data (``use_archive``: through our archive copy of it when there is one). Without a
    sender the signature alone is judged (the sender check is skipped)."""
    sha256 = hashlib.sha256(data).hexdigest()
    report = PastReport(sha256=sha256, sender=sender.code if sender else "", at=at,
                        valid=False)
    try:
        inspect_pdf(data)
    except PdfRejected as err:
        checks = [rejected(Code.WELL_FORMED, vi=err.vi, en=err.en, reason=str(err.reason),
                           detail=err.detail)]
        report.checks = [c.as_dict() for c in complete(checks)]
        return report
    extra = arrival_extra(sha256)
    report.arrival_data = extra is not None
    copy = archived(data) if use_archive else None
    judged = copy[1] if copy is not None else data
    report.archive_copy = copy[0] if copy is not None else ""
    examined = _judge(judged, at, extra)
    examined.checks.insert(0, passed(Code.WELL_FORMED))
    if examined.signer is not None and any(
            c.code == Code.INTACT and c.status == "pass" for c in examined.checks):
        if sender is not None:
            _, registered = trust.confirm(fingerprint(examined.signer))
            examined.checks.append(_sender_check(registered, sender))
        report.signer = str(examined.signer.subject.human_friendly)
    checks = complete(examined.checks)
    report.checks = [c.as_dict() for c in checks]
    report.valid = is_valid(checks)
    report.signed_at, report.signed_at_source = examined.signed_at, examined.signed_at_source
    report.proven_at = examined.proven_by_archive
    return report
