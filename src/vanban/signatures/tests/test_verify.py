"""Verification of incoming PDFs (R4.2, R4.3) with signatures made by a real test PKI: the demo
CA, a second untrusted CA, certificates expired or revoked at signing time, another agency."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta

import pikepdf
import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from vanban.audit.models import AuditEvent, AuditSeal
from vanban.audit.services import audit_verify
from vanban.core import clock
from vanban.signatures import appearance, keysources, pades, pki, services
from vanban.signatures.models import AgencyCertificate, CachedCrl
from vanban.signatures.services.authority import crl_publish
from vanban.signatures.services.tsa import timestamper
from vanban.signatures.tests.conftest import make_pdf
from vanban.signatures.verification import (
    Verdict,
    Verification,
    VerificationChannel,
    pdf_verify,
    trust,
)
from vanban.signatures.verification import services as verification_services
from vanban.storage.models import Blob

HUB = VerificationChannel.hub()


def check(record: Verification, code: str) -> dict[str, str]:
    """The stored check with this code."""
    return next(c for c in record.checks if c["code"] == code)


def failed_codes(record: Verification) -> list[str]:
    return [c["code"] for c in record.failures()]


def sign_raw(data: bytes, signer: object, *, at: datetime, name: str = "Cơ quan",
             placement: str = "bottom_left_first_page", stamped: bool = True) -> bytes:
    """Sign below the services (no state checks), as a forger or a careless sender could."""
    mark = pades.Mark(placement=placement, lines=appearance.mark_lines(agency_name=name, at=at),
                      font_path="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    return pades.sign_pdf_bytes(data, signer=signer, at=at, mark=mark,
                                timestamper=timestamper(at) if stamped else None)


def signer_of(certificate: AgencyCertificate) -> keysources.CachedKeySigner:
    keysources.forget(certificate)
    return keysources.pkcs12_signer(certificate)


def append_page(signed: bytes) -> bytes:
    """An incremental update after signing that adds a page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page_ref, _ = writer.find_page_for_modification(0)  # type: ignore[no-untyped-call]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 700 Td (Them) Tj ET")
    new_page = generic.DictionaryObject({  # type: ignore[no-untyped-call]
        generic.pdf_name("/Type"): generic.pdf_name("/Page"),
        generic.pdf_name("/MediaBox"): page["/MediaBox"],
        generic.pdf_name("/Contents"): writer.add_object(stream),
        generic.pdf_name("/Resources"): generic.DictionaryObject()})  # type: ignore[no-untyped-call]
    writer.insert_page(new_page)  # type: ignore[no-untyped-call]
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def change_text(signed: bytes) -> bytes:
    """An incremental update after signing that replaces page 1's text."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page_ref, _ = writer.find_page_for_modification(0)  # type: ignore[no-untyped-call]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 760 Td (Cong van so 99) Tj ET")
    page[generic.pdf_name("/Contents")] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


@pytest.fixture
def other_agency(make_agency):
    return make_agency("000.00.09.H06", name="Sở Tài chính tỉnh Bắc Giang", short_name="STC")


@pytest.fixture
def early(agency) -> AgencyCertificate:
    """The demo PKI and the agency's certificate, made a day ago (to sign in the past)."""
    with clock.frozen(clock.now() - timedelta(days=1)):
        services.ca_create_demo(actor=None)
        return services.certificate_issue(actor=None, agency=agency)


@pytest.fixture
def signed(issued, agency) -> bytes:
    return services.pdf_sign(actor=None, agency=agency, data=make_pdf()).data


def test_valid_signed_pdf(signed, agency, issued):
    """R4.2, R4.3: a document signed by the sender's registered certificate passes every check,
    with the time-stamp's time as the signing time; the bytes are kept as received."""
    record = pdf_verify(channel=HUB, data=signed, sender=agency)
    assert record.verdict == Verdict.VALID, record.checks
    assert [c["status"] for c in record.checks] == ["pass"] * 10
    assert record.signer_certificate == issued
    assert record.signed_at_source == "timestamp"
    assert record.signed_at is not None
    assert abs(record.signed_at - clock.now()) < timedelta(minutes=1)
    assert record.page_count == 1
    assert record.sha256 == hashlib.sha256(signed).hexdigest()
    assert storages["default"].open(Blob.objects.get(pk=record.sha256).path).read() == signed
    assert AuditEvent.objects.filter(action="signatures.pdf_verify",
                                     agency_code=agency.code).count() == 1


