"""Installation key files: written once, atomically, mode 0600, read and cached per process.

The audit seal key, the evidence hub key and the exchange installation key all live in
``KEYS_DIR`` and must never be overwritten (a replaced key would orphan every signature made
with the old one). The certificates the provincial CA issues for the hub and seal keys lie
beside them and are replaced atomically (:func:`replace`), checked with
:func:`chain_problem`. Pure Python with ``cryptography``; no Django import.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vanban.core.filemodes import private_dir

_cache: dict[Path, Ed25519PrivateKey] = {}
_lock = threading.Lock()


def write_once(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` unless it exists: a private temp file linked into place, so
    a second process racing us either wins the link or later reads the first one's file."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a private temp file renamed into place): a reader
    sees the old file or the new one, never half of it (certificates beside a key)."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def pem(certs: list[x509.Certificate] | tuple[x509.Certificate, ...]) -> bytes:
    """The certificates as concatenated PEM (a chain file)."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def chain_problem(cert: x509.Certificate, chain: list[x509.Certificate]) -> str:
    """Why ``chain`` (issuer first, a self-signed root last) does not issue ``cert`` ("" when
    it does): each certificate's signature checked with the next one's key. Shared by the
    evidence hub key and the audit seal key, both certified by the provincial CA."""
    if not chain:
        return "no issuer"
    links = [cert, *chain]
    for child, parent in zip(links, [*chain, chain[-1]], strict=True):
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, InvalidSignature) as err:
            return f"{child.subject.rfc4514_string()}: {type(err).__name__} {err}"[:300]
    return ""


def ed25519_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key at ``path``, created on first use and cached per process."""
    with _lock:
        cached = _cache.get(path)
        if cached is not None:
            return cached
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())
            write_once(path, pem)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise TypeError(f"{path} is not an Ed25519 private key")
        _cache[path] = key
        return key
