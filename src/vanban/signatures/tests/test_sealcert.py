"""R14.3, R7.2: the provincial CA certifies the audit seal key; checkpoints exported afterwards
carry the chain, and ``vanban audit verify --checkpoint FILE --root-fingerprint SHA256`` trusts
the province's root instead of a pinned seal key. Checkpoints made before still verify as before,
and a key moved to a token keeps its older key's certificate."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from vanban.audit import checkpoints, keys, sealcert
from vanban.audit.checkpoint import Checkpoint, parse
from vanban.audit.findings import FailureKind, VerifyResult
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import Forbidden
from vanban.signatures import pki
from vanban.signatures.services import hubcert
from vanban.signatures.services._common import issuer_of
from vanban.signatures.services.certificates import _issuing_ca
from vanban.signatures.tests.conftest import SOFTHSM_MODULE, softhsm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_keys(tmp_path: Path) -> Iterator[None]:
    """A key directory of this test's own (the seal key and its certificate are new)."""
    with override_settings(KEYS_DIR=tmp_path / "keys"):
        keys.forget_cached_key()
        yield
    keys.forget_cached_key()


def _root(demo_pki: Any) -> str:
    return pki.fingerprint(pki.load_pems(demo_pki.root.cert_pem)[0])


def _export(path: Path) -> Checkpoint:
    call_command("audit", "checkpoint", "export", "-o", str(path), stdout=io.StringIO())
    return parse(path.read_text(encoding="utf-8"))


