"""Writing and hashing files in Django's default storage without ever overwriting one.

On local disk a blob is written to a temporary name in its final directory, flushed to disk, and
then hard-linked to its final name: ``link`` is atomic and refuses an existing target, so a
reader never sees half a file, a crash leaves only a temporary file behind, and two processes
storing the same bytes at once cannot clobber each other. Other backends (S3) get the same
guarantees from the object store: a PUT appears whole or not at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage

CHUNK = 1024 * 1024
FILE_MODE = 0o400  # never written again, and readable by the service account only (R14.3)


def write_new(storage: Storage, name: str, data: bytes) -> bool:
    """Store ``data`` at ``name`` unless something is already there. True if this call wrote it."""
    if isinstance(storage, FileSystemStorage):
        return _write_new_local(Path(storage.path(name)), data)
    if storage.exists(name):
        return False
    saved = storage.save(name, ContentFile(data))
    if saved != name:  # lost a race: the backend picked another name; drop our copy
        storage.delete(saved)
        return False
    return True


def _write_new_local(path: Path, data: bytes) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        fsync_dir(path.parent)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def fsync_dir(directory: Path) -> None:
    """Make the new directory entry durable (a committed row must not point at a lost file)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def hash_stored(storage: Storage, name: str) -> tuple[str, int] | None:
    """SHA-256 hex and size of the stored file, read in chunks; None when there is no file."""
    digest = hashlib.sha256()
    size = 0
    try:
        with storage.open(name, "rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest(), size


def read_stored(storage: Storage, name: str) -> bytes | None:
    """All bytes of the stored file; None when there is no file."""
    try:
        with storage.open(name, "rb") as fh:
            data: bytes = fh.read()
    except FileNotFoundError:
        return None
    return data
