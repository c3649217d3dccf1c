"""R4.3, R7.2, R12.1: one evidence bundle per document joins transport and document trust, and
a third party checks it offline — the transport proofs always, the PDF signature again as of
the recorded validation time with the bundle's own certificates and CRLs — years later, after
the agency's certificate was revoked for an unrelated reason."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from vanban.core import clock
from vanban.directory.models import Agency
from vanban.evidence import documents, hubkey, verifier
from vanban.exchange.models import Delivery, Transmission
from vanban.incoming import services
from vanban.incoming.tests.conftest import send_signed
from vanban.signatures import services as signatures
from vanban.signatures.models import AgencyCertificate, CertStatus
from vanban.signatures.verification import etsi

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pki")]


def _sent_registered_and_refused(clerk: Any, finance_clerk: Any, health: Agency,
                                 health_clerk: Any) -> Transmission:
    """Signed and sent to two agencies; verified on arrival; one registers, one refuses."""
    transmission = send_signed(clerk, clerk.agency, [finance_clerk.agency, health])
    kept = Delivery.objects.get(transmission=transmission, recipient=finance_clerk.agency)
    refused = Delivery.objects.get(transmission=transmission, recipient=health)
    services.incoming_register_delivery(actor=finance_clerk, delivery=kept,
                                        recipient_user=finance_clerk)
    services.incoming_reject(actor=health_clerk, delivery=refused, reason="Không thuộc thẩm quyền")
    return transmission


def _export(sha256: str, path: Path, *extra: str) -> dict[str, Any]:
    call_command("evidence", "export-document", sha256, "-o", str(path), *extra,
                 stdout=io.StringIO())
    value = json.loads(path.read_bytes())
    assert isinstance(value, dict)
    return value


def _codes(bundle: dict[str, Any]) -> set[str]:
    report = verifier.verify_document_bundle(bundle)
    assert not report.ok
    return {p.code for p in report.problems}


def test_document_bundle_verifies_transport_and_signature_offline(
        clerk: Any, finance_clerk: Any, health: Agency, health_clerk: Any,
        tmp_path: Path) -> None:
    """R7.2, R4.3: the bundle holds every record about the document (sent and received to
    both agencies, the verification, 03 and 02, both pointing to it), the verification report,
    the PDF and its validation data; the verifier passes it, PDF signature re-validated."""
    transmission = _sent_registered_and_refused(clerk, finance_clerk, health, health_clerk)
    bundle = _export(transmission.file_sha256, tmp_path / "b.json", "--with-pdf")
    events = sorted(e["record"]["event"] for e in bundle["records"])
    assert events == sorted(["sent", "sent", "received", "received", "verified", "accepted",
                             "rejected"])
    [verified] = [e["record"] for e in bundle["records"] if e["record"]["event"] == "verified"]
    assert verified["extra"]["indication"] == etsi.TOTAL_PASSED
    pointers = {e["record"]["event"]: e["record"]["extra"].get("verification_record")
                for e in bundle["records"] if e["record"]["event"] in ("accepted", "rejected")}
    assert pointers == {"accepted": verified["index"], "rejected": verified["index"]}
    assert list(bundle["verification_reports"]) == [str(verified["extra"]["verification_id"])]
    report = verifier.verify_document_bundle(
        bundle, hub_fingerprint=hubkey.hub_key().fingerprint,
        root_fingerprint=verified["extra"]["chain_sha256"][-1])
    assert report.ok, report.problems
    assert report.pdf == "passed"
    assert "PDF signature re-validated offline" in report.message("en")
    without = json.loads(json.dumps(bundle))
    without["validation_data"]["crls"] = []  # the arrival's CRLs are what it is judged with
    assert _codes(without) == {"pdf_signature"}
    transport = verifier.verify_document_bundle(bundle, revalidate=False)
    assert transport.ok
    assert transport.pdf == "skipped: not asked"


def test_edited_report_swapped_pdf_and_dropped_record_fail_offline(
        clerk: Any, finance_clerk: Any, health: Agency, health_clerk: Any,
        tmp_path: Path) -> None:
    """R7.2, R12.1: a verification report edited to say something else, a PDF swapped for
    another (even a validly signed one), or the verification record left out: each fails."""
    transmission = _sent_registered_and_refused(clerk, finance_clerk, health, health_clerk)
    bundle = _export(transmission.file_sha256, tmp_path / "b.json", "--with-pdf")
    edited = json.loads(json.dumps(bundle))
    [ident] = list(edited["verification_reports"])
    edited["verification_reports"][ident]["checks"][0]["status"] = "warning"
    assert _codes(edited) == {"report"}
    other = signatures.pdf_sign(actor=None, agency=clerk.agency, data=_pdf()).data
    swapped = json.loads(json.dumps(bundle))
    swapped["pdf"] = base64.b64encode(other).decode()
    assert _codes(swapped) == {"pdf"}
    dropped = json.loads(json.dumps(bundle))
    dropped["records"] = [e for e in dropped["records"] if e["record"]["event"] != "verified"]
    assert _codes(dropped) == {"pointer"}
    forged = json.loads(json.dumps(bundle))
    forged["validation_data"]["crls"][0]["der"] = base64.b64encode(b"forged").decode()
    assert "validation_data" in _codes(forged)


def _pdf() -> bytes:
    from vanban.signatures.tests.conftest import make_pdf

    return make_pdf(text="Công văn khác")


def test_five_years_later_after_revocation_the_bundle_still_verifies(
        clerk: Any, finance_clerk: Any, health: Agency, health_clerk: Any,
        tmp_path: Path) -> None:
    """R12.1, R4.3: the agency's certificate is revoked (superseded) after the document was
    verified and registered, and the provincial CA's key rolled; five years later the exported
    bundle still verifies offline, PDF signature included, because it is judged as of its
    arrival with the arrival's CRLs."""
    transmission = _sent_registered_and_refused(clerk, finance_clerk, health, health_clerk)
    certificate = AgencyCertificate.objects.get(agency=clerk.agency, status=CertStatus.ACTIVE)
    signatures.certificate_revoke(actor=None, certificate=certificate, reason="superseded")
    _roll_issuing_ca()
    later = clock.now() + timedelta(days=5 * 365)
    with clock.frozen(later):
        bundle = _export(transmission.file_sha256, tmp_path / "b.json", "--with-pdf")
    report = verifier.verify_document_bundle(bundle)
    assert report.ok, report.problems
    assert report.pdf == "passed"
    assert next(r for r in report.records if r["event"] == "verified")["extra"][
        "indication"] == etsi.TOTAL_PASSED


