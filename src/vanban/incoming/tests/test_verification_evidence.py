"""R4.3, R7.2, R12.1: a verification on arrival is an evidence record (ETSI EN 319 102-1
verdict, signer and chain digests, revocation data used, validation time, policy, channel), and
registration (03) and rejection (02) point to the record they rely on."""

from __future__ import annotations

import contextlib
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from vanban.directory.models import Agency
from vanban.evidence.models import EvidenceRecord
from vanban.exchange.models import Delivery
from vanban.incoming import services
from vanban.incoming.tests.conftest import arrive
from vanban.signatures import ltv
from vanban.signatures.models import ArrivalValidationData, Verification
from vanban.signatures.tests.conftest import make_pdf
from vanban.signatures.verification import etsi
from vanban.signatures.verification.evidence import (
    EVENT,
    record_id,
    report_digest,
    report_of,
    verification_pointer,
)
from vanban.storage.selectors import blob_read

pytestmark = pytest.mark.django_db


def _verified(sha256: str) -> list[EvidenceRecord]:
    return list(EvidenceRecord.objects.filter(document_sha256=sha256, event=EVENT))


def test_valid_arrival_is_recorded_with_its_validation_data(valid_delivery: Delivery,
                                                           finance_clerk: Any) -> None:
    """R4.3, R7.2, R12.1: the arrival's verification appends one ``verified`` record: TOTAL-
    PASSED, the signer certificate's digest, its chain up to the root, the CRLs used with their
    times (the same bytes kept beside the file), the validation time, policy and channel; the
    registration's 03 record points to its leaf."""
    sha256 = valid_delivery.transmission.file_sha256
    services.incoming_verify(delivery=valid_delivery)
    [record] = _verified(sha256)
    verification = Verification.objects.get(blob_id=sha256)
    extra = record.extra
    assert record.delivery_id == record_id(verification.pk)
    assert record.sender == valid_delivery.transmission.sender.code
    assert (extra["indication"], extra["sub_indication"]) == (etsi.TOTAL_PASSED, "")
    assert extra["verdict"] == "valid"
    assert extra["channel"] == "hub"
    assert extra["policy"] == etsi.POLICY
    assert extra["validation_time"] == verification.verified_at.isoformat()
    assert extra["signer_certificate_sha256"] == verification.signer_fingerprint
    assert extra["chain_sha256"][0] == verification.signer_fingerprint
    assert len(extra["chain_sha256"]) == 3  # agency certificate, provincial CA, root
    kept = ArrivalValidationData.objects.get(verification=verification)
    certs, crls, _ = ltv.unbundle(blob_read(kept.blob_id))
    assert set(extra["chain_sha256"]) <= {hashlib.sha256(c.dump()).hexdigest() for c in certs}
    crl_entries = [r for r in extra["revocation"] if r["type"] == "crl"]
    assert {r["sha256"] for r in crl_entries} == {hashlib.sha256(c.dump()).hexdigest()
                                                  for c in crls}
    assert crl_entries
    assert all(r["this_update"] and r["next_update"] for r in crl_entries)
    assert extra["report_sha256"] == report_digest(report_of(verification))
    services.incoming_verify(delivery=valid_delivery)  # the stored verdict: no second record
    services.incoming_register_delivery(actor=finance_clerk, delivery=valid_delivery,
                                        recipient_user=finance_clerk)
    assert len(_verified(sha256)) == 1
    accepted = EvidenceRecord.objects.get(delivery_id=str(valid_delivery.uid), event="accepted")
    assert accepted.extra["verification_record"] == record.index
    assert accepted.extra["verification_id"] == verification.pk
    assert accepted.extra["code"] == "03"


def test_unsigned_arrival_is_indeterminate_and_rejection_points_to_it(
        sender: Agency, finance: Agency, finance_clerk: Any) -> None:
    """R4.3, R7.2: an unsigned file is INDETERMINATE / FORMAT_FAILURE in the evidence log, and
    the 02 record of its rejection names the verification record it rests on."""
    delivery = arrive(sender, finance, make_pdf())
    services.incoming_reject(actor=finance_clerk, delivery=delivery, reason="Không có chữ ký")
    [record] = _verified(delivery.transmission.file_sha256)
    assert (record.extra["indication"], record.extra["sub_indication"]) == (
        etsi.INDETERMINATE, "FORMAT_FAILURE")
    assert record.extra["decided_by"] == "signature_present"
    assert record.extra["chain_sha256"] == []
    assert record.extra["verdict"] == "invalid"
    rejected = EvidenceRecord.objects.get(delivery_id=str(delivery.uid), event="rejected")
    assert rejected.extra["verification_record"] == record.index
    assert rejected.extra["code"] == "02"


def test_tampered_arrival_is_total_failed(signed_pdf: bytes, sender: Agency,
                                          finance: Agency) -> None:
    """R4.3: bytes changed inside the signed range give TOTAL-FAILED / HASH_FAILURE."""
    data = bytearray(signed_pdf)
    data[data.index(b"ReportLab Generated")] = ord("r")  # inside the signed range
    delivery = arrive(sender, finance, bytes(data))
    services.incoming_verify(delivery=delivery)
    [record] = _verified(delivery.transmission.file_sha256)
    assert (record.extra["indication"], record.extra["sub_indication"]) == (
        etsi.TOTAL_FAILED, "HASH_FAILURE")
    assert record.extra["verdict"] == "invalid"


