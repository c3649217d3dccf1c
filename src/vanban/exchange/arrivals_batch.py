"""The arrival port in two halves, for a channel that files many messages at once (ADR 0015).

:func:`~vanban.exchange.arrivals.arrival_accept` stores one arrival with its own durable file
writes and its own commit. A reader of a mailbox holding thousands of messages pays that per
message: one fsync per file and a commit per record. Here the same work is split so a batch
shares them, and no rule changes:

1. :func:`arrival_check`, outside any transaction: the door (intake, scanner, the main
   document by content), exactly as the port runs it; a refusal is raised and audited as there.
2. :func:`blob_files_put`: the files of the whole batch written durably before any row (a
   committed row always has its file), their fsyncs issued together so the file system commits
   its journal once for many.
3. :func:`blob_rows_put` and :func:`arrival_store`, inside the caller's one transaction: the
   blob rows in one statement, then each arrival's rows as the port writes them.

A channel composes the halves with its own records in the same transaction (the mail gateway:
``mailgate/services/receive.py``, a savepoint per message holding its verification, arrival
and message row, and its one fallback when the batch fails); the halves hold no fallback of
their own, so there is one such flow, not a generic copy beside the channel's.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages
from django.db import transaction

from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.exchange.arrivals import (
    RAW_TYPES,
    Arrival,
    ArrivalResult,
    _check_files,
    _Checked,
    _main,
    _store,
    _stored,
)
from vanban.storage import backend
from vanban.storage.models import Blob, blob_path
from vanban.storage.services import blob_put_file

FSYNC_THREADS = 8  # concurrent fsyncs: the journal commits them together
FILES_OPEN = 64  # new files open at once while a batch is written (descriptors are limited)


@dataclass(frozen=True)
class CheckedArrival:
    """An arrival through the door, ready to store: its files' detected types and the
    intake's view, and which one is the main document."""

    arrival: Arrival
    checked: list[_Checked]
    main: int

    @property
    def raw_sha256(self) -> str:
        """The raw message's blob."""
        return hashlib.sha256(self.arrival.raw).hexdigest()

    def blobs(self) -> list[tuple[bytes, str]]:
        """(bytes, content type) of every file to keep: each attachment, then the raw
        message."""
        raw_type = RAW_TYPES.get(self.arrival.channel, "application/xml")
        return [*((c.file.data, c.content_type) for c in self.checked),
                (self.arrival.raw, raw_type)]


def arrival_check(arrival: Arrival) -> CheckedArrival:
    """The door half of the port, outside any transaction: every file through the intake and
    the scanner, the main document by content. Raises the door's refusal as the port does."""
    if not arrival.recipients:
        raise ValidationFailed("Không có nơi nhận nào thuộc hệ thống này.",
                               "No recipient is served by this installation.",
                               code="no_local_recipient")
    checked = _check_files(arrival)
    return CheckedArrival(arrival=arrival, checked=checked, main=_main(checked))


def arrival_store(item: CheckedArrival, *, verification_id: int | None = None,
                  verified_sha256: str = "") -> ArrivalResult:
    """The rows of one checked arrival, in the caller's transaction, after its files and
    blob rows are stored; ``verification_id``: the channel's verdict, on the file
    ``verified_sha256`` from this arrival's sender (linked only if that is the main file)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("arrival_store() must run inside the batch's transaction")
    arrival = item.arrival if verification_id is None \
        else replace(item.arrival, verification_id=verification_id)
    verdict_of = (verified_sha256, arrival.sender.pk) if verified_sha256 else None
    return _store(arrival, item.checked, item.main, item.raw_sha256, verdict_of=verdict_of)


def arrivals_stored(arrivals: Sequence[Arrival]) -> dict[str, ArrivalResult]:
    """The arrivals already stored, by message key: one query for the batch, then the
    port's own lookup only for those found (a repeat is rare)."""
    from vanban.exchange.models import Transmission

    keys = {a.message_key for a in arrivals}
    known = set(Transmission.objects.filter(origin_message_id__in=keys)
                .values_list("channel", "origin", "origin_message_id"))
    out: dict[str, ArrivalResult] = {}
    for a in arrivals:
        if (a.channel, a.origin, a.message_key) in known:
            stored = _stored(a)
            if stored is not None:
                out[a.message_key] = stored
    return out


# ---------------------------------------------------------------- blobs of a batch


def blob_files_put(items: Iterable[tuple[bytes, str]]) -> None:
    """Store the files of a batch durably before any of its rows: each new file written to a
    temporary name in its final folder, flushed together with the others of its group of
    :data:`FILES_OPEN`, closed, then linked to its name and the folders flushed. What
    :func:`~vanban.storage.services.blob_put_file` does per file, with the waits shared; a
    file already stored is checked as there. At most :data:`FILES_OPEN` descriptors are open
    at once, however many files the batch holds."""
    storage = storages["default"]
    unique = {hashlib.sha256(data).hexdigest(): data for data, _ in items}
    if not isinstance(storage, FileSystemStorage):
        for data in unique.values():
            blob_put_file(data=data)
        return
    new: list[tuple[str, bytes, Path]] = []
    for sha256, data in unique.items():
        path = Path(storage.path(blob_path(sha256)))
        if path.exists():
            blob_put_file(data=data)  # verified against its hash, never rewritten
        else:
            new.append((sha256, data, path))
    for start in range(0, len(new), FILES_OPEN):
        _files_put(new[start:start + FILES_OPEN])


def _files_put(group: Sequence[tuple[str, bytes, Path]]) -> None:
    """One group of new files: written, fsynced together, closed, linked, folders flushed."""
    pending: list[tuple[int, str, Path, bytes]] = []
    linked: list[tuple[str, Path, bytes]] = []
    try:
        for _sha256, data, path in group:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            pending.append((fd, tmp, path, data))
            _write_all(fd, data)
        with ThreadPoolExecutor(FSYNC_THREADS) as pool:
            list(pool.map(os.fsync, [fd for fd, _, _, _ in pending]))
        while pending:  # each descriptor closed as soon as its file is durable
            fd, tmp, path, data = pending.pop()
            linked.append((tmp, path, data))
            os.close(fd)
        folders: set[Path] = set()
        for tmp, path, data in linked:
            os.chmod(tmp, backend.FILE_MODE)
            try:
                os.link(tmp, path)
            except FileExistsError:  # stored meanwhile by another writer: check it
                blob_put_file(data=data)
                continue
            folders.add(path.parent)
        with ThreadPoolExecutor(FSYNC_THREADS) as pool:
            list(pool.map(backend.fsync_dir, folders))
    finally:
        for fd, tmp, _path, _data in pending:
            with contextlib.suppress(OSError):
                os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        for tmp, _path, _data in linked:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _write_all(fd: int, data: bytes) -> None:
    """Write ``data`` whole (``os.write`` may write less than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def blob_rows_put(items: Iterable[tuple[bytes, str]]) -> None:
    """The :class:`Blob` rows of files already stored, in one statement in the caller's
    transaction; a row that exists is kept as it is (as ``blob_put`` keeps it)."""
    now = clock.now()
    rows = {hashlib.sha256(data).hexdigest(): Blob(
        sha256=hashlib.sha256(data).hexdigest(), size=len(data),
        content_type=content_type.strip().lower(), created_at=now)
        for data, content_type in items}
    Blob.objects.bulk_create(list(rows.values()), ignore_conflicts=True)


__all__ = ["CheckedArrival", "arrival_check", "arrival_store", "arrivals_stored",
           "blob_files_put", "blob_rows_put"]