def test_verified_once_per_document_and_sender(signed, agency, other_agency):
    """R4.3: the same bytes from the same sender are verified once (keyed by SHA-256)."""
    first = pdf_verify(channel=HUB, data=signed, sender=agency)
    again = pdf_verify(channel=HUB, data=signed, sender=agency, received_via="upload")
    assert again.pk == first.pk
    assert Verification.objects.count() == 1
    assert AuditEvent.objects.filter(action="signatures.pdf_verify").count() == 1
    elsewhere = pdf_verify(channel=HUB, data=signed, sender=other_agency)
    assert elsewhere.pk != first.pk


def test_tampered_byte_fails(signed, agency):
    """R4.2: one byte changed inside the signed range breaks integrity."""
    data = bytearray(signed)
    at = data.index(b"ReportLab Generated")  # in the signed range, before the signature
    data[at] = ord("r")
    record = pdf_verify(channel=HUB, data=bytes(data), sender=agency)
    assert record.verdict == Verdict.INVALID
    assert check(record, "intact")["status"] == "fail"
    assert check(record, "intact")["reason"] == "tampered"
    assert check(record, "sender_certificate")["status"] == "skipped"
    assert Blob.objects.filter(pk=record.sha256).exists()


@pytest.mark.parametrize("modify", [append_page, change_text], ids=["new_page", "new_text"])
def test_content_added_after_signing_fails(signed, agency, modify):
    """R4.2: an incremental update that adds a page or changes text after signing is a failure,
    even though the signed revision itself is intact."""
    record = pdf_verify(channel=HUB, data=modify(signed), sender=agency)
    assert record.verdict == Verdict.INVALID
    assert check(record, "intact")["status"] == "pass"
    assert check(record, "coverage")["status"] == "fail"
    assert check(record, "coverage")["reason"] == "modified_after_signing"
    assert failed_codes(record) == ["coverage"]


def test_untrusted_root_fails(demo_pki, agency):
    """R4.2: a signature from a second CA that is not in the trust store is not trusted (and
    its certificate is not registered to the sender)."""
    now = clock.now()
    root_key, leaf_key = pki.new_key(), pki.new_key()
    root = pki.make_ca(subject=pki.name(common_name="CA lạ"), key=root_key, issuer=None,
                       now=now, days=365)
    leaf = pki.make_leaf(subject=services.certificates.agency_subject(agency),
                         public_key=leaf_key.public_key(),
                         issuer=pki.Issuer(cert=root, key=root_key), now=now, days=30)
    signer = keysources.CachedKeySigner(key=leaf_key, cert=leaf, chain=[root])
    record = pdf_verify(channel=HUB, data=sign_raw(make_pdf(), signer, at=now), sender=agency)
    assert record.verdict == Verdict.INVALID
    assert check(record, "intact")["status"] == "pass"
    assert check(record, "trusted_chain")["status"] == "fail"
    assert check(record, "trusted_chain")["reason"] == "untrusted"
    assert check(record, "sender_certificate")["reason"] == "unregistered"


def test_expired_at_signing_time_fails(make_agency):
    """R4.2: a certificate that had expired when the (time-stamped) signature was made fails,
    although the rest of the chain is sound."""
    agency = make_agency()
    start = clock.now() - timedelta(days=60)
    with clock.frozen(start):
        demo = services.ca_create_demo(actor=None)
        cert = services.certificate_issue(actor=None, agency=agency, valid_days=1)
    at = start + timedelta(days=10)
    with clock.frozen(at):
        data = sign_raw(make_pdf(), signer_of(cert), at=at, name=agency.name)
    for ca in (demo.root, demo.issuing):  # current CRLs, as the CA would have published
        crl_publish(ca=ca)
    record = pdf_verify(channel=HUB, data=data, sender=agency)
    assert record.verdict == Verdict.INVALID
    assert check(record, "validity_period")["reason"] == "expired"
    assert failed_codes(record) == ["validity_period"]
    assert record.signed_at == at


def test_revoked_before_signing_fails(early, agency):
    """R4.2: a certificate revoked before the signing time fails on the demo CA's CRL."""
    with clock.frozen(clock.now() - timedelta(hours=2)):
        services.certificate_revoke(actor=None, certificate=early, reason="key_compromise")
    at = clock.now() - timedelta(hours=1)
    with clock.frozen(at):
        data = sign_raw(make_pdf(), signer_of(early), at=at, name=agency.name)
    record = pdf_verify(channel=HUB, data=data, sender=agency)
    assert record.verdict == Verdict.INVALID
    assert check(record, "not_revoked")["status"] == "fail"
    assert check(record, "not_revoked")["reason"] == "revoked"
    assert failed_codes(record) == ["not_revoked"]


