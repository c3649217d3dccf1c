"""Encryption at rest for the installation's small secrets (R14.3, R20.2, R21.1).

TOTP secrets, the audit seal key, key passphrases and mailbox credentials are stored encrypted
with AES-256-GCM under one master key, so a copy of the database or of ``VANBAN_HOME`` alone
does not reveal them. Each value is bound to its ``purpose`` (associated data): a ciphertext
copied from one column to another does not decrypt.

The master key comes, in this order, from ``VANBAN_MASTER_KEY`` (base64 of 32 bytes, e.g. from
the service manager's credentials), from the file ``VANBAN_MASTER_KEY_FILE`` (production: a
path outside ``VANBAN_HOME``, readable only by the service account), or, on the embedded
default only, from ``VANBAN_HOME/keys/master.key``, created on first use. ``vanban check
--deploy`` warns when production keeps the key beside the data it protects.
"""

from __future__ import annotations

import base64
import binascii
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from vanban.core.keyfiles import write_once

PREFIX = "vbx1:"
_NONCE = 12
_lock = threading.Lock()
_cache: dict[str, bytes] = {}


class SecretBoxError(Exception):
    """The master key is missing or malformed, or a value does not decrypt under it."""


def master_key_source() -> str:
    """Where the master key comes from: ``env``, or the file's path."""
    if getattr(settings, "VANBAN_MASTER_KEY", ""):
        return "env"
    return str(master_key_path())


def master_key_path() -> Path:
    """The master key file: the setting, else ``KEYS_DIR/master.key``."""
    configured = getattr(settings, "VANBAN_MASTER_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.KEYS_DIR) / "master.key"


def master_key_inside_home() -> bool:
    """True when the key would be read from inside ``VANBAN_HOME`` (fine for the demo only)."""
    if getattr(settings, "VANBAN_MASTER_KEY", ""):
        return False
    home = Path(settings.VANBAN_HOME).resolve()
    return master_key_path().resolve().is_relative_to(home)


def _decode(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SecretBoxError(f"{where}: not base64") from exc
    if len(key) != 32:
        raise SecretBoxError(f"{where}: the master key must be 32 bytes")
    return key


def master_key() -> bytes:
    """The 32-byte master key, cached per process; created on first use only for the default
    file inside ``KEYS_DIR`` (an operator-named file that is missing is an error)."""
    source = master_key_source()
    with _lock:
        if source in _cache:
            return _cache[source]
        if source == "env":
            key = _decode(str(settings.VANBAN_MASTER_KEY), "VANBAN_MASTER_KEY")
        else:
            path = Path(source)
            if not path.exists():
                if getattr(settings, "VANBAN_MASTER_KEY_FILE", ""):
                    raise SecretBoxError(f"VANBAN_MASTER_KEY_FILE {path} does not exist")
                write_once(path, base64.b64encode(os.urandom(32)) + b"\n")
            key = _decode(path.read_text(encoding="ascii"), str(path))
        _cache[source] = key
        return key


def forget_cached_key() -> None:
    """Drop the cached key (tests that switch ``VANBAN_HOME`` or the key settings)."""
    with _lock:
        _cache.clear()


def seal(plaintext: bytes, *, purpose: str) -> str:
    """``plaintext`` encrypted for ``purpose``, as ASCII text fit for a database column."""
    nonce = os.urandom(_NONCE)
    box = AESGCM(master_key()).encrypt(nonce, plaintext, purpose.encode())
    return PREFIX + base64.b64encode(nonce + box).decode("ascii")


def is_sealed(text: str) -> bool:
    """Whether ``text`` is a value written by :func:`seal` (for migrating plain values)."""
    return text.startswith(PREFIX)


def open_sealed(text: str, *, purpose: str) -> bytes:
    """The plaintext of a value written by :func:`seal` for the same ``purpose``."""
    if not is_sealed(text):
        raise SecretBoxError("not a sealed value")
    try:
        raw = base64.b64decode(text[len(PREFIX):], validate=True)
        return AESGCM(master_key()).decrypt(raw[:_NONCE], raw[_NONCE:], purpose.encode())
    except Exception as exc:  # InvalidTag, bad base64, short value: one answer
        raise SecretBoxError(f"the value for {purpose!r} does not decrypt") from exc