def _verify_cli(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    try:
        call_command("audit", "verify", "--json", "--checkpoint", str(path), *extra, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def _against(point: Checkpoint, root: str | None) -> VerifyResult:
    return checkpoints.verify_with_checkpoint(point, public_keys=keys.known_public_keys(),
                                              root_fingerprint=root)


def test_certified_checkpoint_verifies_with_the_root_only(demo_pki: Any, tmp_path: Path) -> None:
    """R14.3, R7.2: after ``vanban cert certify-seal`` an exported checkpoint carries the seal
    key's certificate and chain and verifies pinned to the province's root; with another root
    it fails. A checkpoint exported before certification verifies as before without the option
    and is refused with it (it names no CA)."""
    old = _export(tmp_path / "old.json")
    assert not old.certificate
    out = io.StringIO()
    call_command("cert", "certify-seal", stdout=out)
    root = _root(demo_pki)
    assert f"root sha256={root}" in out.getvalue()
    assert f"key {keys.key_id()}" in out.getvalue()
    kept = Path(settings.KEYS_DIR)
    assert (kept / sealcert.CERT_FILENAME).exists()
    assert (kept / sealcert.CHAIN_FILENAME).exists()
    event = AuditEvent.objects.filter(action=hubcert.SEAL_ACTION).get()
    data = json.loads(event.data) if isinstance(event.data, str) else event.data
    assert data["root"] == root
    assert event.object_id == keys.key_id()
    new = _export(tmp_path / "new.json")
    cert = x509.load_pem_x509_certificate(new.certificate.encode())
    assert cert.issuer == pki.load_pems(demo_pki.issuing.cert_pem)[0].subject
    assert len(new.chain) == 2
    assert _verify_cli(tmp_path / "new.json", "--root-fingerprint", root)[0] == 0
    assert _verify_cli(tmp_path / "new.json")[0] == 0
    code, report = _verify_cli(tmp_path / "new.json", "--root-fingerprint", "00" * 32)
    assert code == 1
    assert report["failure"]["kind"] == FailureKind.CHECKPOINT_UNCERTIFIED
    assert "root" in report["failure"]["en"]
    assert _verify_cli(tmp_path / "old.json")[0] == 0
    code, report = _verify_cli(tmp_path / "old.json", "--root-fingerprint", root)
    assert code == 1
    assert "no certificate" in report["failure"]["en"]


def _other_key_certificate() -> str:
    """A certificate the same provincial CA issued for a key that is not the seal key."""
    issuer = issuer_of(_issuing_ca())
    other = Ed25519PrivateKey.generate()
    now = clock.now()
    cert = (x509.CertificateBuilder().subject_name(issuer.cert.subject)
            .issuer_name(issuer.cert.subject).public_key(other.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(issuer.key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_swapped_certificate_or_chain_fails(demo_pki: Any, tmp_path: Path) -> None:
    """R14.3, R7.2: a checkpoint whose certificate is another key's (issued by the same CA) or
    whose chain did not issue its certificate is not certified; the CLI refuses to install a
    certificate of another key."""
    hubcert.seal_certify(actor=None)
    good = _export(tmp_path / "good.json")
    root = _root(demo_pki)
    assert _against(good, root).ok
    raw = json.loads((tmp_path / "good.json").read_text(encoding="utf-8"))
    raw["certificate"] = _other_key_certificate()
    (tmp_path / "swapped.json").write_text(json.dumps(raw), encoding="utf-8")
    code, report = _verify_cli(tmp_path / "swapped.json", "--root-fingerprint", root)
    assert code == 1
    assert "another key" in report["failure"]["en"]
    assert _verify_cli(tmp_path / "swapped.json")[0] == 0  # without the option: as before
    chain_cut = parse({**good.as_dict(), "chain": list(good.chain[1:])})
    result = _against(chain_cut, root)
    assert not result.ok
    assert result.failure is not None
    assert "did not issue" in result.failure.en
    foreign = x509.load_pem_x509_certificate(_other_key_certificate().encode())
    with pytest.raises(ValueError, match="not of the audit seal key"):
        sealcert.install(foreign, hubcert._chain_of(_issuing_ca()))


def test_certificate_expired_at_checkpoint_time_fails(demo_pki: Any) -> None:
    """R14.3, R7.2: a certificate valid for one day does not certify a checkpoint signed three
    days later, although the chain and the root are right."""
    hubcert.seal_certify(actor=None, days=1)
    root = _root(demo_pki)
    with clock.frozen(clock.now() + timedelta(days=3)):
        late, _ = checkpoints.checkpoint_make()
    assert late.certificate  # still carried: the key is the certified one
    result = _against(late, root)
    assert not result.ok
    assert result.failure is not None
    assert result.failure.kind is FailureKind.CHECKPOINT_UNCERTIFIED
    assert "not valid at" in result.failure.en
    timely, _ = checkpoints.checkpoint_make()
    assert _against(timely, root).ok


def test_a_clerk_cannot_certify_the_seal_key(demo_pki: Any, make_user: Any,
                                            make_agency: Any) -> None:
    """R14.3, R7.2: only the province administrator (or the console) certifies the seal key;
    a clerk's attempt is refused, audited and leaves no certificate."""
    from vanban.core.roles import Role

    clerk = make_user(make_agency(), roles=[Role.CLERK])
    with pytest.raises(Forbidden):
        hubcert.seal_certify(actor=clerk)
    assert sealcert.current() is None
    assert AuditEvent.objects.filter(action=f"{hubcert.SEAL_ACTION}.denied").count() == 1
    admin = make_user(make_agency(), roles=[Role.PROVINCE_ADMIN])
    assert hubcert.seal_certify(actor=admin).key_id == keys.key_id()


def test_key_moved_to_token_keeps_the_older_certificate(demo_pki: Any, softhsm_dir: Path,
                                                        tmp_path: Path) -> None:
    """R14.3, R7.2: the file key is certified and signs a checkpoint; the key then moves to a
    PKCS#11 token, which the CA certifies too (only its public key is needed). The file key's
    certificate is kept, older seals still verify with the older key, and both checkpoints
    verify pinned to the root."""
    hubcert.seal_certify(actor=None)
    root = _root(demo_pki)
    before = _export(tmp_path / "file.json")
    file_key_id = keys.key_id()
    label = f"seal-{datetime.now(UTC):%H%M%S%f}"
    softhsm("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", "2468",
            "--so-pin", "97531")
    with override_settings(VANBAN_AUDIT_SEAL_PKCS11_MODULE=SOFTHSM_MODULE,
                           VANBAN_AUDIT_SEAL_PKCS11_TOKEN=label,
                           VANBAN_AUDIT_SEAL_PKCS11_PIN="2468"):
        keys.forget_cached_key()
        assert keys.key_id() != file_key_id
        assert sealcert.current() is None  # the certificate kept is of the file key
        moved = _export(tmp_path / "moved.json")
        assert not moved.certificate
        hubcert.seal_certify(actor=None)
        after = _export(tmp_path / "token.json")
        by_key = sealcert.certificates_by_key()
        assert set(by_key) == {file_key_id, keys.key_id()}
        assert after.key_id == keys.key_id() != before.key_id
        for point in (before, after):
            assert _against(point, root).ok, point.key_id
        assert _verify_cli(tmp_path / "file.json", "--root-fingerprint", root)[0] == 0
        assert _verify_cli(tmp_path / "token.json", "--root-fingerprint", root)[0] == 0
    keys.forget_cached_key()