def test_revoked_after_time_stamped_signing_still_valid(early, agency):
    """R4.2: revocation is judged at signing time: a B-T signature made before the
    certificate was revoked stays valid."""
    with clock.frozen(clock.now() - timedelta(hours=2)):
        data = services.pdf_sign(actor=None, agency=agency, data=make_pdf()).data
    services.certificate_revoke(actor=None, certificate=early, reason="superseded")
    record = pdf_verify(channel=HUB, data=data, sender=agency)
    assert record.verdict == Verdict.VALID, record.failures()
    assert record.signer_certificate == early


def test_signed_by_another_agency_is_impersonation(demo_pki, agency, other_agency):
    """R4.2: a valid signature by another agency's certificate fails as impersonation."""
    services.certificate_issue(actor=None, agency=other_agency)
    data = services.pdf_sign(actor=None, agency=other_agency, data=make_pdf()).data
    record = pdf_verify(channel=HUB, data=data, sender=agency)
    assert record.verdict == Verdict.INVALID
    assert failed_codes(record) == ["sender_certificate"]
    sender_check = check(record, "sender_certificate")
    assert sender_check["reason"] == "other_agency"
    assert other_agency.name in sender_check["vi"]
    assert "impersonation" in sender_check["en"]
    assert pdf_verify(channel=HUB, data=data, sender=other_agency).verdict == Verdict.VALID


def test_unsigned_pdf_fails(demo_pki, agency):
    """R4.2: a PDF without a signature fails, with the reason."""
    record = pdf_verify(channel=HUB, data=make_pdf(), sender=agency)
    assert record.verdict == Verdict.INVALID
    assert check(record, "well_formed")["status"] == "pass"
    assert check(record, "signature_present")["reason"] == "no_signature"
    assert "ký số" in check(record, "signature_present")["vi"]


def _encrypted() -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(make_pdf())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="mk", owner="mk"))
    return out.getvalue()


