"""Writing blobs. Content-addressed and idempotent: storing the same bytes twice returns the same
:class:`Blob`, and an existing file is verified, never rewritten (R14.3).

No audit event here: a blob is only content. The service that gives it a meaning (a document's
upload or signature) records its SHA-256 in its own audited transaction.
"""

from __future__ import annotations

import hashlib
import re

from django.core.files.storage import storages
from django.db import transaction

from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.storage import backend
from vanban.storage.errors import BlobCorrupted
from vanban.storage.models import Blob, blob_path

_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def _clean_content_type(content_type: str) -> str:
    value = content_type.strip().lower()
    if not value or len(value) > 100 or not _CONTENT_TYPE.match(value):
        raise ValidationFailed(
            f"Kiểu nội dung không hợp lệ: {content_type!r}.",
            f"Invalid content type: {content_type!r}.",
            code="invalid_content_type",
        )
    return value


def blob_put(*, data: bytes, content_type: str) -> Blob:
    """Store ``data`` (if not stored yet) and return its row. Safe to call concurrently.

    The file is written before the row, so a committed row always has its file; a rolled-back
    caller leaves at most an unreferenced file that the next put of the same bytes reuses.
    Raises :class:`BlobCorrupted` if a file already stored under this hash no longer matches.
    """
    content_type = _clean_content_type(content_type)
    sha256 = blob_put_file(data=data)
    with transaction.atomic():
        blob, _created = Blob.objects.get_or_create(
            sha256=sha256,
            defaults={"size": len(data), "content_type": content_type,
                      "created_at": clock.now()},
        )
    return blob


def blob_put_file(*, data: bytes) -> str:
    """The file half of :func:`blob_put`: store the bytes durably (or check the stored copy)
    and return their SHA-256. For a caller that writes the :class:`Blob` row in its own
    statement, after this returns (a committed row always has its file).
    """
    sha256 = hashlib.sha256(data).hexdigest()
    name = blob_path(sha256)
    storage = storages["default"]
    if not backend.write_new(storage, name, data):
        stored = backend.hash_stored(storage, name)
        if stored is None:  # vanished between the two calls (an operator's hand): store again
            backend.write_new(storage, name, data)
        elif stored[0] != sha256:
            raise BlobCorrupted(sha256, actual=stored[0])
    return sha256
