"""The installation's Ed25519 seal key (R14.3): made on first use, readable by its owner only.

The private key lives in ``settings.KEYS_DIR / "audit-seal.key"`` (PKCS#8 PEM, mode 0600). Its
public half is what third parties need to check the seals (``vanban audit export-key``); the key
id is the SHA-256 of the public key's DER SubjectPublicKeyInfo, so anyone can recompute it with
``openssl pkey -pubin -outform DER | sha256sum``.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from vanban.core import keyfiles

KEY_FILENAME = "audit-seal.key"


def key_path() -> Path:
    """Where the seal key is kept (follows ``settings.KEYS_DIR``)."""
    return Path(settings.KEYS_DIR) / KEY_FILENAME


def private_key() -> Ed25519PrivateKey:
    """The installation's seal key, created on first use and cached per process."""
    return keyfiles.ed25519_key(key_path())


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
