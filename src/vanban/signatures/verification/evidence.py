"""A verification on arrival as an evidence record (R4.3, R7.2, R12.1; docs/evidence.md).

The verification record (:class:`Verification`) lives in the receiving database; the evidence
log is what a third party can check offline, for as long as the document is kept. So every
verification of an arriving document (hub, federated, paper, mail — not an operator's
``vanban pdf verify``) appends one ``verified`` record to the evidence log: the document's
digest, the verdict in ETSI EN 319 102-1 terms (:mod:`.etsi`), the signer certificate's digest,
the chain's digests, the revocation data used (CRL digests and their times), the validation
time, the policy and the channel, and the digest of the full verification report
(:func:`report_of`), which bundles carry beside it.

The certificates, CRLs and OCSP responses named by digest are kept as content-addressed blobs
(the digest is the blob's key; beside the validation data of :mod:`vanban.signatures.arrival`),
so a bundle can carry them years later, when the CRL of that day has long been replaced.
Registration (03) and rejection (02) records point to the ``verified`` record they rely on
(:func:`verification_pointer`).

The record's ``delivery_id`` and ``transmission_id`` are ``verification:<id>``: a verification
concerns a file from a sender through a channel, not one delivery (a fan-out is verified once).
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp
from asn1crypto import x509 as asn1_x509
from django.db import transaction
from django.db.models import Subquery

from vanban.audit.checkpoints import origin_id
from vanban.evidence import verifier
from vanban.evidence.models import EvidenceRecord
from vanban.evidence.services import evidence_append
from vanban.signatures import ltv
from vanban.signatures.models import ArrivalChannel, ArrivalValidationData, Verification
from vanban.signatures.verification import etsi, trust
from vanban.signatures.verification.trust import TrustMaterial
from vanban.storage.models import Blob
from vanban.storage.selectors import blob_read
from vanban.storage.services import blob_put

EVENT = "verified"
REPORT_FORMAT = "vanban-verification-report/1"
#: Channels whose verifications are arrivals (an operator's check is not evidence).
ARRIVALS = frozenset({ArrivalChannel.HUB, ArrivalChannel.FEDERATED, ArrivalChannel.PAPER,
                      ArrivalChannel.MAIL})


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def record_id(verification_id: int) -> str:
    """The ``delivery_id`` (and ``transmission_id``) of a verification's evidence record."""
    return f"verification:{verification_id}"


def report_of(record: Verification) -> dict[str, Any]:
    """The full verification report as bundles carry it (every check, both languages); the
    evidence record holds its SHA-256 (:func:`report_digest`), so an edited copy fails."""
    return {"format": REPORT_FORMAT, "verification_id": record.pk,
            "document_sha256": record.sha256, "sender": record.sender.code,
            "channel": str(record.channel), "peer": record.peer, "verdict": str(record.verdict),
            "checks": list(record.checks), "signer_subject": record.signer_subject,
            "signer_certificate_sha256": record.signer_fingerprint,
            "signed_at": _iso(record.signed_at), "signed_at_source": record.signed_at_source,
            "verified_at": _iso(record.verified_at), "page_count": record.page_count}


def report_digest(report: dict[str, Any]) -> str:
    """SHA-256 (hex) of the report's canonical JSON."""
    return hashlib.sha256(verifier.canonical_json(report)).hexdigest()


CERT_TYPE = "application/pkix-cert"
CRL_TYPE = "application/pkix-crl"
OCSP_TYPE = "application/ocsp-response"


