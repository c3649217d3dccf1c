"""The PAdES checks of one PDF with pyHanko (R4.2): present, intact, whole file, trusted, in its
validity and not revoked at signing time, when it was signed, where the mark is.

No database: the caller hands over the :class:`TrustMaterial`. The signature checked is the last
regular signature of the file (the one that must cover everything).

Time model: with a valid time-stamp token (PAdES B-T) the certificate is judged at the
time-stamp's time, so a certificate revoked or expired *after* signing still passes. Without one
(B-B) the signer's claimed time proves nothing, so the certificate is judged at the time of
receipt — the stricter of the two for a document that has just arrived.

Long-term validation (ADR 0014): document time-stamps (PAdES B-LTA) added after the signature
are checked newest first, the newest at the current time and each older one at the time of the
one after it; the oldest that holds is the proof of existence (POE) at which the signature's own
time-stamp is judged, so a time-stamping certificate that has expired since still proves the
signing time. Validation *as of* a past moment (``at``) judges the certificate at the proven
signing time when there is one (else at ``at``), counts only revocations dated before that,
fails a signature made after ``at``, and says which revocation it set aside and why.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from asn1crypto import cms, core, ocsp
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from vanban.signatures import appearance, ltv
from vanban.signatures.verification import marks
from vanban.signatures.verification.checks import Check, Code, failed, noted, passed
from vanban.signatures.verification.trust import TrustMaterial

log = logging.getLogger(__name__)
FUTURE_TOLERANCE = timedelta(minutes=5)
_CHAIN = {AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND,
          AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE,
          AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE,
          AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND}
_PERIOD = {AdESIndeterminate.EXPIRED, AdESIndeterminate.NOT_YET_VALID, AdESFailure.NOT_YET_VALID,
           AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED}
_REVOKED = {AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE,
            AdESIndeterminate.REVOKED_CA_NO_POE}
_UNKNOWN = {AdESIndeterminate.TRY_LATER, AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE}
# CRL reason codes (RFC 5280) as a Vietnamese reader says them.
_REASONS_VI = {
    "unspecified": "không nêu", "key_compromise": "lộ khóa bí mật",
    "ca_compromise": "CA bị lộ khóa", "affiliation_changed": "thay đổi cơ quan",
    "superseded": "đã được thay thế", "cessation_of_operation": "ngừng hoạt động",
    "certificate_hold": "tạm dừng", "privilege_withdrawn": "rút quyền",
}
_ALLOWED_AFTER = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


@dataclass
class Examined:
    """What the signature checks found, for the caller to complete and store."""

    checks: list[Check] = field(default_factory=list)
    signer: asn1_x509.Certificate | None = None
    signed_at: datetime | None = None
    signed_at_source: str = ""  # "timestamp" or "claimed"
    judged_at: datetime | None = None  # the moment the certificate was judged at
    proven_by_archive: datetime | None = None  # POE from the document time-stamps, if any
    collected: ltv.Collected | None = None  # the validation data this judgement used


def _tst_time(sig: EmbeddedPdfSignature) -> datetime | None:
    """The time in the signature's time-stamp token, read without validating it (yet)."""
    unsigned = sig.signer_info["unsigned_attrs"]
    if isinstance(unsigned, core.Void):  # absent (``.native`` would decode the whole token)
        return None
    for attr in unsigned:
        if attr["type"].native == "signature_time_stamp_token":
            token: cms.ContentInfo = attr["values"][0]
            info = token["content"]["encap_content_info"]["content"].parsed
            value = info["gen_time"].native
            return value if isinstance(value, datetime) else None
    return None


