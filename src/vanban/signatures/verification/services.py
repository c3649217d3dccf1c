"""Verification of an incoming PDF and its record (R4.2, R4.3), once per document and sender.

The hub and the inbox call :func:`pdf_verify` when a document arrives. It keeps the bytes as
received (a blob, even when rejected), runs every check, stores one :class:`Verification` keyed
by the SHA-256 and the sender, and audits it. A second call with the same bytes and sender
returns the stored record without verifying again.
"""

from __future__ import annotations

import hashlib

from asn1crypto import x509 as asn1_x509
from django.db import IntegrityError, transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.directory.models import Agency
from vanban.pdfs.errors import PdfRejected
from vanban.pdfs.inspect import inspect_pdf
from vanban.signatures.models import (
    AgencyCertificate,
    Verdict,
    Verification,
    VerificationPath,
)
from vanban.signatures.verification import trust
from vanban.signatures.verification.checks import (
    Check,
    Code,
    complete,
    failed,
    is_valid,
    passed,
    rejected,
)
from vanban.signatures.verification.signature import Examined, examine
from vanban.storage.services import blob_put

ACTION = "signatures.pdf_verify"
PDF = "application/pdf"
OTHER = "application/octet-stream"


def fingerprint(cert: asn1_x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, hex (as stored in ``AgencyCertificate``)."""
    return hashlib.sha256(cert.dump()).hexdigest()


def _subject(cert: asn1_x509.Certificate) -> str:
    return str(cert.subject.human_friendly)[:500]


def _sender_check(signer: asn1_x509.Certificate, sender: Agency) -> tuple[
        Check, AgencyCertificate | None]:
    """R4.2: the signer certificate must be one registered to the sending agency."""
    row = (AgencyCertificate.objects.select_related("agency")
           .filter(fingerprint=fingerprint(signer)).first())
    if row is None:
        return failed(Code.SENDER_CERTIFICATE, "unregistered"), None
    if row.agency_id != sender.pk:
        return failed(Code.SENDER_CERTIFICATE, "other_agency", agency=row.agency.name,
                      detail=row.agency.code), row
    return passed(Code.SENDER_CERTIFICATE), row


def _run(data: bytes, sender: Agency) -> tuple[Examined, AgencyCertificate | None, int | None]:
    """Every check on ``data``; never raises for bad input."""
    try:
        info = inspect_pdf(data)
    except PdfRejected as err:
        examined = Examined(checks=[rejected(Code.WELL_FORMED, vi=err.vi, en=err.en,
                                             reason=str(err.reason), detail=err.detail)])
        return examined, None, None
    now = clock.now()
    material = trust.material()
    examined = examine(data, material, now=now, fingerprint_of=fingerprint)
    if examined.signer is not None and trust.fetch_missing_crls(
            [examined.signer], material):  # a CRL newly fetched: judge again with it
        examined = examine(data, trust.material(), now=now, fingerprint_of=fingerprint)
    examined.checks.insert(0, passed(Code.WELL_FORMED))
    row = None
    intact = any(c.code == Code.INTACT and c.status == "pass" for c in examined.checks)
    if examined.signer is not None and intact:
        check, row = _sender_check(examined.signer, sender)
        examined.checks.append(check)
    return examined, row, info.page_count


def _store(*, data: bytes, sender: Agency, received_via: str, examined: Examined,
           row: AgencyCertificate | None, pages: int | None, sha256: str) -> Verification:
    """Keep the bytes, write the record and its audit event; the first writer wins a race."""
    checks = complete(examined.checks)
    verdict = Verdict.VALID if is_valid(checks) else Verdict.INVALID
    blob = blob_put(data=data, content_type=PDF if pages is not None else OTHER)
    signer = examined.signer
    try:
        with transaction.atomic():
            record = Verification.objects.create(
                blob=blob, sender=sender, path=VerificationPath.SIGNATURE,
                received_via=received_via[:20], verdict=verdict,
                checks=[c.as_dict() for c in checks], signer_certificate=row,
                signer_subject=_subject(signer) if signer is not None else "",
                signer_fingerprint=fingerprint(signer) if signer is not None else "",
                signed_at=examined.signed_at, signed_at_source=examined.signed_at_source,
                page_count=pages, verified_at=clock.now())
            audit_append(actor=None, action=ACTION, object_type="verification",
                         object_id=record.pk, agency_code=sender.code,
                         data={"sha256": sha256, "verdict": verdict,
                               "received_via": record.received_via,
                               "failed": [c.code for c in checks if c.status == "fail"]})
    except IntegrityError:  # verified concurrently by another caller: theirs stands
        return Verification.objects.get(blob_id=sha256, sender=sender,
                                        path=VerificationPath.SIGNATURE)
    return record


def pdf_verify(*, data: bytes, sender: Agency, received_via: str = "hub") -> Verification:
    """R4.2, R4.3: verify an incoming PDF from ``sender`` and record the result.

    Returns the stored record when these bytes from this sender were verified before. Bad
    input (empty, truncated, encrypted, not a PDF) gets an invalid verdict, never an exception.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    existing = Verification.objects.filter(blob_id=sha256, sender=sender,
                                           path=VerificationPath.SIGNATURE).first()
    if existing is not None:
        return existing
    examined, row, pages = _run(data, sender)
    return _store(data=data, sender=sender, received_via=received_via, examined=examined,
                  row=row, pages=pages, sha256=sha256)
