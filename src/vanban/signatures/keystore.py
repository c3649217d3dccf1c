"""Where signing keys are kept on disk, encrypted (R21.1: "keys encrypted or on a token").

Layout under ``settings.KEYS_DIR`` (directory mode 0700, files 0600):

* ``signing-keys.secret`` (embedded default only): the installation's key-store passphrase
  (random, made on first use), itself sealed with ``vanban.core.secretbox`` (purpose
  ``signatures.p12-passphrase``), so the folder of the keys never holds their passphrase in
  clear. A file written in clear by an older version is sealed in place on first read.
  Production gives the passphrase from outside ``VANBAN_HOME`` instead:
  ``VANBAN_KEYSTORE_PASSPHRASE`` (environment) or ``VANBAN_KEYSTORE_PASSPHRASE_FILE`` (first
  line of a file the service account alone reads); ``vanban check --deploy`` warns otherwise.
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

from vanban.core.filemodes import private_dir
from vanban.core.secretbox import is_sealed, open_sealed, seal
from vanban.signatures.pki import Key

SECRET_FILENAME = "signing-keys.secret"  # noqa: S105  (a file name, not a secret)
PASSPHRASE_PURPOSE = "signatures.p12-passphrase"  # noqa: S105  (secretbox purpose label)
_lock = threading.Lock()


def keys_dir() -> Path:
    """``settings.KEYS_DIR``, created private on first use."""
    return private_dir(Path(settings.KEYS_DIR))


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file readable by its owner only; never overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def passphrase_source() -> str:
    """Where the passphrase comes from: ``env``, ``file:PATH`` (operator's file) or
    ``sealed:PATH`` (the embedded default's sealed file in ``KEYS_DIR``)."""
    if getattr(settings, "VANBAN_KEYSTORE_PASSPHRASE", ""):
        return "env"
    if configured := getattr(settings, "VANBAN_KEYSTORE_PASSPHRASE_FILE", ""):
        return f"file:{configured}"
    return f"sealed:{Path(settings.KEYS_DIR) / SECRET_FILENAME}"


def passphrase() -> bytes:
    """The installation's key-store passphrase (R21.1: never in clear beside the keys)."""
    kind, _, where = passphrase_source().partition(":")
    if kind == "env":
        return str(settings.VANBAN_KEYSTORE_PASSPHRASE).encode()
    if kind == "file":
        lines = Path(where).read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0].strip():
            raise LookupError(f"VANBAN_KEYSTORE_PASSPHRASE_FILE {where} is empty")
        return lines[0].strip().encode()
    return _sealed_passphrase(Path(where))


def _sealed_passphrase(path: Path) -> bytes:
    """Read the sealed file, creating it on first use and sealing a clear one in place."""
    keys_dir()
    with _lock:
        if not path.exists():
            tmp = _temp_beside(path)
            _write_private(tmp, seal(secrets.token_urlsafe(32).encode(),
                                     purpose=PASSPHRASE_PURPOSE).encode())
            try:
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)  # a racing process may have won: read its file
            finally:
                tmp.unlink(missing_ok=True)
        text = path.read_text(encoding="ascii").strip()
        if is_sealed(text):
            return open_sealed(text, purpose=PASSPHRASE_PURPOSE)
        tmp = _temp_beside(path)  # written in clear by an older version: seal it in place
        _write_private(tmp, seal(text.encode(), purpose=PASSPHRASE_PURPOSE).encode())
        os.replace(tmp, path)
        return text.encode()


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")


def passphrase_in_clear_inside_home() -> str | None:
    """Why the passphrase is exposed with the data, or None (for ``vanban check --deploy``):
    an operator's file inside ``VANBAN_HOME``, or an old clear file not sealed yet."""
    kind, _, where = passphrase_source().partition(":")
    home = Path(settings.VANBAN_HOME).resolve()
    if kind == "file" and Path(where).resolve().is_relative_to(home):
        return f"VANBAN_KEYSTORE_PASSPHRASE_FILE {where} is inside VANBAN_HOME"
    stored = Path(where)
    if kind == "sealed" and stored.exists() and not is_sealed(
            stored.read_text(encoding="ascii").strip()):
        return f"{where} holds the passphrase in clear"
    return None


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
