"""Archive copies of signed PDFs with document time-stamps (PAdES B-LTA), and their renewal
(R12.1, R4.2, ADR 0014).

When a PDF is signed, its archive copy is made at once: the signed file (already B-LT: its
DSS holds the chain and the CRLs) plus the time-stamp authority's validation data and a
document time-stamp over all of it. The file as signed is what is registered and dispatched;
the archive copy is a *new* blob beside it, so the register's hash never changes.

A time-stamp proves that everything before it existed at its time, for as long as its TSA
certificate and its digest algorithm hold. :func:`archive_renew_due` (``vanban pdf
archive-renew``, daily from cron) adds a newer time-stamp before that ends: each renewal is a
new blob and a new :class:`ArchiveCopy` row pointing at the one it renews; nothing is
overwritten, and each is audited (``signatures.archive_renew``).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from asn1crypto import cms
from django.conf import settings
from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.signatures import ltv, pades
from vanban.signatures.models import (
    ArchiveCopy,
    ArrivalChannel,
    Verdict,
    Verification,
    VerificationPath,
)
from vanban.signatures.verification import trust
from vanban.storage.models import Blob
from vanban.storage.services import blob_put

log = logging.getLogger(__name__)
PDF = "application/pdf"


def renew_margin() -> timedelta:
    """``VANBAN_ARCHIVE_RENEW_MARGIN_DAYS`` (default 365): renew a copy this long before its
    newest time-stamp's TSA certificate expires."""
    return timedelta(days=int(getattr(settings, "VANBAN_ARCHIVE_RENEW_MARGIN_DAYS", 365)))


def archive_digest() -> str:
    """``VANBAN_ARCHIVE_DIGEST`` (default sha256): the digest of new archival time-stamps."""
    return str(getattr(settings, "VANBAN_ARCHIVE_DIGEST", "sha256")).lower()


def weak_digests() -> frozenset[str]:
    """``VANBAN_ARCHIVE_WEAK_DIGESTS`` (default md5, sha1): a copy whose newest stamp uses one
    of these is renewed at once, with :func:`archive_digest`."""
    value = getattr(settings, "VANBAN_ARCHIVE_WEAK_DIGESTS", ("md5", "sha1"))
    return frozenset(str(v).strip().lower() for v in value if str(v).strip())


@dataclass(frozen=True)
class StampInfo:
    """The newest document time-stamp of a file: when, by which TSA, with which digest."""

    at: datetime
    tsa_fingerprint: str
    tsa_not_after: datetime
    md_algorithm: str
    certs: list[Any]


def _is_signer(cert: Any, sid: Any) -> bool:
    """Whether ``cert`` is the one a CMS signer identifier names."""
    if isinstance(sid, cms.IssuerAndSerialNumber):
        return bool(cert.serial_number == sid["serial_number"].native
                    and cert.issuer == sid["issuer"])
    return bool(cert.key_identifier == sid.native)


def newest_stamp(data: bytes) -> StampInfo | None:
    """What the last document time-stamp of ``data`` says (None: there is none)."""
    tokens = pades.stamp_tokens(data)
    if not tokens:
        return None
    signed = tokens[-1]["content"]
    certs = [c.chosen for c in signed["certificates"]]
    signer_info = signed["signer_infos"][0]
    tsa = next(c for c in certs if _is_signer(c, signer_info["sid"].chosen))
    info = signed["encap_content_info"]["content"].parsed
    return StampInfo(at=info["gen_time"].native,
                     tsa_fingerprint=hashlib.sha256(tsa.dump()).hexdigest(),
                     tsa_not_after=tsa["tbs_certificate"]["validity"]["not_after"].native,
                     md_algorithm=str(info["message_imprint"]["hash_algorithm"]["algorithm"]
                                      .native).lower(), certs=certs)


def _stamp(data: bytes, at: datetime, certs: list[Any],
           crls: list[Any] | None = None) -> bytes:
    """``data`` with the validation data known now (and ``certs``, ``crls``) and a new
    document time-stamp."""
    from vanban.signatures.services.tsa import timestamper

    stamper = timestamper(at)
    if stamper is None:
        raise RuntimeError("no time-stamp authority (VANBAN_TSA_URL, or the demo PKI's TSA)")
    context = ltv.signing_context(trust.material(), at=at, crls=crls)
    return pades.archive_stamp(data, timestamper=stamper, validation_context=context,
                               md_algorithm=archive_digest(), certs=certs,
                               bytes_reserved=_reserve(stamper))


def _reserve(stamper: object) -> int | None:
    """Space for the token of our own TSA, sized from its certificates, which spares the trial
    token pyHanko would otherwise request to measure it (a remote TSA's: measured)."""
    from vanban.signatures.timestamps import LocalTimeStamper

    if not isinstance(stamper, LocalTimeStamper):
        return None
    certs = [stamper.tsa_cert, *list(stamper.certs_to_embed)]
    return 2 * (sum(len(c.dump()) for c in certs) + 4096)


