"""This installation's identity in the federation: its id and its Ed25519 signing key.

Every message to a peer is signed over its exact body with the key in
``settings.KEYS_DIR / "installation.key"`` (PKCS#8 PEM, mode 0600, made on first use); the peer
checks it with the public key its operator registered (``vanban exchange peer add``). The id is
``VANBAN_INSTALLATION_ID`` (setting or environment), else the host name.
"""

from __future__ import annotations

import base64
import os
import socket
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from vanban.core import keyfiles

KEY_FILENAME = "installation.key"
HEADER_INSTALLATION = "X-Vanban-Installation"
HEADER_SIGNATURE = "X-Vanban-Signature"


def installation_id() -> str:
    """Who we are to the peers."""
    value = getattr(settings, "VANBAN_INSTALLATION_ID", "") or os.environ.get(
        "VANBAN_INSTALLATION_ID", "")
    return str(value).strip() or socket.gethostname()


def key_path() -> Path:
    """Where the installation key is kept."""
    return Path(settings.KEYS_DIR) / KEY_FILENAME


def private_key() -> Ed25519PrivateKey:
    """The installation key, created on first use and cached per process."""
    return keyfiles.ed25519_key(key_path())


def public_key_pem() -> str:
    """Our public key as PEM (SubjectPublicKeyInfo), to give to the peers' operators."""
    return private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    """A peer's key from PEM: a raw public key or an X.509 certificate holding one."""
    data = pem.encode() if isinstance(pem, str) else pem
    if b"BEGIN CERTIFICATE" in data:
        from cryptography import x509

        key = x509.load_pem_x509_certificate(data).public_key()
    else:
        key = serialization.load_pem_public_key(data)  # type: ignore[assignment]
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def sign(body: bytes) -> str:
    """The signature header value: base64 of Ed25519 over the exact body."""
    return base64.b64encode(private_key().sign(body)).decode()


def verify(pem: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` (header value) is the peer's signature over ``body``."""
    try:
        raw = base64.b64decode(signature.encode(), validate=True)
        load_public_key(pem).verify(raw, body)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def installation_headers(body: bytes) -> dict[str, str]:
    """The headers that go with every federation request."""
    return {HEADER_INSTALLATION: installation_id(), HEADER_SIGNATURE: sign(body),
            "Content-Type": "application/xml"}