def _embedded_revinfo(reader: PdfFileReader, sig: EmbeddedPdfSignature) -> tuple[
        list[asn1_crl.CertificateList], list[ocsp.OCSPResponse], list[asn1_x509.Certificate]]:
    """Revocation data carried by the file: the DSS, and Adobe's signed archival attribute."""
    crls: list[asn1_crl.CertificateList] = []
    ocsps: list[ocsp.OCSPResponse] = []
    certs: list[asn1_x509.Certificate] = []
    if "/DSS" in reader.root:
        try:
            dss = DocumentSecurityStore.read_dss(reader)
            certs = list(dss.load_certs())
            # The streams' DER, parsed lazily (building a validation context to get at them
            # cost a few ms per document).
            crls = [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]
            ocsps = [ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]
        except Exception as err:  # a damaged DSS only loses the embedded data, not the verdict
            log.info("unreadable DSS ignored: %s", err)
    signed = sig.signer_info["signed_attrs"]
    for attr in signed:
        if attr["type"].native == "adobe_revocation_info_archival":
            archival = attr["values"][0]
            crls += list(archival["crl"] or [])
            ocsps += list(archival["ocsp"] or [])
    return crls, ocsps, certs


def _context(material: TrustMaterial, extra: tuple[list[Any], list[Any], list[Any]],
             moment: datetime | None) -> ValidationContext:
    """Hard-fail revocation: a certificate that names a CRL must have one. A CRL issued after
    the signing time still tells what was revoked before it (``retroactive_revinfo``): the
    CAs we know use no certificate holds, so a revocation is never undone."""
    crls, ocsps, certs = extra
    return ValidationContext(
        trust_roots=material.roots, other_certs=_distinct([*material.other_certs, *certs]),
        crls=_distinct([*material.crls, *crls]), ocsps=ocsps, allow_fetching=False,
        revocation_mode="hard-fail", moment=moment, retroactive_revinfo=True)


def _distinct(items: list[Any]) -> list[Any]:
    """``items`` without repeats by DER: a B-LT file embeds the very CRLs and certificates we
    hold, and pyHanko would check each copy's signature again."""
    seen: set[bytes] = set()
    kept = []
    for item in items:
        der = item.dump()
        if der not in seen:
            seen.add(der)
            kept.append(item)
    return kept


