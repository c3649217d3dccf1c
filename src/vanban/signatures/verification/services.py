"""Verification of an incoming PDF and its record (R4.2, R4.3), once per document, sender and
channel.

The hub and the inbox call :func:`pdf_verify` when a document arrives. It keeps the bytes as
received (a blob, even when rejected), runs every check, stores one :class:`Verification` keyed
by the SHA-256, the sender and the channel the document came through, and audits it. A second
call with the same bytes, sender and channel returns the stored record without verifying again;
through another channel (the hub, a peer, another peer, paper) it is verified anew (ADR 0011).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from asn1crypto import x509 as asn1_x509
from django.db import transaction

from vanban.audit import pgappend
from vanban.audit.services import audit_append_prepared, audit_appended, audit_prepare
from vanban.core import clock
from vanban.directory.models import Agency
from vanban.pdfs.errors import PdfRejected
from vanban.pdfs.inspect import PdfInfo, inspect_pdf
from vanban.signatures.arrival import arrival_keep
from vanban.signatures.models import Verdict, Verification, VerificationPath
from vanban.signatures.verification import trust
from vanban.signatures.verification.channels import VerificationChannel, sender_check
from vanban.signatures.verification.checks import (
    Check,
    Code,
    complete,
    failed,
    is_valid,
    passed,
    rejected,
)
from vanban.signatures.verification.evidence import verification_evidence
from vanban.signatures.verification.signature import Examined, examine
from vanban.storage.models import Blob
from vanban.storage.services import blob_put_file

ACTION = "signatures.pdf_verify"
PDF = "application/pdf"
OTHER = "application/octet-stream"


def fingerprint(cert: asn1_x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, hex (as stored in ``AgencyCertificate``)."""
    return hashlib.sha256(cert.dump()).hexdigest()


def _subject(cert: asn1_x509.Certificate) -> str:
    return str(cert.subject.human_friendly)[:500]


def _sender_check(registered: trust.Registered | None, sender: Agency) -> Check:
    """R4.2: the signer certificate must be one registered to the sending agency."""
    if registered is None:
        return failed(Code.SENDER_CERTIFICATE, "unregistered")
    if registered.agency_id != sender.pk:
        return failed(Code.SENDER_CERTIFICATE, "other_agency", agency=registered.agency_name,
                      detail=registered.agency_code)
    return passed(Code.SENDER_CERTIFICATE)


def _intact(examined: Examined) -> bool:
    return any(c.code == Code.INTACT and c.status == "pass" for c in examined.checks)


def _run(data: bytes, sender: Agency, *, info: PdfInfo | None = None
         ) -> tuple[Examined, int | None, int | None]:
    """Every check on ``data``; never raises for bad input. Returns what was found, the id of
    the signer's registered certificate (if any) and the page count. ``info``: the intake's
    inspection of these very bytes, when the caller took them through it (the PDF is then
    not inspected a second time).

    The document is judged with the trust material cached in this process; one query then
    confirms that the material is still current and reads the signer's registered
    certificate. Stale material (a root, CRL or revocation changed meanwhile) is rebuilt and
    the document judged again with it.
    """
    try:
        if info is None:
            info = inspect_pdf(data)
    except PdfRejected as err:
        examined = Examined(checks=[rejected(Code.WELL_FORMED, vi=err.vi, en=err.en,
                                             reason=str(err.reason), detail=err.detail)])
        return examined, None, None
    now = clock.now()
    material = trust.latest()
    examined = examine(data, material, now=now, fingerprint_of=fingerprint)
    if examined.signer is not None and trust.fetch_missing_crls(
            [examined.signer], material):  # a CRL newly fetched: judge again with it
        material = trust.material()
        examined = examine(data, material, now=now, fingerprint_of=fingerprint)
    examined.checks.insert(0, passed(Code.WELL_FORMED))
    if examined.signer is None:  # nothing was judged with the trust material
        return examined, None, info.page_count
    intact = _intact(examined)
    current, registered = trust.confirm(fingerprint(examined.signer) if intact else None)
    if current is not material:  # changed while we judged: judge again with the current one
        examined = examine(data, current, now=now, fingerprint_of=fingerprint)
        examined.checks.insert(0, passed(Code.WELL_FORMED))
        intact = _intact(examined)
    if not intact:
        return examined, None, info.page_count
    examined.checks.append(_sender_check(registered, sender))
    return examined, registered.id if registered is not None else None, info.page_count


_FIELDS = [f for f in Verification._meta.concrete_fields if not f.primary_key]
_INSERT_BLOB = ("INSERT INTO storage_blob (sha256, size, content_type, created_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING")
_INSERT_RECORD = (
    f"INSERT INTO signatures_verification ({', '.join(str(f.column) for f in _FIELDS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_FIELDS))}) "
    "ON CONFLICT (blob_id, sender_id, path, channel, peer) DO NOTHING RETURNING id")
_SELECT = (
    f"SELECT id, {', '.join(str(f.column) for f in _FIELDS)} "  # noqa: S608 - fixed names
    "FROM signatures_verification WHERE blob_id = %s AND sender_id = %s AND path = %s "
    "AND channel = %s AND peer = %s")


def verification_of(*, sha256: str, sender_id: int,
                    channel: VerificationChannel) -> Verification | None:
    """The record of these bytes from this sender through this channel, if any: one fixed
    statement (it runs for every call, the repeated ones included; callers holding only the
    hash ask it first and read the bytes only when there is none). A record made for another
    channel is never returned (ADR 0011)."""
    found = list(Verification.objects.raw(_SELECT, [
        sha256, sender_id, VerificationPath.SIGNATURE.value, channel.kind.value, channel.peer]))
    return found[0] if found else None


