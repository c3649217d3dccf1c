"""R14.3: concurrent puts of the same bytes store one file and one row, never a torn file."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest
from django.db import connection

from vanban.storage import backend
from vanban.storage.models import Blob
from vanban.storage.selectors import blob_read
from vanban.storage.services import blob_put

WORKERS = 8


def _in_memory_sqlite() -> bool:
    is_in_memory = getattr(connection, "is_in_memory_db", None)  # SQLite's wrapper only
    return connection.vendor == "sqlite" and callable(is_in_memory) and bool(is_in_memory())


def test_concurrent_writes_of_one_file_leave_one_whole_file(tmp_path: Path) -> None:
    """R14.3: of eight threads writing the same name at once exactly one creates the file."""
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    data = os.urandom(4 * 1024 * 1024)
    barrier = threading.Barrier(WORKERS)
    created: list[bool] = []

    def work() -> None:
        barrier.wait()
        created.append(backend.write_new(storage, "blobs/x/y/z", data))

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(created) == [False] * (WORKERS - 1) + [True]
    assert (tmp_path / "blobs/x/y/z").read_bytes() == data
    assert [p.name for p in (tmp_path / "blobs/x/y").iterdir()] == ["z"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_puts_of_the_same_and_other_content(media_root: Path) -> None:
    """R14.3: eight threads storing the same 2 MB at once all get the same intact blob."""
    # The test settings keep SQLite's test database on disk, so threads can share it.
    assert not _in_memory_sqlite(), "threads cannot share an in-memory SQLite test database"
    same = os.urandom(2 * 1024 * 1024)
    others = [os.urandom(1024) + bytes([i]) for i in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        try:
            barrier.wait()
            shas = [blob_put(data=same, content_type="application/pdf").sha256,
                    blob_put(data=others[i], content_type="application/pdf").sha256]
            with lock:
                results.extend(shas)
        except BaseException as err:  # collected and asserted below
            with lock:
                errors.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sha = hashlib.sha256(same).hexdigest()
    assert results.count(sha) == WORKERS
    assert Blob.objects.count() == WORKERS + 1
    assert blob_read(sha) == same
    leftovers = [p for p in media_root.rglob("*") if p.is_file() and p.name.startswith(".tmp-")]
    assert leftovers == []
    files = [p for p in media_root.rglob("*") if p.is_file()]
    assert len(files) == WORKERS + 1