def _coverage(status: PdfSignatureStatus) -> Check:
    """Whole file, or later revisions that only add validation data (DSS, document
    time-stamps); anything else added after signing is a failure, not a warning."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return passed(Code.COVERAGE)
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return failed(Code.COVERAGE, "partial_coverage", detail=str(status.coverage))
    level = status.modification_level
    if level not in _ALLOWED_AFTER:
        name = level.name if level is not None else "OTHER"
        return failed(Code.COVERAGE, "modified_after_signing", level=name,
                      detail=str(status.diff_result))
    if status.docmdp_ok is False:
        return failed(Code.COVERAGE, "docmdp_violated")
    return passed(Code.COVERAGE)


def _period(signer: asn1_x509.Certificate, at: datetime, indic: object) -> Check:
    not_before = signer["tbs_certificate"]["validity"]["not_before"].native
    not_after = signer["tbs_certificate"]["validity"]["not_after"].native
    if at > not_after:
        return failed(Code.VALIDITY_PERIOD, "expired", not_after=appearance.format_time(
            not_after))
    if at < not_before:
        return failed(Code.VALIDITY_PERIOD, "not_yet_valid",
                      not_before=appearance.format_time(not_before))
    if indic in _PERIOD:  # the leaf is fine: a CA of the chain is out of its validity
        return failed(Code.VALIDITY_PERIOD, "expired", not_after="(CA)", detail=str(indic))
    return passed(Code.VALIDITY_PERIOD)


def _revoked_entry(crls: list[asn1_crl.CertificateList],
                   cert: asn1_x509.Certificate) -> tuple[datetime, str] | None:
    """When and why a CRL we hold says ``cert`` was revoked (the earliest), if one does."""
    found: tuple[datetime, str] | None = None
    serial = cert.serial_number
    for crl in crls:
        if crl["tbs_cert_list"]["issuer"].dump() != cert.issuer.dump():
            continue
        for entry in crl["tbs_cert_list"]["revoked_certificates"]:
            if entry["user_certificate"].native != serial:
                continue
            when = entry["revocation_date"].native
            why = str(entry.crl_reason_value.native) if entry.crl_reason_value else \
                "unspecified"
            if found is None or when < found[0]:
                found = (when, why)
    return found


@dataclass(frozen=True)
class _When:
    """The moments a revocation is compared with: the one the certificate is judged at (the
    proven signing time, else ``moment``) and the moment the validation is made as of."""

    judged: datetime
    moment: datetime


def _revocation(status: PdfSignatureStatus, cert: asn1_x509.Certificate, *, fingerprint: str,
                when: _When, material: TrustMaterial,
                crls: list[asn1_crl.CertificateList]) -> Check:
    details = status.revocation_details
    known = material.revoked.get(fingerprint)
    if details is not None and details.ca_revoked:
        return failed(Code.NOT_REVOKED, "ca_revoked")
    if details is not None:
        return failed(Code.NOT_REVOKED, "revoked", revoked_at=appearance.format_time(
            details.revocation_date))
    if known is not None and known <= when.judged:  # our own record, whatever the CRL says
        return failed(Code.NOT_REVOKED, "revoked", revoked_at=appearance.format_time(known))
    if status.trust_problem_indic in _REVOKED:
        return failed(Code.NOT_REVOKED, "revoked", revoked_at="?",
                      detail=str(status.trust_problem_indic))
    if status.trust_problem_indic in _UNKNOWN:
        return failed(Code.NOT_REVOKED, "revocation_unknown",
                      detail=str(status.trust_problem_indic))
    return _set_aside(cert, known, when, [*material.crls, *crls])


def _set_aside(cert: asn1_x509.Certificate, known: datetime | None, when: _When,
               crls: list[asn1_crl.CertificateList]) -> Check:
    """Not revoked at the judged time: pass, saying which later revocation was set aside and
    why (after the moment asked about, or after the signature was proven to exist)."""
    later = _revoked_entry(crls, cert) or ((known, "") if known is not None else None)
    if later is None:
        return passed(Code.NOT_REVOKED)
    revoked_at, why = later
    reason = "revoked_after_moment" if revoked_at > when.moment else "revoked_after_signing"
    why = why or "unspecified"
    return noted(Code.NOT_REVOKED, reason, revoked_at=appearance.format_time(revoked_at),
                 why=why, why_vi=_REASONS_VI.get(why, why),
                 time=appearance.format_time(when.judged),
                 moment=appearance.format_time(when.moment))


def _timing(status: PdfSignatureStatus, tst_at: datetime | None, now: datetime,
            result: Examined, at: datetime | None = None) -> Check:
    tst = status.timestamp_validity
    if tst_at is not None:
        if tst is None or not (tst.intact and tst.valid and tst.trusted):
            return failed(Code.SIGNING_TIME, "bad_timestamp",
                          detail=str(tst.trust_problem_indic if tst else "missing"))
        result.signed_at, result.signed_at_source = tst.timestamp, "timestamp"
    elif status.signer_reported_dt is not None:
        result.signed_at, result.signed_at_source = status.signer_reported_dt, "claimed"
    else:
        return failed(Code.SIGNING_TIME, "time_unknown", warning=True)
    shown = appearance.format_time(result.signed_at)
    if at is not None and result.signed_at > at:
        return failed(Code.SIGNING_TIME, "signed_after_moment", time=shown,
                      moment=appearance.format_time(at))
    if result.signed_at > now + FUTURE_TOLERANCE:
        return failed(Code.SIGNING_TIME, "time_in_future", time=shown)
    if result.signed_at_source == "claimed":
        return failed(Code.SIGNING_TIME, "time_claimed", warning=True, time=shown)
    return passed(Code.SIGNING_TIME, time=shown)


def _trust(status: PdfSignatureStatus) -> Check:
    indic = status.trust_problem_indic
    if indic in _CHAIN or status.validation_path is None:
        return failed(Code.TRUSTED_CHAIN, "untrusted", detail=str(indic))
    if indic == AdESIndeterminate.SIG_CONSTRAINTS_FAILURE:
        return failed(Code.TRUSTED_CHAIN, "not_for_signing", detail=str(indic))
    return passed(Code.TRUSTED_CHAIN)


def _proof_of_existence(reader: PdfFileReader, sig: EmbeddedPdfSignature,
                        material: TrustMaterial, extra: tuple[list[Any], list[Any], list[Any]],
                        now: datetime) -> datetime | None:
    """The time of the oldest document time-stamp after the signature whose chain of later
    stamps holds up to ``now`` (each judged at the time of the next): the moment the signed
    file, its signature time-stamp and its validation data are proven to have existed."""
    stamps = [t for t in reader.embedded_timestamp_signatures
              if t.signed_revision > sig.signed_revision]
    moment, proof = now, None
    for stamp in reversed(stamps):
        try:
            status = validate_pdf_timestamp(
                stamp, validation_context=_context(material, extra, moment))
        except Exception as err:  # a damaged stamp breaks the chain here
            log.info("document time-stamp unreadable: %s", err)
            break
        if not (status.intact and status.valid and status.trusted):
            break
        moment = proof = status.timestamp
    return proof


def _collected(material: TrustMaterial, sig: EmbeddedPdfSignature,
               extra: tuple[list[Any], list[Any], list[Any]]) -> ltv.Collected:
    """The certificates and revocation data that can validate this signature later: its chain
    and its time-stamp's, the CRLs of their issuers we hold, what the file embeds."""
    crls, ocsps, certs = extra
    collected = ltv.Collected()
    chain = ltv.chain_of(material, sig.signer_cert)
    for cert in [c.chosen for c in sig.signed_data["certificates"]]:
        chain += [c for c in ltv.chain_of(material, cert) if c not in chain]
    collected.add(certs=[*chain, *certs], crls=[*ltv.relevant_crls(material, chain), *crls],
                  ocsps=ocsps)
    return collected


