"""The installation's Ed25519 seal key (R14.3): made on first use, readable by its owner only.

The private key lives in ``settings.KEYS_DIR / "audit-seal.key"`` (PKCS#8 PEM, mode 0600). Its
public half is what third parties need to check the seals (``vanban audit export-key``); the key
id is the SHA-256 of the public key's DER SubjectPublicKeyInfo, so anyone can recompute it with
``openssl pkey -pubin -outform DER | sha256sum``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

KEY_FILENAME = "audit-seal.key"
_cache: dict[Path, Ed25519PrivateKey] = {}
_lock = threading.Lock()


def key_path() -> Path:
    """Where the seal key is kept (follows ``settings.KEYS_DIR``)."""
    return Path(settings.KEYS_DIR) / KEY_FILENAME


def _create(path: Path) -> None:
    """Write a new key atomically: a private temp file linked into place, so a second process
    racing us either wins the link or reads the complete key of the first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def private_key() -> Ed25519PrivateKey:
    """The installation's seal key, created on first use and cached per process."""
    path = key_path()
    with _lock:
        cached = _cache.get(path)
        if cached is not None:
            return cached
        if not path.exists():
            _create(path)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise TypeError(f"{path} is not an Ed25519 private key")
        _cache[path] = key
        return key


def public_key() -> Ed25519PublicKey:
    """The public half of the installation's seal key."""
    return private_key().public_key()


def public_key_pem(key: Ed25519PublicKey | None = None) -> str:
    """The public key as PEM (SubjectPublicKeyInfo), for third parties who verify the seals."""
    key = key or public_key()
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PublicKey | None = None) -> str:
    """SHA-256 (hex) of the public key's DER SubjectPublicKeyInfo."""
    key = key or public_key()
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """Read an exported public key (PEM)."""
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError("not an Ed25519 public key")
    return key


def sign(message: bytes) -> str:
    """Sign ``message`` with the installation key; base64 text for the seal table."""
    return base64.b64encode(private_key().sign(message)).decode()


def signature_valid(key: Ed25519PublicKey, signature: str, message: bytes) -> bool:
    """Whether ``signature`` (base64) is ``key``'s signature of ``message``."""
    try:
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True
