"""R7.2, R12.1: the provincial CA certifies the evidence hub's key; bundles carry the chain and
a third party trusts the province's root instead of pinning one hub certificate. The key does
not change, so heads signed before still verify."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from vanban.core.errors import Forbidden
from vanban.evidence import hubkey, logcheck, services, verifier
from vanban.signatures import pki
from vanban.signatures.services import hubcert
from vanban.signatures.services._common import issuer_of
from vanban.signatures.services.certificates import _issuing_ca

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_keys(tmp_path: Path) -> Iterator[None]:
    """A key directory of this test's own (the hub certificate is replaced)."""
    with override_settings(KEYS_DIR=tmp_path / "keys"):
        hubkey._cache.clear()
        yield
    hubkey._cache.clear()


def _append(delivery: str, event: str = "sent") -> None:
    services.evidence_append(event=event, at=datetime(2026, 3, 2, tzinfo=UTC),
                             sender="000.00.01.H06", recipient="000.00.02.H06",
                             transmission_id="t1", delivery_id=delivery,
                             document_sha256="ab" * 32)


def _bundle(delivery: str) -> dict[str, Any]:
    value = json.loads(services.bundle_for(delivery))
    assert isinstance(value, dict)
    return value


def test_certified_hub_verifies_through_the_root(demo_pki: Any) -> None:
    """R7.2: after ``vanban cert certify-hub`` the hub certificate is issued by the provincial
    CA, the bundle carries the issuing CA and the root, and it verifies pinned to the root's
    fingerprint; a bundle from before (self-signed) does not pass that pin; the head signed
    before certification still verifies (same key) and so does the whole log."""
    _append("d1")
    before = _bundle("d1")
    old_fingerprint = hubkey.hub_key().fingerprint
    out = io.StringIO()
    call_command("cert", "certify-hub", stdout=out)
    hub = hubkey.hub_key()
    root = pki.fingerprint(pki.load_pems(demo_pki.root.cert_pem)[0])
    assert hub.fingerprint != old_fingerprint
    assert f"root sha256={root}" in out.getvalue()
    assert hub.certificate.issuer == pki.load_pems(demo_pki.issuing.cert_pem)[0].subject
    assert len(hub.chain) == 2
    after = _bundle("d1")
    assert after["tree_head"] == before["tree_head"]  # the same head, the same key
    assert len(after["hub_chain"]) == 2
    report = verifier.verify_bundle(after, hub_root_fingerprint=root)
    assert report.ok, report.problems
    assert report.hub_root == root
    assert verifier.verify_bundle(after).ok
    old = verifier.verify_bundle(before, hub_root_fingerprint=root)
    assert {p.code for p in old.problems} == {"hub_root"}
    wrong = verifier.verify_bundle(after, hub_root_fingerprint="00" * 32)
    assert {p.code for p in wrong.problems} == {"hub_root"}
    _append("d2")
    assert verifier.verify_bundle(_bundle("d2"), hub_root_fingerprint=root).ok
    assert logcheck.verify_log().ok
    assert (Path(settings.KEYS_DIR) / f"evidence-hub-{old_fingerprint[:16]}.crt").exists()


def test_a_chain_that_did_not_issue_the_hub_fails(demo_pki: Any) -> None:
    """R7.2: a bundle whose hub chain was swapped (the certificate then claims an issuer that
    did not sign it) or whose hub certificate is self-signed under a CA chain fails."""
    _append("d1")
    hubcert.hub_certify(actor=None)
    bundle = _bundle("d1")
    swapped = json.loads(json.dumps(bundle))
    swapped["hub_chain"] = swapped["hub_chain"][1:]  # the root alone did not sign the hub
    assert {p.code for p in verifier.verify_bundle(swapped).problems} == {"certificate"}


def test_only_the_hub_key_is_installed_and_only_by_the_province(demo_pki: Any,
                                                                 make_user: Any,
                                                                 make_agency: Any) -> None:
    """R7.2: a certificate of another key is refused; an agency's clerk may not certify."""
    from vanban.core.roles import Role

    issuer = issuer_of(_issuing_ca())
    other = Ed25519PrivateKey.generate()
    cert = (x509.CertificateBuilder().subject_name(issuer.cert.subject)
            .issuer_name(issuer.cert.subject).public_key(other.public_key())
            .serial_number(1).not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2027, 1, 1, tzinfo=UTC))
            .sign(issuer.key, hashes.SHA256()))
    with pytest.raises(ValueError, match="not of the evidence hub"):
        hubkey.hub_certificate_install(cert, hubcert._chain_of(_issuing_ca()))
    clerk = make_user(make_agency(), roles=[Role.CLERK])
    with pytest.raises(Forbidden):
        hubcert.hub_certify(actor=clerk)


def test_rotation_with_overlap(demo_pki: Any) -> None:
    """R7.2, R12.1: ``vanban evidence rotate-key`` signs a last head with the old key and
    retires it with its certificate; until the new key has something to sign, bundles use the
    old key's head with its kept certificate (overlap); then the new key signs, the CA
    certifies it, and the consistency proof across the rotation, the old bundle and the whole
    log all still verify."""
    from vanban.audit.models import AuditEvent

    _append("d1")
    hubcert.hub_certify(actor=None)
    old = hubkey.hub_key()
    before = _bundle("d1")
    call_command("evidence", "rotate-key", stdout=io.StringIO())
    new = hubkey.hub_key()
    assert new.fingerprint != old.fingerprint
    assert AuditEvent.objects.filter(action="evidence.hub_key_rotated").count() == 1
    overlap = _bundle("d1")  # nothing new: the old key's head and its kept certificate
    assert overlap["tree_head"] == before["tree_head"]
    assert overlap["hub_certificate"] == old.certificate_pem
    assert verifier.verify_bundle(overlap).ok
    _append("d2")
    hubcert.hub_certify(actor=None)
    root = pki.fingerprint(pki.load_pems(demo_pki.root.cert_pem)[0])
    after = _bundle("d2")
    assert after["hub_certificate"] == hubkey.hub_key().certificate_pem
    assert verifier.verify_bundle(after, hub_root_fingerprint=root).ok
    assert verifier.verify_bundle(before, hub_root_fingerprint=root).ok
    document = services.consistency_document(old_size=before["tree_head"]["size"])
    assert "old_hub_certificate" in document
    report = verifier.verify_document(json.dumps(document).encode(), hub_root_fingerprint=root)
    assert report.ok, report.problems
    assert services.consistency_check(old_head=before["tree_head"]).ok
    assert logcheck.verify_log().ok
    forged = json.loads(json.dumps(document))
    forged["old_hub_certificate"] = forged["hub_certificate"]  # the new key did not sign it
    assert not verifier.verify_document(json.dumps(forged).encode()).ok
