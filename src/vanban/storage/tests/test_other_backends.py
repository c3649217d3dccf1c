"""R14.3 on a storage backend that is not the local disk (S3 in production): the generic path
(exists, save, verify) keeps the same guarantees. Django's in-memory storage stands in for S3."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from vanban.storage.errors import BlobCorrupted
from vanban.storage.models import blob_path
from vanban.storage.selectors import blob_read, blobs_verify
from vanban.storage.services import blob_put

DATA = b"%PDF-1.7 stand-in content"
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def memory_storage(settings) -> None:
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.mark.django_db
@pytest.mark.usefixtures("memory_storage")
def test_put_read_and_idempotency_on_a_remote_style_backend() -> None:
    """R14.3: the same bytes stored twice make one object under their hash, read back intact."""
    storage = storages["default"]
    assert type(storage).__name__ == "InMemoryStorage"
    first = blob_put(data=DATA, content_type="application/pdf")
    second = blob_put(data=DATA, content_type="application/pdf")
    assert first.pk == second.pk == SHA
    assert storage.listdir(f"blobs/{SHA[:2]}/{SHA[2:4]}") == ([], [SHA])
    assert blob_read(SHA) == DATA
    assert blobs_verify().ok


@pytest.mark.django_db
@pytest.mark.usefixtures("memory_storage")
def test_replaced_object_is_detected_and_not_overwritten() -> None:
    """R14.3: an object replaced behind the application's back fails read, put and verify."""
    blob_put(data=DATA, content_type="application/pdf")
    storage = storages["default"]
    storage.delete(blob_path(SHA))
    storage.save(blob_path(SHA), ContentFile(b"forged"))
    with pytest.raises(BlobCorrupted):
        blob_read(SHA)
    with pytest.raises(BlobCorrupted):
        blob_put(data=DATA, content_type="application/pdf")
    with storage.open(blob_path(SHA), "rb") as fh:
        assert fh.read() == b"forged"
    report = blobs_verify()
    assert [p.sha256 for p in report.problems] == [SHA]
