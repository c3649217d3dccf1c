"""Long-term validation (PAdES B-LT / B-LTA, ADR 0014) with the real demo PKI and the clock
frozen: validation data embedded at signing and kept at arrival, validation as of a past moment
after the agency certificate was revoked (superseded), years later past its expiry and the
first time-stamping certificate's, and the renewal of the archival time-stamps."""

from __future__ import annotations

import hashlib
import io
import json
import urllib.request
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.directory.models import Agency
from vanban.signatures import archive, keysources, ltv, pades, pki, services
from vanban.signatures.models import (
    AgencyCertificate,
    ArchiveCopy,
    ArrivalValidationData,
    CaKind,
    CertificateAuthority,
)
from vanban.signatures.services._common import issuer_of
from vanban.signatures.services.authority import _store_ca, crl_refresh_due
from vanban.signatures.services.tsa import timestamper
from vanban.signatures.tests.conftest import make_pdf, validate
from vanban.signatures.verification import VerificationChannel, pdf_verify
from vanban.signatures.verification.past import verify_at
from vanban.storage.selectors import blob_read

YEAR = timedelta(days=365)
HUB = VerificationChannel.hub()


@pytest.fixture
def offline(settings, monkeypatch):
    """No revocation fetching, and any attempt to reach the network fails the test."""
    settings.VANBAN_REVOCATION_FETCH = False

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network reached: {args!r}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture
def t0(demo_pki):
    """A moment just after the demo PKI was made: the signing time of the scenarios."""
    return clock.now() + timedelta(minutes=1)


