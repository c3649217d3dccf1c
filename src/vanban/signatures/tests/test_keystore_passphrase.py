"""The passphrase of the signing keys never lies in clear beside them (R21.1, R14.3).

Embedded default: a random passphrase sealed under the master key (a file written in clear by
an older version is sealed on first read). Production: the passphrase comes from the
environment or from a file outside VANBAN_HOME, and ``vanban check --deploy`` warns otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.test import override_settings

from vanban.core import secretbox
from vanban.signatures import checks, keysources, keystore, pki, services

_FREE = {"VANBAN_KEYSTORE_PASSPHRASE": "", "VANBAN_KEYSTORE_PASSPHRASE_FILE": "",
         "VANBAN_MASTER_KEY": "", "VANBAN_MASTER_KEY_FILE": ""}


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A fresh VANBAN_HOME with its own KEYS_DIR and master key."""
    root = tmp_path / "home"
    secretbox.forget_cached_key()
    with override_settings(VANBAN_HOME=root, KEYS_DIR=root / "keys", **_FREE):
        yield root
    secretbox.forget_cached_key()


def _files_holding(root: Path, secret: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and secret in p.read_bytes()]


def test_issued_agency_key_has_no_clear_passphrase_beside_it(home: Path, agency) -> None:
    """R21.1: after issuing an agency certificate, no file under VANBAN_HOME holds the
    passphrase of its PKCS#12 in clear, and the key still signs."""
    services.ca_create_demo(actor=None)
    issued = services.certificate_issue(actor=None, agency=agency)
    secret = keystore.passphrase()
    assert (home / "keys" / issued.pkcs12_path).exists()
    assert _files_holding(home, secret) == []
    stored = (home / "keys" / keystore.SECRET_FILENAME).read_text()
    assert secretbox.is_sealed(stored)
    keysources.forget(issued)
    assert keysources.pkcs12_signer(issued).signing_cert is not None
    assert checks.passphrase_outside_home() == []


def test_clear_passphrase_file_of_an_older_version_is_sealed_on_first_read(home: Path) -> None:
    """R21.1: an installation whose passphrase file is in clear is reported by the deploy
    check (W010), then sealed in place on first use; its keys still open."""
    key = pki.new_key()
    (home / "keys").mkdir(parents=True, mode=0o700)
    clear = home / "keys" / keystore.SECRET_FILENAME
    clear.write_text("old-clear-passphrase-0123456789\n")
    clear.chmod(0o600)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(b"old-clear-passphrase-0123456789"))
    (home / "keys" / "ca").mkdir(mode=0o700)
    (home / "keys" / "ca" / "old.key.pem").write_bytes(pem)
    [warning] = checks.passphrase_outside_home()
    assert warning.id == "vanban.W010"
    assert "in clear" in warning.msg
    loaded = keystore.load_ca_key("ca/old.key.pem")
    assert loaded.private_numbers() == key.private_numbers()
    assert b"old-clear-passphrase" not in clear.read_bytes()
    assert secretbox.is_sealed(clear.read_text())
    assert clear.stat().st_mode & 0o077 == 0
    assert checks.passphrase_outside_home() == []
    assert keystore.load_ca_key("ca/old.key.pem").private_numbers() == key.private_numbers()


def test_production_passphrase_from_a_file_outside_home(home: Path, tmp_path: Path) -> None:
    """R21.1: with VANBAN_KEYSTORE_PASSPHRASE_FILE outside VANBAN_HOME the keys are encrypted
    with that passphrase and nothing about it is written inside the home."""
    outside = tmp_path / "etc" / "keystore.pass"
    outside.parent.mkdir()
    outside.write_text("operator-chosen passphrase 42\n")
    key = pki.new_key()
    with override_settings(VANBAN_KEYSTORE_PASSPHRASE_FILE=str(outside)):
        relative = keystore.save_ca_key(key, fingerprint="prod")
        assert checks.passphrase_outside_home() == []
    assert not (home / "keys" / keystore.SECRET_FILENAME).exists()
    raw = (home / "keys" / relative).read_bytes()
    opened = serialization.load_pem_private_key(raw, password=b"operator-chosen passphrase 42")
    assert isinstance(opened, type(key))
    inside = home / "keystore.pass"
    inside.write_text("inside\n")
    with override_settings(VANBAN_KEYSTORE_PASSPHRASE_FILE=str(inside)):
        [warning] = checks.passphrase_outside_home()
    assert "inside VANBAN_HOME" in warning.msg


def test_production_passphrase_from_the_environment(home: Path, agency) -> None:
    """R21.1: VANBAN_KEYSTORE_PASSPHRASE encrypts agency PKCS#12 files; no file is made."""
    with override_settings(VANBAN_KEYSTORE_PASSPHRASE="from the service manager"):
        services.ca_create_demo(actor=None)
        issued = services.certificate_issue(actor=None, agency=agency)
        assert checks.passphrase_outside_home() == []
    assert not (home / "keys" / keystore.SECRET_FILENAME).exists()
    data = (home / "keys" / issued.pkcs12_path).read_bytes()
    key, cert, _ = pkcs12.load_key_and_certificates(data, b"from the service manager")
    assert key is not None
    assert cert is not None
    with pytest.raises(ValueError, match="Invalid password"):
        pkcs12.load_key_and_certificates(data, b"another")
