"""Where signing keys are kept on disk, encrypted (R21.1: "keys encrypted or on a token").

Layout under ``settings.KEYS_DIR`` (directory mode 0700, files 0600):

* ``signing-keys.secret``: the installation's key-store passphrase (random, made on first use).
  It encrypts every file below. Back it up with the files and keep it off the database host's
  backups of the database, so a stolen database dump alone reveals no key.
* ``ca/<fingerprint>.key.pem``: a CA's private key, PKCS#8 PEM encrypted with the passphrase.
* ``agencies/<fingerprint>.p12``: an agency's key and certificate, PKCS#12 encrypted with the
  passphrase (AES-256, PBKDF2).

A PKCS#11 PIN is never stored: the certificate row names where to read it, ``env:VARIABLE`` or
``file:/path/to/pin`` (first line of the file).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings

from vanban.signatures.pki import Key

SECRET_FILENAME = "signing-keys.secret"  # noqa: S105  (a file name, not a secret)
_lock = threading.Lock()


def keys_dir() -> Path:
    """``settings.KEYS_DIR``, created private on first use."""
    path = Path(settings.KEYS_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file readable by its owner only; never overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def passphrase() -> bytes:
    """The installation's key-store passphrase, created on first use (race-safe)."""
    path = keys_dir() / SECRET_FILENAME
    with _lock:
        if not path.exists():
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
            _write_private(tmp, secrets.token_urlsafe(32).encode())
            try:
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
    return path.read_bytes().strip()


def _encryption() -> serialization.KeySerializationEncryption:
    return serialization.BestAvailableEncryption(passphrase())


def save_ca_key(key: Key, *, fingerprint: str) -> str:
    """Store a CA key encrypted; returns the path relative to KEYS_DIR."""
    relative = f"ca/{fingerprint}.key.pem"
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            _encryption())
    _write_private(keys_dir() / relative, pem)
    return relative


def load_ca_key(relative: str) -> Key:
    """Read a CA key stored by :func:`save_ca_key`."""
    key = serialization.load_pem_private_key((keys_dir() / relative).read_bytes(),
                                             password=passphrase())
    if not isinstance(key, Key):
        raise TypeError(f"{relative}: unsupported key type")
    return key


def save_pkcs12(*, key: Key, cert: x509.Certificate, chain: list[x509.Certificate],
                fingerprint: str, friendly_name: str) -> str:
    """Store an agency key and certificate as an encrypted PKCS#12; returns the relative path."""
    relative = f"agencies/{fingerprint}.p12"
    data = pkcs12.serialize_key_and_certificates(
        friendly_name.encode()[:64], key, cert, chain or None, _encryption())
    _write_private(keys_dir() / relative, data)
    return relative


def load_pkcs12(relative: str) -> tuple[Key, x509.Certificate]:
    """Read (and decrypt) a PKCS#12 stored by :func:`save_pkcs12`. Slow: callers cache."""
    key, cert, _ = pkcs12.load_key_and_certificates((keys_dir() / relative).read_bytes(),
                                                     passphrase())
    if key is None or cert is None or not isinstance(key, Key):
        raise TypeError(f"{relative}: no usable key and certificate")
    return key, cert


def resolve_pin(reference: str) -> str:
    """The PIN named by ``env:VAR`` or ``file:/path`` (never stored in the database)."""
    kind, _, where = reference.partition(":")
    if kind == "env" and where:
        value = os.environ.get(where)
        if value is None:
            raise LookupError(f"environment variable {where} is not set")
        return value
    if kind == "file" and where:
        return Path(where).read_text().splitlines()[0].strip()
    raise LookupError(f"PIN reference must be env:VAR or file:/path, not {reference!r}")
