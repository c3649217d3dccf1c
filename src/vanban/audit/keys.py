"""The installation's Ed25519 seal key (R14.3): made on first use, encrypted at rest.

The private key lives in ``settings.KEYS_DIR / "audit-seal.key"`` as a :mod:`vanban.core.secretbox`
value (purpose ``audit.seal-key``) over its PKCS#8 DER, mode 0600: a copy of ``VANBAN_HOME``
without the master key (kept outside it in production) cannot re-seal a rewritten log. A plain PEM
file left by an older version is encrypted in place on first load, keeping the key and so its
key id. The public half is what third parties need to check seals and checkpoints (``vanban audit
export-key``); the key id is the SHA-256 of the public key's DER SubjectPublicKeyInfo, so anyone
can recompute it with ``openssl pkey -pubin -outform DER | sha256sum``. With
``VANBAN_AUDIT_SEAL_PKCS11_MODULE`` set the key lives on a PKCS#11 token instead (``tokenkey``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from vanban.audit import tokenkey
from vanban.core import keyfiles, secretbox

KEY_FILENAME = "audit-seal.key"
PURPOSE = "audit.seal-key"
_cache: dict[Path, Ed25519PrivateKey] = {}
_lock = threading.Lock()


def key_path() -> Path:
    """Where the seal key is kept (follows ``settings.KEYS_DIR``)."""
    return Path(settings.KEYS_DIR) / KEY_FILENAME


def _der(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _replace(path: Path, text: str) -> None:
    """Atomically replace ``path`` by ``text`` (mode 0600): used once, to encrypt a plain key."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _load(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        sealed = secretbox.seal(_der(Ed25519PrivateKey.generate()), purpose=PURPOSE)
        keyfiles.write_once(path, (sealed + "\n").encode("ascii"))
    text = path.read_text(encoding="ascii").strip()
    if secretbox.is_sealed(text):
        loaded = serialization.load_der_private_key(
            secretbox.open_sealed(text, purpose=PURPOSE), password=None)
    else:  # a plain PEM from before keys were encrypted: encrypt it in place, same key
        loaded = serialization.load_pem_private_key(text.encode(), password=None)
        if isinstance(loaded, Ed25519PrivateKey):
            _replace(path, secretbox.seal(_der(loaded), purpose=PURPOSE) + "\n")
    if not isinstance(loaded, Ed25519PrivateKey):
        raise TypeError(f"{path} is not an Ed25519 private key")
    return loaded


def private_key() -> Ed25519PrivateKey:
    """The installation's seal key, created on first use and cached per process."""
    path = key_path()
    with _lock:
        cached = _cache.get(path)
        if cached is None:
            cached = _cache[path] = _load(path)
        return cached


def forget_cached_key() -> None:
    """Drop the cached key (tests that play a new process)."""
    with _lock:
        _cache.clear()
    tokenkey.forget()


def public_key() -> Ed25519PublicKey:
    """The public half of the installation's seal key (on the token when one is configured)."""
    if tokenkey.configured():
        return tokenkey.public_key()
    return private_key().public_key()


def known_public_keys() -> dict[str, Ed25519PublicKey]:
    """The keys seals may carry here: the current one and, once the key moved to a token, the
    file key that signed the older seals."""
    current = public_key()
    known = {key_id(current): current}
    if tokenkey.configured() and key_path().exists():
        older = private_key().public_key()
        known[key_id(older)] = older
    return known


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
    """Sign ``message`` with the installation key (file or token); base64 text."""
    if tokenkey.configured():
        return base64.b64encode(tokenkey.sign(message)).decode()
    return base64.b64encode(private_key().sign(message)).decode()


def signature_valid(key: Ed25519PublicKey, signature: str, message: bytes) -> bool:
    """Whether ``signature`` (base64) is ``key``'s signature of ``message``."""
    try:
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True
