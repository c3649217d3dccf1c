"""Signing with a key held on a PKCS#11 token (SoftHSM2, made in the test) (R15.1, R21.1)."""

from __future__ import annotations

import uuid

from cryptography.hazmat.primitives import serialization
from pyhanko.sign.validation.status import SignatureCoverageLevel

from vanban.core import clock
from vanban.signatures import pki, services
from vanban.signatures.models import KeyStorage
from vanban.signatures.services._common import issuer_of
from vanban.signatures.tests.conftest import (
    SOFTHSM_MODULE,
    make_pdf,
    softhsm,
    token_with_key,
    validate,
)

PIN = "246810"


def test_sign_with_softhsm_token(softhsm_dir, demo_pki, agency, clerk, monkeypatch):
    """R21.1: the key never leaves the token; the province CA certifies it, the agency
    registers the token (PIN read from an environment variable), and the clerk's signature
    validates against the demo root with the CRLs (R15.2: whole file)."""
    label = f"vb-{uuid.uuid4().hex[:8]}"
    public_key = token_with_key(softhsm_dir, label, PIN, "13579111")
    cert = pki.make_leaf(subject=pki.name(common_name=agency.name, organization=agency.name,
                                          serial_number=agency.code),
                         public_key=public_key, issuer=issuer_of(demo_pki.issuing),  # type: ignore[arg-type]
                         now=clock.now(), days=365)
    cert_der = softhsm_dir / f"{label}-cert.der"
    cert_der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    softhsm("pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", label,
            "--login", "--pin", PIN, "--write-object", str(cert_der), "--type", "cert",
            "--id", "01", "--label", "agency-key")

    monkeypatch.setenv("VANBAN_TEST_TOKEN_PIN", PIN)
    row = services.certificate_register(
        actor=clerk, agency=agency, cert_pem=pki.to_pem(cert),
        pkcs11=services.Pkcs11Ref(module_path=SOFTHSM_MODULE, token_label=label,
                                  key_label="agency-key", pin_ref="env:VANBAN_TEST_TOKEN_PIN"))
    assert row.key_storage == KeyStorage.PKCS11
    assert row.issued_by == demo_pki.issuing
    assert PIN not in str(row.__dict__)

    original = make_pdf()
    signed = services.pdf_sign(actor=clerk, agency=agency, data=original)
    assert signed.certificate_id == row.pk
    assert signed.data.startswith(original)
    status = validate(signed.data)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