def _check(report_checks: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(c for c in report_checks if c["code"] == code)


def _new_tsa(now: datetime) -> CertificateAuthority:
    """A newer demo TSA under the root (the old one nearing its end): what the operator of a
    real TSA would have done by then."""
    root = CertificateAuthority.objects.get(kind=CaKind.ROOT)
    key = pki.new_key()
    cert = pki.make_tsa(subject=pki.name(common_name="Dịch vụ dấu thời gian thử nghiệm 2",
                                         organization="vanban"),
                        key=key, issuer=issuer_of(root), now=now, days=5 * 365)
    return _store_ca(kind=CaKind.TSA, name="TSA 2", cert=cert, key=key, issuer=root)


def _sign_with_revoked_key(certificate: AgencyCertificate, agency: Agency, data: bytes,
                           at: datetime) -> bytes:
    """What a holder of the revoked key could still produce: a time-stamped signature made
    after the revocation (the service itself refuses to sign with a revoked certificate)."""
    mark = pades.Mark(placement="bottom_left_first_page", lines=[agency.name],
                      font_path=str(settings.VANBAN_FONT_PATH))
    with keysources.signer_for(certificate) as signer:
        return pades.sign_pdf_bytes(data, signer=signer, at=at, mark=mark,
                                    timestamper=timestamper(at))


def test_signature_is_b_lt_in_one_revision_and_archive_copy_is_b_lta(issued, agency, t0,
                                                                      offline):
    """R4.2, R12.1: the signed file carries its chain and the CRLs in a DSS covered by its only
    signature (entire file), and its archive copy adds a document time-stamp over it: a new
    blob whose prefix is the signed file, recorded and audited."""
    with clock.frozen(t0):
        signed = services.pdf_sign(actor=None, agency=agency, data=make_pdf())
    reader = PdfFileReader(io.BytesIO(signed.data))
    dss = DocumentSecurityStore.read_dss(reader)
    assert len(list(dss.load_certs())) >= 3  # agency, issuing CA, TSA (and root)
    assert len(dss.crls) >= 2  # issuing CA's and root's
    assert validate(signed.data).coverage == SignatureCoverageLevel.ENTIRE_FILE
    copy = ArchiveCopy.objects.get(origin=signed.sha256)
    stored = blob_read(copy.blob_id)
    assert stored.startswith(signed.data)
    assert stored != signed.data
    assert len(pades.document_stamps(stored)) == 1
    assert copy.previous is None
    assert copy.stamped_at == t0
    assert AuditEvent.objects.filter(action="signatures.archive_create",
                                     object_id=str(copy.pk)).exists()


def test_revoked_after_arrival_still_valid_at_arrival_and_signed_after_is_invalid(
        issued, agency, t0, offline):
    """R4.2, R4.3, R12.1: a document signed and received at t0; the agency certificate is
    then revoked (superseded). As of the arrival it is valid, offline, and the report names
    the later revocation and why it does not count; a document signed with that key after the
    revocation is invalid as of its own time, the report saying it was revoked before."""
    with clock.frozen(t0):
        signed = services.pdf_sign(actor=None, agency=agency, data=make_pdf()).data
    arrival = t0 + timedelta(minutes=2)
    with clock.frozen(arrival):
        record = pdf_verify(channel=HUB, data=signed, sender=agency)
    assert record.valid
    assert ArrivalValidationData.objects.filter(verification=record).exists()
    revoked_at = t0 + timedelta(days=1)
    with clock.frozen(revoked_at):
        services.certificate_revoke(actor=None, certificate=issued, reason="superseded")
    later = revoked_at + timedelta(hours=1)
    with clock.frozen(later):
        forged = _sign_with_revoked_key(issued, agency, make_pdf(text="Công văn 02"), later)
    with clock.frozen(later + timedelta(hours=1)):
        at_arrival = verify_at(data=signed, sender=agency, at=arrival)
        now_report = verify_at(data=signed, sender=agency, at=clock.now())
        after = verify_at(data=forged, sender=agency, at=clock.now())
        before_signing = verify_at(data=forged, sender=agency, at=arrival)
    assert at_arrival.valid, at_arrival.checks
    assert at_arrival.arrival_data
    revocation = _check(at_arrival.checks, "not_revoked")
    assert revocation["status"] == "pass"
    assert revocation["reason"] == "revoked_after_moment"
    assert "superseded" in revocation["en"]
    assert "đã được thay thế" in revocation["vi"]
    assert now_report.valid  # ETSI: revoked after the proven signing time
    assert _check(now_report.checks, "not_revoked")["reason"] == "revoked_after_signing"
    assert not after.valid
    assert _check(after.checks, "not_revoked")["reason"] == "revoked"
    assert not before_signing.valid
    assert _check(before_signing.checks, "signing_time")["reason"] == "signed_after_moment"


def test_years_later_the_archive_copy_proves_it_and_renewal_keeps_it(issued, agency, t0,
                                                                     offline, tmp_path):
    """R12.1, R4.2: five and a half years on, the agency certificate (2 years) and the first
    TSA certificate (5 years) have expired and the agency certificate was revoked. The renewal
    job, run before the TSA expired, added a newer archival time-stamp as a new blob (the old
    one stays); with it, `pdf verify --at` the arrival time says valid. Without the archive the
    same file is invalid: its time-stamp's certificate has expired."""
    with clock.frozen(t0):
        signed = services.pdf_sign(actor=None, agency=agency, data=make_pdf()).data
        pdf_verify(channel=HUB, data=signed, sender=agency)
    first = ArchiveCopy.objects.get()
    with clock.frozen(t0 + timedelta(days=1)):
        services.certificate_revoke(actor=None, certificate=issued, reason="superseded")
    with clock.frozen(t0 + 3 * YEAR):  # not due yet: the TSA has two years left
        crl_refresh_due()
        assert archive.archive_renew_due().renewed == []
    renewal_time = t0 + 4 * YEAR + timedelta(days=180)
    with clock.frozen(renewal_time):
        crl_refresh_due()
        _new_tsa(clock.now())
        out = io.StringIO()
        call_command("pdf", "archive-renew", "--json", stdout=out)
        assert archive.archive_renew_due().renewed == []  # the new stamp is not due
    result = json.loads(out.getvalue())
    assert len(result["renewed"]) == 1
    assert result["failed"] == []
    renewed = ArchiveCopy.objects.get(previous=first)
    assert renewed.blob_id != first.blob_id
    assert renewed.tsa_not_after > first.tsa_not_after
    old_bytes, new_bytes = blob_read(first.blob_id), blob_read(renewed.blob_id)
    assert new_bytes.startswith(old_bytes)
    assert len(pades.document_stamps(new_bytes)) == 2
    assert AuditEvent.objects.filter(action="signatures.archive_renew").count() == 1
    later = t0 + 5 * YEAR + timedelta(days=180)
    file = tmp_path / "cong-van.pdf"
    file.write_bytes(signed)
    with clock.frozen(later):
        crl_refresh_due()
        out = io.StringIO()
        call_command("pdf", "verify", str(file), "--sender", agency.code, "--json",
                     "--at", (t0 + timedelta(minutes=1)).isoformat(), stdout=out)
        without_archive = verify_at(data=signed, sender=agency, at=t0 + timedelta(minutes=1),
                                    use_archive=False)
    report = json.loads(out.getvalue())
    assert report["verdict"] == "valid", report["checks"]
    assert report["archive_copy"] == renewed.blob_id
    assert report["proven_by_archive_at"] is not None
    assert not without_archive.valid
    assert _check(without_archive.checks, "signing_time")["reason"] == "bad_timestamp"


def test_verify_at_rejects_a_bad_moment(issued, agency, tmp_path):
    """The command keeps its exit codes: a moment it cannot read is a usage error (2)."""
    file = tmp_path / "x.pdf"
    file.write_bytes(make_pdf())
    with pytest.raises(Exception) as caught:  # noqa: PT011 - CommandError or SystemExit
        call_command("pdf", "verify", str(file), "--sender", agency.code, "--at", "hôm qua")
    assert getattr(caught.value, "returncode", getattr(caught.value, "code", None)) == 2


def test_weak_digest_is_renewed_at_once_with_the_configured_one(issued, agency, t0, offline,
                                                                 settings):
    """R12.1: when the digest of the newest archival stamp is declared weak, the next run
    renews it at once (however long the TSA has left) with the configured digest; the copy it
    renews stays."""
    with clock.frozen(t0):
        services.pdf_sign(actor=None, agency=agency, data=make_pdf())
    first = ArchiveCopy.objects.get()
    assert first.md_algorithm == "sha256"
    settings.VANBAN_ARCHIVE_WEAK_DIGESTS = ["sha256"]
    settings.VANBAN_ARCHIVE_DIGEST = "sha512"
    with clock.frozen(t0 + timedelta(days=2)):
        run = archive.archive_renew_due()
    assert [c.previous_id for c in run.renewed] == [first.pk]
    assert run.renewed[0].md_algorithm == "sha512"
    assert blob_read(first.blob_id)  # still there


def test_arrival_data_holds_the_chain_and_crls_used(issued, agency, t0, offline):
    """R4.3, R12.1: the validation data kept beside a received document holds the signer's
    certificate, its issuing CA, the root and the issuing CA's CRL as it was at arrival; the
    received bytes are kept as they came."""
    with clock.frozen(t0):
        signed = services.pdf_sign(actor=None, agency=agency, data=make_pdf()).data
        record = pdf_verify(channel=HUB, data=signed, sender=agency)
    kept = ArrivalValidationData.objects.get(verification=record)
    certs, crls, _ = ltv.unbundle(blob_read(kept.blob_id))
    fingerprints = {hashlib.sha256(c.dump()).hexdigest() for c in certs}
    assert issued.fingerprint in fingerprints
    issuing = CertificateAuthority.objects.get(kind=CaKind.ISSUING)
    assert issuing.fingerprint in fingerprints
    root = CertificateAuthority.objects.get(kind=CaKind.ROOT)
    assert root.fingerprint in fingerprints  # the chain is followed up to the root
    assert bytes(issuing.crl_der) in {c.dump() for c in crls}
    assert blob_read(record.sha256) == signed


def test_verify_at_without_sender_judges_the_signature_alone(issued, agency, t0, offline,
                                                             tmp_path):
    """R4.2: `pdf verify FILE --at` may leave out --sender (the signature alone is judged, the
    sender check skipped); without --at, --sender stays required (exit 2)."""
    with clock.frozen(t0):
        signed = services.pdf_sign(actor=None, agency=agency, data=make_pdf()).data
    file = tmp_path / "a.pdf"
    file.write_bytes(signed)
    out = io.StringIO()
    with clock.frozen(t0 + timedelta(minutes=5)):
        call_command("pdf", "verify", str(file), "--at",
                     (t0 + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S%z"), "--json",
                     stdout=out)
    report = json.loads(out.getvalue())
    assert report["verdict"] == "valid"
    assert report["sender"] is None
    assert _check(report["checks"], "sender_certificate")["status"] == "skipped"
    with pytest.raises(Exception) as caught:  # noqa: PT011 - CommandError
        call_command("pdf", "verify", str(file))
    assert getattr(caught.value, "returncode", None) == 2


def test_received_document_gets_an_archive_copy_and_validates_years_later(
        issued, agency, t0, offline, settings):
    """R4.3, R12.1: a document signed elsewhere (no archive copy where it was signed) arrives
    valid; the daily job gives it an archive copy beside the received bytes (kept as they came)
    with the validation data of its arrival, and renews it before the TSA expires. Five and a
    half years on — the agency certificate revoked (superseded) and expired, the first TSA
    expired — it is valid as of its arrival; without the archive copy it is not."""
    settings.VANBAN_PADES_ARCHIVE = False  # signed by another installation
    with clock.frozen(t0):
        received = services.pdf_sign(actor=None, agency=agency, data=make_pdf()).data
    arrival = t0 + timedelta(minutes=3)
    with clock.frozen(arrival):
        record = pdf_verify(channel=HUB, data=received, sender=agency)
    assert record.valid
    assert not ArchiveCopy.objects.exists()
    with clock.frozen(arrival + timedelta(hours=6)):  # the daily job
        run = archive.archive_renew_due()
    assert [c.origin for c in run.created] == [record.sha256]
    copy = run.created[0]
    assert blob_read(record.sha256) == received  # the received bytes, untouched
    assert blob_read(copy.blob_id).startswith(received)
    with clock.frozen(t0 + timedelta(days=1)):
        services.certificate_revoke(actor=None, certificate=issued, reason="superseded")
    with clock.frozen(t0 + 4 * YEAR + timedelta(days=180)):
        crl_refresh_due()
        _new_tsa(clock.now())
        assert [c.previous_id for c in archive.archive_renew_due().renewed] == [copy.pk]
    with clock.frozen(t0 + 5 * YEAR + timedelta(days=180)):
        crl_refresh_due()
        kept = verify_at(data=received, sender=agency, at=arrival)
        bare = verify_at(data=received, sender=agency, at=arrival, use_archive=False)
    assert kept.valid, kept.checks
    assert kept.arrival_data
    assert _check(kept.checks, "not_revoked")["reason"] == "revoked_after_moment"
    assert not bare.valid
    assert _check(bare.checks, "signing_time")["reason"] == "bad_timestamp"


def test_chain_is_followed_from_the_leaf_to_the_root(issued):
    """R4.3, R12.1: the validation data of a signature that embeds only its own certificate
    still carries the issuing CA and the root, found in the trust material by issuer name."""
    from vanban.signatures.verification import trust

    leaf = keysources.asn1_cert(pki.load_pems(issued.pem)[0])
    chain = ltv.chain_of(trust.material(), leaf)
    names = [hashlib.sha256(c.dump()).hexdigest() for c in chain]
    issuing = CertificateAuthority.objects.get(kind=CaKind.ISSUING)
    root = CertificateAuthority.objects.get(kind=CaKind.ROOT)
    assert names == [issued.fingerprint, issuing.fingerprint, root.fingerprint]