def _digest(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _parsed(collected: ltv.Collected) -> tuple[list[asn1_x509.Certificate],
                                               list[asn1_crl.CertificateList]]:
    certs, crls = [], []
    for der in collected.certificates.values():
        try:
            certs.append(asn1_x509.Certificate.load(der))
        except ValueError:
            continue
    for der in collected.crls.values():
        try:
            crls.append(asn1_crl.CertificateList.load(der))
        except ValueError:
            continue
    return certs, crls


def _crl_entry(crl: asn1_crl.CertificateList) -> dict[str, str]:
    tbs = crl["tbs_cert_list"]
    return {"type": "crl", "sha256": _digest(crl.dump()),
            "issuer": str(tbs["issuer"].human_friendly)[:200],
            "this_update": _iso(tbs["this_update"].native),
            "next_update": _iso(tbs["next_update"].native)}


def _ocsp_entry(digest: str, der: bytes) -> dict[str, str]:
    try:
        basic = ocsp.OCSPResponse.load(der).basic_ocsp_response
        produced = _iso(basic["tbs_response_data"]["produced_at"].native)
    except (ValueError, AttributeError, KeyError, TypeError):
        produced = ""
    return {"type": "ocsp", "sha256": digest, "produced_at": produced}


def keep(items: list[tuple[bytes, str]]) -> None:
    """Keep each DER (certificate, CRL, OCSP response) as a blob under its own SHA-256, once
    (one query for those already kept), so an export finds it by the digest a record names."""
    digests = {_digest(der): (der, kind) for der, kind in items}
    kept = set(Blob.objects.filter(sha256__in=list(digests)).values_list("sha256", flat=True))
    for digest, (der, kind) in digests.items():
        if digest not in kept:
            blob_put(data=der, content_type=kind)


def validation_data(signer: asn1_x509.Certificate | None, collected: ltv.Collected | None,
                    material: TrustMaterial) -> tuple[list[str], list[dict[str, str]]]:
    """The chain's certificate digests (signer first) and the revocation data the verdict
    could rest on — the CRLs of the chain's issuers and the OCSP responses, from the data
    collected for the file and the trust material — with their times. Every item named is
    kept as a blob (:func:`keep`)."""
    if signer is None:
        return [], []
    collected = collected or ltv.Collected()
    certs, crls = _parsed(collected)
    chain = ltv.chain_in([*certs, *material.other_certs, *material.roots], signer)
    issuers = {c.issuer.dump() for c in chain if not c.self_issued}
    used: dict[str, asn1_crl.CertificateList] = {}
    for crl in [*crls, *material.crls]:
        if crl["tbs_cert_list"]["issuer"].dump() in issuers:
            used.setdefault(_digest(crl.dump()), crl)
    keep([(c.dump(), CERT_TYPE) for c in chain] + [(c.dump(), CRL_TYPE) for c in used.values()]
         + [(der, OCSP_TYPE) for der in collected.ocsps.values()])
    revocation = [_crl_entry(c) for _, c in sorted(used.items())]
    revocation += [_ocsp_entry(d, der) for d, der in sorted(collected.ocsps.items())]
    return [_digest(c.dump()) for c in chain], revocation


def _fields(record: Verification, chain: list[str],
            revocation: list[dict[str, str]]) -> dict[str, Any]:
    found = etsi.indication_of(record.checks, signed_at_source=record.signed_at_source)
    return {"verification_id": record.pk, "channel": str(record.channel), "peer": record.peer,
            "verdict": str(record.verdict), **found.as_dict(), "policy": etsi.POLICY,
            "validation_time": _iso(record.verified_at),
            "signing_time": _iso(record.signed_at),
            "signing_time_source": record.signed_at_source,
            "signer_certificate_sha256": record.signer_fingerprint,
            "chain_sha256": chain, "revocation": revocation,
            "report_sha256": report_digest(report_of(record))}


def verification_evidence(record: Verification, *, signer: asn1_x509.Certificate | None,
                          collected: ltv.Collected | None) -> int | None:
    """Append the ``verified`` record of a verification on arrival, once; its leaf index
    (None for an operator's check). Joins the caller's transaction, else makes its own; no
    savepoint (it runs on every arrival, and a failure must fail the caller's whole write)."""
    if record.pk is None or record.channel not in ARRIVALS:
        return None
    with transaction.atomic(savepoint=False):
        return _once(record, lambda: validation_data(signer, collected, trust.latest()))


def _once(record: Verification,
          data: Callable[[], tuple[list[str], list[dict[str, str]]]]) -> int:
    """The leaf index of the verification's ``verified`` record, appended now when there is
    none. One statement locks the verification row and looks the record up, so two concurrent
    callers append it once."""
    ident = record_id(record.pk)
    leaf = Subquery(EvidenceRecord.objects.filter(delivery_id=ident, event=EVENT)
                    .values("index")[:1])
    found = (Verification.objects.select_for_update(of=("self",)).filter(pk=record.pk)
             .annotate(leaf=leaf).values_list("leaf", flat=True))
    existing = next(iter(found), None)
    if existing is not None:
        return int(existing)
    chain, revocation = data()
    return evidence_append(
        event=EVENT, at=record.verified_at, sender=record.sender.code,
        recipient=origin_id()[:35], transmission_id=ident, delivery_id=ident,
        document_sha256=record.sha256, extra=_fields(record, chain, revocation)).index


def _signer_of(record: Verification) -> asn1_x509.Certificate | None:
    """The signer certificate, read again from the stored bytes (for a record made before its
    evidence could be appended)."""
    if not record.signer_fingerprint:
        return None
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        signatures = PdfFileReader(io.BytesIO(blob_read(record.sha256))).embedded_signatures
        cert = signatures[0].signer_cert if signatures else None
    except Exception:  # a file that verified once but cannot be parsed now
        return None
    return cert if isinstance(cert, asn1_x509.Certificate) else None


def _kept(record: Verification) -> ltv.Collected | None:
    """The validation data kept beside the file when it arrived, if any."""
    kept = ArrivalValidationData.objects.filter(verification=record).first()
    if kept is None:
        return None
    certs, crls, ocsps = ltv.unbundle(blob_read(kept.blob_id))
    collected = ltv.Collected()
    collected.add(certs=certs, crls=crls, ocsps=ocsps)
    return collected


def verification_pointer(record: Verification) -> dict[str, Any]:
    """What a registration (03) or rejection (02) record says it relies on: the leaf index of
    the verification's ``verified`` record, appended now if it is missing (a verification made
    before this existed, or whose append failed). Runs in the caller's transaction."""
    with transaction.atomic():
        found = _once(record, lambda: validation_data(_signer_of(record), _kept(record),
                                                      trust.material()))
    return {"verification_record": found, "verification_id": record.pk}


def _named(records: list[EvidenceRecord]) -> set[str]:
    """The digests of every certificate and revocation item the records name."""
    named: set[str] = set()
    for record in records:
        named.update(str(d) for d in record.extra.get("chain_sha256", []))
        named.update(str(r.get("sha256", "")) for r in record.extra.get("revocation", []))
    return named - {""}


def _validation_items(records: list[EvidenceRecord]) -> dict[str, list[dict[str, str]]]:
    """The certificates, CRLs and OCSP responses the records name (kept as blobs) and those
    kept beside the file when it arrived, as the bundle carries them."""
    collected = ltv.Collected()
    kinds = {CERT_TYPE: collected.certificates, CRL_TYPE: collected.crls,
             OCSP_TYPE: collected.ocsps}
    for blob in Blob.objects.filter(sha256__in=sorted(_named(records)),
                                    content_type__in=list(kinds)):
        kinds[blob.content_type][blob.sha256] = blob_read(blob.sha256)
    ids = [int(r.extra.get("verification_id", 0)) for r in records]
    for kept in ArrivalValidationData.objects.filter(verification_id__in=ids):
        certs, crls, ocsps = ltv.unbundle(blob_read(kept.blob_id))
        collected.add(certs=certs, crls=crls, ocsps=ocsps)
    return {name: [{"sha256": k, "der": base64.b64encode(v).decode()}
                   for k, v in sorted(items.items())]
            for name, items in (("certificates", collected.certificates),
                                ("crls", collected.crls), ("ocsps", collected.ocsps))}


def document_parts(sha256: str, with_pdf: bool) -> dict[str, Any]:
    """This app's part of a document bundle (:mod:`vanban.evidence.documents`): the report of
    each verification the log records for the document; with ``with_pdf``, the PDF as received
    and the certificates and revocation data to validate it again offline."""
    records = list(EvidenceRecord.objects.filter(document_sha256=sha256, event=EVENT))
    ids = [int(r.extra.get("verification_id", 0)) for r in records]
    reports = {str(v.pk): report_of(v)
               for v in Verification.objects.filter(pk__in=ids).select_related("sender")}
    part: dict[str, Any] = {"verification_reports": reports}
    if with_pdf and Blob.objects.filter(sha256=sha256).exists():
        part["pdf"] = base64.b64encode(blob_read(sha256)).decode()
        part["validation_data"] = _validation_items(records)
    return part