def _roll_issuing_ca() -> None:
    """The provincial CA's key rolled: a new issuing CA (new key) under the same root."""
    from vanban.signatures import pki
    from vanban.signatures.models import CaKind, CertificateAuthority
    from vanban.signatures.services._common import issuer_of
    from vanban.signatures.services.authority import _store_ca

    root = CertificateAuthority.objects.get(kind=CaKind.ROOT)
    key = pki.new_key()
    cert = pki.make_ca(subject=pki.name(common_name="CA tỉnh Bắc Giang 2", organization="UBND"),
                       key=key, issuer=issuer_of(root), now=clock.now(), days=3650)
    _store_ca(kind=CaKind.ISSUING, name="CA tỉnh Bắc Giang 2", cert=cert, key=key, issuer=root)


def test_stand_alone_verifier_checks_the_pdf_from_a_single_file(
        clerk: Any, finance_clerk: Any, health: Agency, health_clerk: Any,
        tmp_path: Path) -> None:
    """R7.2: the verifier copied alone to another folder and run isolated (``python -I``)
    checks a document bundle, PDF signature included; a swapped PDF exits 1."""
    transmission = _sent_registered_and_refused(clerk, finance_clerk, health, health_clerk)
    path = tmp_path / "bundle.json"
    bundle = _export(transmission.file_sha256, path, "--with-pdf")
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(verifier.__file__, alone / "verifier.py")
    done = subprocess.run([sys.executable, "-I", "verifier.py", str(path)], cwd=alone,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "PDF signature re-validated offline" in done.stdout
    assert "PDF: passed" in done.stdout
    bundle["pdf"] = base64.b64encode(_pdf()).decode()
    path.write_text(json.dumps(bundle))
    bad = subprocess.run([sys.executable, "-I", "verifier.py", str(path)], cwd=alone,
                         capture_output=True, text=True, check=False, timeout=120)
    assert bad.returncode == 1
    assert "The PDF in the bundle is not the document" in bad.stderr


def test_unknown_document_and_bad_digest() -> None:
    """R7.2: no record about the digest: not found; not a digest: a validation error."""
    from vanban.core.errors import NotFound, ValidationFailed

    with pytest.raises(NotFound):
        documents.document_bundle("ab" * 32)
    with pytest.raises(ValidationFailed):
        documents.document_bundle("not-a-digest")
