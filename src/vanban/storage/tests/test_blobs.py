"""R14.3: files are stored content-addressed and never overwritten; altered bytes are detected."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from django.db import transaction

from vanban.core.errors import NotFound, ValidationFailed
from vanban.storage.errors import BlobCorrupted, BlobMissing
from vanban.storage.models import Blob
from vanban.storage.selectors import blob_exists, blob_read
from vanban.storage.services import blob_put

DATA = "Công văn số 05/UBND-VX về việc thử nghiệm".encode()
SHA = hashlib.sha256(DATA).hexdigest()


def _file(root: Path, sha: str) -> Path:
    return root / "blobs" / sha[:2] / sha[2:4] / sha


@pytest.mark.django_db
def test_put_stores_bytes_under_their_hash(media_root: Path) -> None:
    """R14.3: the name of a stored file is the SHA-256 of its bytes; size and type recorded."""
    blob = blob_put(data=DATA, content_type="application/pdf")
    assert blob.sha256 == SHA
    assert (blob.size, blob.content_type) == (len(DATA), "application/pdf")
    path = _file(media_root, SHA)
    assert path.read_bytes() == DATA
    assert not stat.S_IMODE(path.stat().st_mode) & 0o222  # read-only on disk
    assert blob_exists(SHA)
    assert blob_read(SHA) == DATA
    assert blob_read(SHA.upper()) == DATA
    assert [p.name for p in path.parent.iterdir()] == [SHA]  # no temporary file left


@pytest.mark.django_db
def test_put_is_idempotent_and_never_rewrites(media_root: Path) -> None:
    """R14.3: storing the same bytes again returns the same blob and leaves the file untouched."""
    first = blob_put(data=DATA, content_type="application/pdf")
    before = _file(media_root, SHA).stat()
    second = blob_put(data=DATA, content_type="image/png")
    after = _file(media_root, SHA).stat()
    assert second.pk == first.pk
    assert second.content_type == "application/pdf"  # the first description stays
    assert Blob.objects.count() == 1
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.django_db
def test_empty_and_distinct_contents(media_root: Path) -> None:
    """Different bytes give different blobs; the empty file is a valid blob too."""
    a = blob_put(data=b"a", content_type="text/plain")
    empty = blob_put(data=b"", content_type="application/octet-stream")
    assert a.sha256 != empty.sha256
    assert empty.size == 0
    assert blob_read(empty.sha256) == b""
    assert Blob.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root")
def test_unknown_or_malformed_hash_is_not_found() -> None:
    """An unknown hash and a string that is no hash at all both read as 'not found'."""
    for value in ("0" * 64, "../../etc/passwd", ""):
        assert not blob_exists(value)
        with pytest.raises(NotFound) as info:
            blob_read(value)
        assert info.value.message("vi") == "Không tìm thấy tệp."
        assert info.value.message("en") == "File not found."


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root")
@pytest.mark.parametrize("content_type", ["", "pdf", "text/plain; charset=utf-8", "a/" + "b" * 99])
def test_bad_content_type_is_refused(content_type: str) -> None:
    """A content type must be a plain ``type/subtype`` that fits the column."""
    with pytest.raises(ValidationFailed) as info:
        blob_put(data=DATA, content_type=content_type)
    assert info.value.code == "invalid_content_type"
    assert Blob.objects.count() == 0


def _tamper(path: Path, data: bytes) -> None:
    os.chmod(path, 0o644)
    path.write_bytes(data)


@pytest.mark.django_db
def test_altered_file_fails_read_and_is_not_repaired(media_root: Path) -> None:
    """R14.3: a file changed on disk is never served, and a new put does not hide the change."""
    blob_put(data=DATA, content_type="application/pdf")
    path = _file(media_root, SHA)
    _tamper(path, DATA.replace(b"05", b"06"))
    with pytest.raises(BlobCorrupted) as info:
        blob_read(SHA)
    err = info.value
    assert err.sha256 == SHA
    assert err.actual == hashlib.sha256(path.read_bytes()).hexdigest()
    assert SHA in err.message("vi")
    assert "bị thay đổi" in err.message("vi")
    assert SHA in err.message("en")
    assert "altered" in err.message("en")
    assert err.extra == {"sha256": SHA}
    with pytest.raises(BlobCorrupted):
        blob_put(data=DATA, content_type="application/pdf")
    assert path.read_bytes() != DATA  # the evidence of tampering stays for the investigator


@pytest.mark.django_db
def test_missing_file_is_reported(media_root: Path) -> None:
    """A row whose file disappeared reads as a missing blob, not as empty content."""
    blob_put(data=DATA, content_type="application/pdf")
    _file(media_root, SHA).unlink()
    with pytest.raises(BlobMissing) as info:
        blob_read(SHA)
    assert SHA in info.value.message("vi")
    assert SHA in info.value.message("en")
    restored = blob_put(data=DATA, content_type="application/pdf")  # the owner uploads it again
    assert restored.sha256 == SHA
    assert blob_read(SHA) == DATA


@pytest.mark.django_db(transaction=True)
def test_rolled_back_put_leaves_no_row_and_next_put_reuses_the_file(media_root: Path) -> None:
    """A put inside a failed transaction leaves no row; the orphan file is reused, not copied."""
    def put_then_fail() -> None:
        with transaction.atomic():
            blob_put(data=DATA, content_type="application/pdf")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        put_then_fail()
    assert not blob_exists(SHA)
    inode = _file(media_root, SHA).stat().st_ino
    blob_put(data=DATA, content_type="application/pdf")
    assert blob_exists(SHA)
    assert _file(media_root, SHA).stat().st_ino == inode
