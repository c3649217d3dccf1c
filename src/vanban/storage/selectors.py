"""Reading blobs. Every read re-hashes the bytes, so an altered file is never served as genuine
(R14.3); :func:`blobs_verify` checks the whole store for ``vanban blobs verify``.

Blobs carry no agency: the caller (a document selector) decides who may see which blob.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.files.storage import storages

from vanban.core.errors import not_found
from vanban.storage import backend
from vanban.storage.errors import BlobCorrupted, BlobIntegrityError, BlobMissing
from vanban.storage.models import Blob, blob_path

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _normalise(sha256: str) -> str:
    value = sha256.strip().lower()
    if not _HEX64.match(value):
        raise not_found("tệp", "File")
    return value


def blob_exists(sha256: str) -> bool:
    """Whether a blob with this hash was stored (its row exists; the bytes are checked on read)."""
    value = sha256.strip().lower()
    return bool(_HEX64.match(value)) and Blob.objects.filter(sha256=value).exists()


def blob_read(sha256: str) -> bytes:
    """The blob's bytes, after checking they still hash to ``sha256``.

    Raises ``NotFound`` for an unknown hash, :class:`BlobMissing` when the file is gone and
    :class:`BlobCorrupted` when its content changed.
    """
    value = _normalise(sha256)
    if not Blob.objects.filter(sha256=value).exists():
        raise not_found("tệp", "File")
    data = backend.read_stored(storages["default"], blob_path(value))
    if data is None:
        raise BlobMissing(value)
    actual = hashlib.sha256(data).hexdigest()
    if actual != value:
        raise BlobCorrupted(value, actual=actual)
    return data


def blob_verify(blob: Blob) -> BlobIntegrityError | None:
    """The integrity problem of one stored blob, or None when intact (reads in chunks)."""
    stored = backend.hash_stored(storages["default"], blob.path)
    if stored is None:
        return BlobMissing(blob.sha256)
    if stored[0] != blob.sha256:
        return BlobCorrupted(blob.sha256, actual=stored[0])
    return None


@dataclass
class BlobsReport:
    """Outcome of checking every blob: how many were read and which ones failed."""

    checked: int = 0
    problems: list[BlobIntegrityError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every blob is intact."""
        return not self.problems


def blobs_verify() -> BlobsReport:
    """Re-hash every stored blob (for the operator's console; not permission-scoped)."""
    report = BlobsReport()
    for blob in _all_blobs():
        report.checked += 1
        if (problem := blob_verify(blob)) is not None:
            report.problems.append(problem)
    return report


def _all_blobs() -> Iterator[Blob]:
    return Blob.objects.order_by("sha256").iterator(chunk_size=500)