def test_a_verification_without_its_record_gets_it_when_relied_on(
        valid_delivery: Delivery, monkeypatch: pytest.MonkeyPatch) -> None:
    """R7.2, R12.1: a verification stored before this existed (or whose append failed) gets its
    ``verified`` record when a registration relies on it, once; the signer certificate is read
    again from the kept bytes and the chain from the kept validation data."""
    from vanban.signatures.verification import services as verifying

    with monkeypatch.context() as before:  # as the code before this wrote it: no record
        before.setattr(verifying, "verification_evidence", lambda *a, **k: None)
        verification = services.incoming_verify(delivery=valid_delivery)
    assert not _verified(verification.sha256)
    first = verification_pointer(verification)
    second = verification_pointer(verification)
    assert first == second
    [record] = _verified(verification.sha256)
    assert record.index == first["verification_record"]
    assert record.extra["chain_sha256"][0] == verification.signer_fingerprint
    assert record.extra["revocation"]


def test_operator_check_from_the_command_line_is_not_evidence(signed_pdf: bytes,
                                                              sender: Agency,
                                                              tmp_path: Path) -> None:
    """R7.2: ``vanban pdf verify`` is an operator's check, not an arrival: no record."""
    path = tmp_path / "cv.pdf"
    path.write_bytes(signed_pdf)
    with contextlib.suppress(SystemExit):
        call_command("pdf", "verify", str(path), "--sender", sender.code,
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert Verification.objects.filter(channel="cli").exists()
    assert not EvidenceRecord.objects.filter(event=EVENT).exists()


@pytest.mark.parametrize(("reason", "source", "expected"), [
    ("tampered", "", (etsi.TOTAL_FAILED, "HASH_FAILURE")),
    ("bad_signature_value", "", (etsi.TOTAL_FAILED, "SIG_CRYPTO_FAILURE")),
    ("untrusted", "", (etsi.INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND")),
    ("revoked", "timestamp", (etsi.TOTAL_FAILED, "REVOKED")),
    ("revoked", "claimed", (etsi.INDETERMINATE, "REVOKED_NO_POE")),
    ("expired", "timestamp", (etsi.TOTAL_FAILED, "EXPIRED")),
    ("expired", "claimed", (etsi.INDETERMINATE, "OUT_OF_BOUNDS_NO_POE")),
    ("revocation_unknown", "", (etsi.INDETERMINATE, "TRY_LATER")),
    ("other_agency", "", (etsi.INDETERMINATE, "SIG_CONSTRAINTS_FAILURE")),
    ("pdf_encrypted", "", (etsi.INDETERMINATE, "FORMAT_FAILURE")),
])
def test_etsi_mapping(reason: str, source: str, expected: tuple[str, str]) -> None:
    """R4.3: each failure reason maps to an EN 319 102-1 indication and sub-indication; the
    first failure in the checks' order decides and warnings never fail."""
    code = {"tampered": "intact", "bad_signature_value": "intact", "untrusted": "trusted_chain",
            "revoked": "not_revoked", "expired": "validity_period",
            "revocation_unknown": "not_revoked", "other_agency": "sender_certificate",
            "pdf_encrypted": "well_formed"}[reason]
    checks = [{"code": "mark_position", "status": "warning", "reason": "mark_elsewhere"},
              {"code": "sender_certificate", "status": "fail", "reason": "unregistered"},
              {"code": code, "status": "fail", "reason": reason}]
    found = etsi.indication_of(checks, signed_at_source=source)
    assert (found.indication, found.sub_indication) == expected
    assert etsi.indication_of(checks[:1]).indication == etsi.TOTAL_PASSED


def test_each_channel_has_its_own_verified_record(valid_delivery: Delivery) -> None:
    """R7.2, R4.3 (ADR 0011): the same bytes from the same sender through a peer are verified
    again and recorded with their own channel and peer; here the sender is not one the peer
    serves, so that record says INDETERMINATE / SIG_CONSTRAINTS_FAILURE (not_served_by_peer)."""
    from vanban.signatures.verification import VerificationChannel, pdf_verify

    sha256 = valid_delivery.transmission.file_sha256
    services.incoming_verify(delivery=valid_delivery)
    pdf_verify(data=blob_read(sha256), sender=valid_delivery.transmission.sender,
               channel=VerificationChannel.federated("tinh-khac"))
    found = {(r.extra["channel"], r.extra["peer"]): r.extra for r in _verified(sha256)}
    assert set(found) == {("hub", ""), ("federated", "tinh-khac")}
    assert found["hub", ""]["indication"] == etsi.TOTAL_PASSED
    assert (found["federated", "tinh-khac"]["indication"],
            found["federated", "tinh-khac"]["reason"]) == (etsi.INDETERMINATE,
                                                           "not_served_by_peer")