def examine(data: bytes, material: TrustMaterial, *, now: datetime, fingerprint_of: Any,
            at: datetime | None = None,
            extra: tuple[list[Any], list[Any], list[Any]] | None = None) -> Examined:
    """Run the signature checks on ``data`` (already known to be a well-formed PDF).

    ``fingerprint_of`` maps an asn1crypto certificate to its SHA-256 fingerprint. ``at``: judge
    as of that past moment (see the module's time model); ``extra``: more (CRLs, OCSP
    responses, certificates), e.g. the validation data kept when the file arrived.
    """
    result = Examined()
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    signatures = reader.embedded_regular_signatures
    if not signatures:
        result.checks.append(failed(Code.SIGNATURE_PRESENT, "no_signature"))
        return result
    result.checks.append(passed(Code.SIGNATURE_PRESENT))
    sig = signatures[-1]
    moment = at or now
    try:
        result.signer = sig.signer_cert
        tst_at = _tst_time(sig)
        found = _embedded_revinfo(reader, sig)
        revinfo = (found[0] + list(extra[0]), found[1] + list(extra[1]),
                   found[2] + list(extra[2])) if extra else found
        result.judged_at = tst_at or moment
        result.proven_by_archive = _proof_of_existence(reader, sig, material, revinfo, now)
        status = validate_pdf_signature(
            sig, signer_validation_context=_context(material, revinfo, result.judged_at),
            ts_validation_context=_context(material, revinfo, result.proven_by_archive or now))
        result.collected = _collected(material, sig, revinfo)
    except Exception as err:  # pyHanko raises many types on hostile signatures
        result.checks.append(failed(Code.INTACT, "unreadable_signature",
                                    detail=f"{type(err).__name__}: {err}"))
        return result
    if not status.intact:
        result.checks.append(failed(Code.INTACT, "tampered"))
        return result
    if not status.valid:
        result.checks.append(failed(Code.INTACT, "bad_signature_value"))
        return result
    result.checks += [passed(Code.INTACT), _coverage(status)]
    trust = _trust(status)
    result.checks += [trust, _period(sig.signer_cert, result.judged_at,
                                     status.trust_problem_indic)]
    if trust.status == "pass" or status.revocation_details is not None:
        result.checks.append(_revocation(
            status, sig.signer_cert, fingerprint=fingerprint_of(sig.signer_cert),
            when=_When(result.judged_at, moment), material=material, crls=revinfo[0]))
    result.checks += [_timing(status, tst_at, now, result, at), marks.mark_check(reader, sig)]
    return result
