"""R4.2, R4.3: every document that arrives through the exchange is verified once, and the
clerk sees the verdict and each check's reason; only a valid one can be registered (R5.1), an
invalid one is rejected with a reason (02) and its bytes stay as received."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.exchange.models import Delivery
from vanban.incoming import selectors, services
from vanban.incoming.models import IncomingDocument
from vanban.incoming.tests.conftest import arrive, send_signed
from vanban.signatures import keysources, pki
from vanban.signatures import services as signatures
from vanban.signatures.models import AgencyCertificate, Verification
from vanban.signatures.services.authority import crl_publish
from vanban.signatures.tests.conftest import make_pdf
from vanban.signatures.tests.test_verify import _encrypted, append_page, change_text, sign_raw
from vanban.storage.selectors import blob_read

pytestmark = pytest.mark.django_db


def _signer(certificate: AgencyCertificate) -> keysources.CachedKeySigner:
    keysources.forget(certificate)
    return keysources.pkcs12_signer(certificate)


def _tampered(signed: bytes) -> bytes:
    data = bytearray(signed)
    at = data.index(b"ReportLab Generated")
    data[at] = ord("r")
    return bytes(data)


def _untrusted(sender) -> bytes:
    now = clock.now()
    root_key, leaf_key = pki.new_key(), pki.new_key()
    root = pki.make_ca(subject=pki.name(common_name="CA lạ"), key=root_key, issuer=None,
                       now=now, days=365)
    leaf = pki.make_leaf(subject=signatures.certificates.agency_subject(sender),
                         public_key=leaf_key.public_key(),
                         issuer=pki.Issuer(cert=root, key=root_key), now=now, days=30)
    signer = keysources.CachedKeySigner(key=leaf_key, cert=leaf, chain=[root])
    return sign_raw(make_pdf(), signer, at=now)


def _expired(make_agency) -> tuple[object, bytes]:
    agency = make_agency()
    start = clock.now() - timedelta(days=60)
    with clock.frozen(start):
        demo = signatures.ca_create_demo(actor=None)
        cert = signatures.certificate_issue(actor=None, agency=agency, valid_days=1)
    at = start + timedelta(days=10)
    with clock.frozen(at):
        data = sign_raw(make_pdf(), _signer(cert), at=at, name=agency.name)
    for ca in (demo.root, demo.issuing):
        crl_publish(ca=ca)
    return agency, data


def _revoked(make_agency) -> tuple[object, bytes]:
    agency = make_agency()
    with clock.frozen(clock.now() - timedelta(days=1)):
        signatures.ca_create_demo(actor=None)
        cert = signatures.certificate_issue(actor=None, agency=agency)
    with clock.frozen(clock.now() - timedelta(hours=2)):
        signatures.certificate_revoke(actor=None, certificate=cert, reason="key_compromise")
    at = clock.now() - timedelta(hours=1)
    with clock.frozen(at):
        data = sign_raw(make_pdf(), _signer(cert), at=at, name=agency.name)
    return agency, data


BAD = ["tampered", "added_page", "changed_text", "untrusted", "expired", "revoked",
       "other_agency", "unsigned", "truncated", "empty", "encrypted", "not_pdf"]
FAILED = {"tampered": "intact", "added_page": "coverage", "changed_text": "coverage",
          "untrusted": "trusted_chain", "expired": "validity_period", "revoked": "not_revoked",
          "other_agency": "sender_certificate", "unsigned": "signature_present",
          "truncated": "well_formed", "empty": "well_formed", "encrypted": "well_formed",
          "not_pdf": "well_formed"}


def _bad(kind: str, request):
    """(sending agency, bytes) for one kind of bad document (the PKI made in the past for the
    expired and revoked certificates, today's for the others)."""
    if kind in ("expired", "revoked"):
        make_agency = request.getfixturevalue("make_agency")
        return (_expired if kind == "expired" else _revoked)(make_agency)
    sender = request.getfixturevalue("sender")
    health = request.getfixturevalue("health")
    signed_pdf = request.getfixturevalue("signed_pdf")
    simple = {
        "tampered": lambda: _tampered(signed_pdf), "added_page": lambda: append_page(signed_pdf),
        "changed_text": lambda: change_text(signed_pdf), "untrusted": lambda: _untrusted(sender),
        "other_agency": lambda: signatures.pdf_sign(actor=None, agency=health,
                                                    data=make_pdf()).data,
        "unsigned": make_pdf, "truncated": lambda: signed_pdf[: len(signed_pdf) // 2],
        "empty": lambda: b"", "encrypted": _encrypted,
        "not_pdf": lambda: b"PK\x03\x04 word document"}
    return sender, simple[kind]()  # type: ignore[no-untyped-call]


@pytest.mark.usefixtures("pki")
def test_valid_document_sent_through_the_exchange_is_verified_on_arrival(
        clerk, health, finance_clerk, django_capture_on_commit_callbacks):
    """R4.2, R4.3: a document signed by the sender's clerk and sent to two agencies is verified
    once when it arrives (after the arrival commits), not once per recipient; the clerk's
    inbox shows it as valid."""
    with django_capture_on_commit_callbacks(execute=True):
        transmission = send_signed(clerk, clerk.agency, [finance_clerk.agency, health])
    assert Verification.objects.count() == 1
    record = Verification.objects.get()
    assert record.valid, record.failures()
    assert record.sha256 == transmission.file_sha256
    waiting = list(selectors.waiting(finance_clerk))
    assert len(waiting) == 1
    found = services.verifications_for(waiting)
    assert found[waiting[0].pk].pk == record.pk
    assert AuditEvent.objects.filter(action="signatures.pdf_verify").count() == 1


def test_unverified_delivery_is_verified_when_listed(valid_delivery, finance_clerk):
    """R4.3: a delivery whose background verification has not run is verified when the inbox
    lists it, and only once."""
    assert Verification.objects.count() == 0
    found = services.verifications_for(selectors.waiting(finance_clerk))
    assert found[valid_delivery.pk].valid
    services.verifications_for(selectors.waiting(finance_clerk))
    assert Verification.objects.count() == 1


@pytest.mark.parametrize("kind", BAD)
def test_bad_document_reaches_a_verdict_cannot_be_registered_and_is_rejected(
        kind, request, finance_clerk):
    """R4.2, R4.3, R5.1: a tampered, modified-after-signing, untrusted, expired, revoked,
    impersonating, unsigned or broken document arrives through the exchange, gets an invalid
    verdict naming the failed check in Vietnamese and English, cannot be registered (refusal
    audited), and is rejected with a reason (02); the bytes stay as received."""
    origin, data = _bad(kind, request)
    delivery = arrive(origin, finance_clerk.agency, data)
    record = services.incoming_verify(delivery=delivery)
    assert not record.valid
    failure = next(c for c in record.checks if c["code"] == FAILED[kind])
    assert failure["status"] == "fail"
    assert failure["vi"]
    assert failure["en"]
    with pytest.raises(ValidationFailed) as err:
        services.incoming_register_delivery(actor=finance_clerk, delivery=delivery,
                                            recipient_user=finance_clerk)
    assert err.value.code == "not_verified"
    assert "vào sổ" in err.value.vi
    assert AuditEvent.objects.filter(action="incoming.register_delivery.denied").count() == 1
    assert not IncomingDocument.objects.exists()
    rejected = services.incoming_reject(actor=finance_clerk, delivery=delivery,
                                        reason="Chữ ký số không hợp lệ")
    assert rejected.state == "02"
    assert rejected.reason == "Chữ ký số không hợp lệ"
    assert blob_read(delivery.transmission.file_sha256) == data
    assert Verification.objects.filter(pk=record.pk).exists()
    assert AuditEvent.objects.filter(action="incoming.reject").count() == 1


def test_reject_needs_a_reason_and_the_clerk(valid_delivery, finance_clerk, finance_head):
    """R10.1: a rejection names its reason; only the clerk rejects."""
    with pytest.raises(ValidationFailed):
        services.incoming_reject(actor=finance_clerk, delivery=valid_delivery, reason="  ")
    from vanban.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.incoming_reject(actor=finance_head, delivery=valid_delivery, reason="Sai")
    assert Delivery.objects.get(pk=valid_delivery.pk).state == "01"


def test_arrival_verification_failure_does_not_break_the_exchange(
        sender, finance, django_capture_on_commit_callbacks, monkeypatch):
    """R4.3: if the background verification cannot run, the arrival still commits and the
    inbox verifies on first view."""
    from vanban.signatures import verification

    def broken(*args, **kwargs):
        raise RuntimeError("verifier down")

    with monkeypatch.context() as patched:
        patched.setattr(verification, "pdf_verify", broken)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            delivery = arrive(sender, finance, make_pdf())
    assert delivery.state == "01"
    assert Verification.objects.count() == 0
    assert not services.incoming_verify(delivery=delivery).valid  # unsigned: verified on view
