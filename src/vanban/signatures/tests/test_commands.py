"""The operator's commands: ``vanban trust``, ``cert``, ``pdf sign`` (R21.1, R15.1)."""

from __future__ import annotations

import io
import json

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.core import clock
from vanban.signatures import pki
from vanban.signatures.models import AgencyCertificate, CertStatus, TrustedRoot
from vanban.signatures.tests.conftest import make_pdf, validate


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_trust_add_and_export_round_trip(db, tmp_path):
    """R21.1: ``trust add ROOT.pem`` then ``trust export`` prints the same root as PEM."""
    key = pki.new_key()
    root = pki.make_ca(subject=pki.name(common_name="Root thử"), key=key, issuer=None,
                       now=clock.now(), days=365)
    path = tmp_path / "root.pem"
    path.write_text(pki.to_pem(root))
    assert "Root thử" in run("trust", "add", str(path))
    exported = pki.load_pems(run("trust", "export"))
    assert pki.fingerprint(root) in {pki.fingerprint(c) for c in exported}
    with pytest.raises(CommandError) as err:
        run("trust", "add", str(tmp_path / "missing.pem"))
    assert err.value.returncode == 2
    path.write_text("không phải PEM")
    with pytest.raises(CommandError) as err:
        run("trust", "add", str(path))
    assert err.value.returncode == 1
    assert "X.509" in str(err.value)
    assert TrustedRoot.objects.count() == 1


def test_cert_issue_list_sign_revoke(demo_pki, agency, tmp_path):
    """R21.1, R15.1: issue, list, sign a file, revoke; then signing fails with exit code 1."""
    assert agency.code in run("cert", "issue", "--agency", agency.code)
    listed = json.loads(run("cert", "list", "--json"))
    assert [item["agency"] for item in listed] == [agency.code]
    assert listed[0]["status"] == "active"
    assert listed[0]["key_storage"] == "pkcs12"
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(make_pdf())
    assert "sha256=" in run("pdf", "sign", str(source), str(target), "--agency", agency.code)
    assert validate(target.read_bytes()).valid
    assert source.read_bytes() == make_pdf() or target.read_bytes().startswith(
        source.read_bytes())
    with pytest.raises(CommandError) as err:  # never overwrite an existing output
        run("pdf", "sign", str(source), str(target), "--agency", agency.code)
    assert err.value.returncode == 2
    run("cert", "revoke", "--agency", agency.code, "--reason", "key_compromise")
    assert AgencyCertificate.objects.get().status == CertStatus.REVOKED
    with pytest.raises(CommandError) as err:
        run("pdf", "sign", str(source), str(tmp_path / "again.pdf"), "--agency", agency.code)
    assert err.value.returncode == 1
    assert "certificate" in str(err.value)
    with pytest.raises(CommandError) as err:
        run("cert", "issue", "--agency", "000.99.99.H99")
    assert err.value.returncode == 1


def test_cert_register_with_key_file(demo_pki, agency, tmp_path):
    """R21.1: ``cert register --agency CODE CERT.pem --key KEY.pem``."""
    from vanban.signatures.services._common import issuer_of

    key = pki.new_key()
    cert = pki.make_leaf(subject=pki.name(common_name=agency.name), public_key=key.public_key(),
                         issuer=issuer_of(demo_pki.issuing), now=clock.now(), days=200)
    (tmp_path / "c.pem").write_text(pki.to_pem(cert))
    (tmp_path / "k.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    out = run("cert", "register", "--agency", agency.code, str(tmp_path / "c.pem"),
              "--key", str(tmp_path / "k.pem"))
    assert pki.fingerprint(cert) in out
    row = AgencyCertificate.objects.get()
    assert row.source == "registered"
    assert row.key_storage == "pkcs12"
    with pytest.raises(CommandError) as err:  # PKCS#11 needs its labels and a PIN source
        run("cert", "register", "--agency", agency.code, str(tmp_path / "c.pem"),
            "--pkcs11-module", "/usr/lib/softhsm/libsofthsm2.so")
    assert err.value.returncode == 2
