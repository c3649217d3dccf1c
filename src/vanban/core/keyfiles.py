"""Installation key files: written once, atomically, mode 0600, read and cached per process.

The audit seal key, the evidence hub key and the exchange installation key all live in
``KEYS_DIR`` and must never be overwritten (a replaced key would orphan every signature made
with the old one). Pure Python with ``cryptography``; no Django import.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

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