def _record(data: bytes, *, origin: str, previous: ArchiveCopy | None,
            at: datetime) -> ArchiveCopy:
    info = newest_stamp(data)
    if info is None:  # pragma: no cover - _stamp always adds one
        raise RuntimeError("the archive copy has no document time-stamp")
    blob: Blob = blob_put(data=data, content_type=PDF)
    with transaction.atomic():
        copy = ArchiveCopy.objects.create(
            blob=blob, origin=origin, previous=previous, stamped_at=info.at,
            tsa_fingerprint=info.tsa_fingerprint, tsa_not_after=info.tsa_not_after,
            md_algorithm=info.md_algorithm, created_at=at)
        audit_append(actor=None, action="signatures.archive_renew" if previous else
                     "signatures.archive_create", object_type="archive_copy",
                     object_id=copy.pk,
                     data={"origin": origin, "sha256": blob.sha256,
                           "previous": previous.blob_id if previous else None,
                           "tsa": info.tsa_fingerprint,
                           "tsa_not_after": info.tsa_not_after.isoformat(),
                           "md": info.md_algorithm})
    return copy


def archive_create(signed: bytes) -> ArchiveCopy | None:
    """The first archive copy of a just-signed file (its B-LTA form), stored and audited.
    None without a time-stamp authority (no TSA URL and no demo PKI): the file stays B-B."""
    from vanban.signatures.services.tsa import timestamper

    origin = hashlib.sha256(signed).hexdigest()
    existing = current_copy(origin)
    if existing is not None:
        return existing
    at = clock.now()
    if timestamper(at) is None:
        return None
    return _record(_stamp(signed, at, []), origin=origin, previous=None, at=at)


def archive_received() -> tuple[list[ArchiveCopy], list[tuple[str, str]]]:
    """Archive copies of the documents that arrived valid and have none yet (R12.1): the
    received bytes stay as they came (their own blob); the copy beside them adds the
    validation data kept at arrival and a document time-stamp, so the signature's own
    time-stamp stays provable after its TSA certificate expires. Run by the daily job, so a
    document gets its copy within a day of arriving. Returns the copies made and the
    documents that failed (SHA-256, error)."""
    from vanban.signatures.arrival import arrival_extra
    from vanban.storage.selectors import blob_read

    pending = (Verification.objects.filter(verdict=Verdict.VALID,
                                           path=VerificationPath.SIGNATURE)
               .exclude(channel=ArrivalChannel.CLI)
               .exclude(blob_id__in=ArchiveCopy.objects.values("origin"))
               .order_by("blob_id").values_list("blob_id", flat=True).distinct())
    made: list[ArchiveCopy] = []
    failed: list[tuple[str, str]] = []
    for sha256 in list(pending):
        try:
            extra = arrival_extra(sha256)
            at = clock.now()
            stamped = _stamp(blob_read(sha256), at, extra[2] if extra else [],
                             extra[0] if extra else [])
            made.append(_record(stamped, origin=sha256, previous=None, at=at))
        except Exception as err:  # one document's failure must not stop the others
            log.warning("archive copy of received %s failed: %s", sha256, err)
            failed.append((sha256, f"{type(err).__name__}: {err}"[:300]))
    return made, failed


def current_copy(origin: str) -> ArchiveCopy | None:
    """The archive copy in force for the signed file ``origin`` (the newest renewal)."""
    return (ArchiveCopy.objects.filter(origin=origin, renewed_by__isnull=True)
            .order_by("-id").first())


def is_due(copy: ArchiveCopy, now: datetime) -> bool:
    """Whether ``copy`` must be renewed now: its TSA expires within the margin, or its digest
    is weak."""
    return (copy.tsa_not_after <= now + renew_margin()
            or copy.md_algorithm in weak_digests())


def archive_renew(copy: ArchiveCopy) -> ArchiveCopy:
    """A newer time-stamp over ``copy``: a new blob and row; ``copy`` stays as it is."""
    from vanban.storage.selectors import blob_read

    data = blob_read(copy.blob_id)
    info = newest_stamp(data)
    at = clock.now()
    renewed = _stamp(data, at, info.certs if info is not None else [])
    return _record(renewed, origin=copy.origin, previous=copy, at=at)


@dataclass(frozen=True)
class RenewalRun:
    """What one run of the renewal job did."""

    renewed: list[ArchiveCopy]
    failed: list[tuple[ArchiveCopy, str]]
    checked: int
    created: list[ArchiveCopy] = field(default_factory=list)  # for received documents
    not_created: list[tuple[str, str]] = field(default_factory=list)


def archive_renew_due() -> RenewalRun:
    """The daily job: first the archive copies of documents received since the last run
    (:func:`archive_received`), then the renewal of every copy in force that is due
    (:func:`is_due`). A copy whose renewal fails (no TSA reachable, the new stamp's TSA
    expiring as soon) is reported and tried again on the next run; the others go on."""
    created, not_created = archive_received()
    now = clock.now()
    renewed: list[ArchiveCopy] = []
    failed: list[tuple[ArchiveCopy, str]] = []
    candidates = ArchiveCopy.objects.filter(renewed_by__isnull=True).order_by("id")
    checked = 0
    for copy in candidates.iterator():
        checked += 1
        if not is_due(copy, now):
            continue
        try:
            new = archive_renew(copy)
        except Exception as err:  # one copy's failure must not stop the others
            log.warning("archive renewal of %s failed: %s", copy.blob_id, err)
            failed.append((copy, f"{type(err).__name__}: {err}"[:300]))
            continue
        if is_due(new, now) and new.md_algorithm not in weak_digests():
            failed.append((new, "the time-stamp authority's certificate expires within the "
                                "margin too: configure a newer TSA"))
        renewed.append(new)
    return RenewalRun(renewed=renewed, failed=failed, checked=checked, created=created,
                      not_created=not_created)