@pytest.mark.parametrize("kind", ["truncated", "empty", "encrypted", "not_pdf"])
def test_broken_files_reach_a_verdict_and_are_kept(signed, agency, kind):
    """R4.2, R4.3: truncated, empty, encrypted and non-PDF files get an invalid verdict with a
    reason (no crash), and the bytes are kept as received with their hash."""
    data = {"truncated": signed[: len(signed) // 2], "empty": b"",
            "encrypted": _encrypted(), "not_pdf": b"PK\x03\x04 word document"}[kind]
    record = pdf_verify(channel=HUB, data=data, sender=agency)
    assert record.verdict == Verdict.INVALID
    first = record.checks[0]
    assert first["code"] == "well_formed"
    assert first["status"] == "fail"
    assert first["vi"]
    assert first["en"]
    assert all(c["status"] == "skipped" for c in record.checks[1:])
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert storages["default"].open(Blob.objects.get(pk=record.sha256).path).read() == data


def test_mark_elsewhere_is_only_a_warning(issued, agency):
    """R15.1, R4.2: a mark away from the bottom left of page 1 warns but stays valid."""
    at = clock.now()
    data = sign_raw(make_pdf(), signer_of(issued), at=at, name=agency.name,
                    placement="top_right_first_page")
    record = pdf_verify(channel=HUB, data=data, sender=agency)
    assert record.verdict == Verdict.VALID
    assert check(record, "mark_position")["status"] == "warning"
    assert check(record, "mark_position")["reason"] == "mark_elsewhere"


def test_without_timestamp_time_is_claimed_and_judged_at_receipt(issued, agency):
    """R4.2: a B-B signature's time is the signer's claim (a warning); the certificate is
    judged at the time of receipt."""
    data = sign_raw(make_pdf(), signer_of(issued), at=clock.now(), name=agency.name,
                    stamped=False)
    record = pdf_verify(channel=HUB, data=data, sender=agency)
    assert record.verdict == Verdict.VALID, record.failures()
    assert record.signed_at_source == "claimed"
    assert check(record, "signing_time")["reason"] == "time_claimed"
    assert CachedCrl.objects.count() == 0  # our own CA's CRL is used, nothing fetched


@pytest.fixture
def seal_every_event(settings):
    """Seal after every event from the first one on (the chain verifies only when the seals
    were taken as the setting says from the start, so set it before any other fixture)."""
    settings.VANBAN_AUDIT_SEAL_EVERY = 1


def test_stored_record_reads_back_with_its_chained_event(seal_every_event, signed, agency,
                                                         issued):
    """The record written in one statement (PostgreSQL) or one transaction (SQLite) reads back
    as returned, its event names it and is chained (and sealed when due): the chain verifies."""
    record = pdf_verify(channel=HUB, data=signed, sender=agency, received_via="upload")
    stored = Verification.objects.get(pk=record.pk)
    for name in ("blob_id", "sender_id", "path", "received_via", "verdict", "checks",
                 "signer_certificate_id", "signer_subject", "signer_fingerprint", "signed_at",
                 "signed_at_source", "page_count", "verified_at", "mail_message_id"):
        assert getattr(stored, name) == getattr(record, name), name
    assert stored.signer_certificate_id == issued.pk
    assert Blob.objects.get(pk=record.sha256).size == len(signed)
    event = AuditEvent.objects.get(action="signatures.pdf_verify")
    assert event.object_id == str(record.pk)
    assert event.object_type == "verification"
    assert AuditSeal.objects.filter(seq=event.seq, hash=event.hash).exists()
    assert audit_verify(actor=None).ok


def test_concurrent_verification_first_writer_wins(signed, agency):
    """Two callers verifying the same bytes at once: the second store finds the first record
    (no error, no second record, no second event)."""
    first = pdf_verify(channel=HUB, data=signed, sender=agency)
    examined, certificate_id, pages = verification_services._run(signed, agency)
    again = verification_services._store(
        data=signed, sender=agency, channel=HUB, received_via="hub", examined=examined,
        signer_certificate_id=certificate_id, pages=pages, sha256=first.sha256)
    assert again.pk == first.pk
    assert Verification.objects.count() == 1
    assert AuditEvent.objects.filter(action="signatures.pdf_verify").count() == 1


def test_trust_change_after_caching_is_seen(issued, agency):
    """The trust material cached by one verification is not trusted blindly by the next: a
    revocation in between (new CRL number, revoked row) makes the next document be judged
    again with the current material."""
    at = clock.now()
    first = sign_raw(make_pdf(text="A"), signer_of(issued), at=at, name=agency.name,
                     stamped=False)
    second = sign_raw(make_pdf(text="B"), signer_of(issued), at=at, name=agency.name,
                      stamped=False)
    # material cached
    assert pdf_verify(channel=HUB, data=first, sender=agency).verdict == Verdict.VALID
    stale = trust.latest()
    services.certificate_revoke(actor=None, certificate=issued, reason="key_compromise")
    assert trust.latest() is stale  # nothing asked the database yet
    # B-B: judged at receipt, after revocation
    record = pdf_verify(channel=HUB, data=second, sender=agency)
    assert record.verdict == Verdict.INVALID
    assert failed_codes(record) == ["not_revoked"]
    assert trust.latest() is not stale


def test_unregistered_signer_certificate_fails(demo_pki, agency):
    """R4.2: a certificate of a trusted CA that is not registered to any agency fails the
    sender check (the registration is read with the trust version, in the same query)."""
    certificate = services.certificate_issue(actor=None, agency=agency)
    data = services.pdf_sign(actor=None, agency=agency, data=make_pdf()).data
    AgencyCertificate.objects.filter(pk=certificate.pk).update(fingerprint="0" * 64)
    record = pdf_verify(channel=HUB, data=data, sender=agency)
    assert failed_codes(record) == ["sender_certificate"]
    assert check(record, "sender_certificate")["reason"] == "unregistered"
    assert record.signer_certificate_id is None


def test_first_verification_round_trips(issued, agency):
    """A first-time verification with the trust material cached: the stored-record lookup, the
    trust version with the sender's certificate, and the write: one statement on PostgreSQL,
    the blob row, the record and the audit chaining's three statements on SQLite; then the
    validation data kept beside (ADR 0014): one statement on PostgreSQL, two on SQLite; then
    the evidence record (R7.2): the verification row locked with its record looked up, the
    kept certificates and CRLs looked up, the leaf claimed and the record written. No
    savepoint either way."""
    documents = [services.pdf_sign(actor=None, agency=agency, data=make_pdf(text=t)).data
                 for t in ("A", "B")]
    pdf_verify(channel=HUB, data=documents[0], sender=agency)
    with CaptureQueriesContext(connection) as queries:
        record = pdf_verify(channel=HUB, data=documents[1], sender=agency)
    assert record.verdict == Verdict.VALID
    statements = [q["sql"] for q in queries.captured_queries]
    assert not any("SAVEPOINT" in s for s in statements), statements
    assert len(statements) == (8 if connection.vendor == "postgresql" else 13), statements