# PostgreSQL: the blob row, the record and its chained audit event in one statement, which
# the server commits before it answers when no transaction is open (autocommit): one round
# trip, one commit, the audit head locked only server-side. No record (a concurrent caller
# stored it first): no event either.
_STORE_POSTGRES = (
    f"WITH b AS ({_INSERT_BLOB}), r AS ({_INSERT_RECORD}) "  # noqa: S608 - fixed names
    "SELECT r.id, e.o_id, e.o_seq, e.o_prev_hash, e.o_hash FROM r CROSS JOIN LATERAL "
    f"{pgappend.FUNCTION}(%s, %s, %s, %s, %s, %s, %s, r.id::text, %s, %s, %s) AS e")


def _store(*, data: bytes, sender: Agency, channel: VerificationChannel, received_via: str,
           examined: Examined, signer_certificate_id: int | None, pages: int | None,
           sha256: str) -> Verification:
    """Keep the bytes, write the record and its audit event; the first writer wins a race.

    The file is written (durably) first; the blob row, the record and the event then go to
    the database together: one statement on PostgreSQL, one transaction elsewhere.
    """
    checks = complete(examined.checks)
    verdict = Verdict.VALID if is_valid(checks) else Verdict.INVALID
    blob_put_file(data=data)
    signer = examined.signer
    now = clock.now()
    record = Verification(
        blob_id=sha256, sender=sender, path=VerificationPath.SIGNATURE,
        channel=channel.kind, peer=channel.peer,
        received_via=(received_via or channel.kind.value)[:20], verdict=verdict,
        checks=[c.as_dict() for c in checks], signer_certificate_id=signer_certificate_id,
        signer_subject=_subject(signer) if signer is not None else "",
        signer_fingerprint=fingerprint(signer) if signer is not None else "",
        signed_at=examined.signed_at, signed_at_source=examined.signed_at_source,
        page_count=pages, verified_at=now)
    connection = transaction.get_connection()
    blob_row = [sha256, len(data), PDF if pages is not None else OTHER,
                Blob._meta.get_field("created_at").get_db_prep_save(now, connection)]
    record_row = [f.get_db_prep_save(f.pre_save(record, add=True), connection) for f in _FIELDS]
    event = audit_prepare(actor=None, action=ACTION, object_type="verification",
                          agency_code=sender.code,
                          data={"sha256": sha256, "verdict": verdict,
                                "channel": channel.label,
                                "received_via": record.received_via,
                                "failed": [c.code for c in checks if c.status == "fail"]})
    if connection.vendor == "postgresql":
        params = event.params()
        with connection.cursor() as cursor:
            cursor.execute(_STORE_POSTGRES, [*blob_row, *record_row, *params[:7], *params[8:]])
            row = cursor.fetchone()
        if row is not None:
            record.pk = int(row[0])
            audit_appended(replace(event, object_id=str(record.pk)), id=int(row[1]),
                           seq=int(row[2]), prev_hash=str(row[3]), digest=str(row[4]))
    else:
        # No savepoint: the inserts cannot fail on a conflict (DO NOTHING), and a failed
        # append must fail the whole write.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(_INSERT_BLOB, blob_row)
            cursor.execute(_INSERT_RECORD, record_row)
            row = cursor.fetchone()
            if row is not None:
                record.pk = int(row[0])
                audit_append_prepared(replace(event, object_id=str(record.pk)))
    if row is None:  # verified concurrently by another caller: theirs stands
        stored = verification_of(sha256=sha256, sender_id=sender.pk, channel=channel)
        if stored is None:
            raise Verification.DoesNotExist(sha256)
        return stored
    record._state.adding = False
    record._state.db = connection.alias
    return record


def pdf_verify(*, data: bytes, sender: Agency, channel: VerificationChannel,
               received_via: str = "") -> Verification:
    """R4.2, R4.3: verify an incoming PDF from ``sender`` that came through ``channel`` and
    record the result (``received_via``, free text, defaults to the channel's kind).

    Returns the stored record when these bytes from this sender were verified before through
    the same channel. A sender the channel cannot carry (an agency the peer does not serve, a
    peer's agency on the local hub) fails the sender check. Bad input (empty, truncated,
    encrypted, not a PDF) gets an invalid verdict, never an exception.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    existing = verification_of(sha256=sha256, sender_id=sender.pk, channel=channel)
    if existing is not None:
        return existing
    examined, signer_certificate_id, pages = _run(data, sender)
    mismatch = sender_check(channel, sender)
    if mismatch is not None:  # whatever the signature says, this channel cannot carry it
        examined.checks[:] = [c for c in examined.checks if c.code != mismatch.code]
        examined.checks.append(mismatch)
    record = _store(data=data, sender=sender, channel=channel, received_via=received_via,
                    examined=examined, signer_certificate_id=signer_certificate_id,
                    pages=pages, sha256=sha256)
    # The validation data, beside (ADR 0014), and the verdict as evidence a third party can
    # check offline (R7.2, R12.1; docs/evidence.md): one commit for both. Not in the record's
    # own: that one holds the audit lock, and the exchange takes the evidence lock first.
    with transaction.atomic(savepoint=False):
        arrival_keep(record, examined.collected)
        verification_evidence(record, signer=examined.signer, collected=examined.collected)
    return record
