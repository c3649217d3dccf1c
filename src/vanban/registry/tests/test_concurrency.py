"""Numbering under concurrency (Decree 30 Art. 15): 8 processes allocate hundreds of numbers with
random rollbacks while one writer is killed holding the lock; no duplicate, no gap."""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import signal
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from vanban.registry.tests import concurrency_worker as worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
WRITERS = 8
PER_WRITER = 45


def _database() -> tuple[dict[str, Any], bool]:
    """The database the children share, and whether it must be migrated first.

    PostgreSQL (or an on-disk SQLite test database): the parent's test database itself. An
    in-memory SQLite test database cannot be shared between processes, so the children then
    use a fresh on-disk SQLite file with the production settings (WAL, IMMEDIATE, FULL sync).
    """
    settings = dict(connection.settings_dict)
    settings.pop("TEST", None)
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        home = Path(tempfile.mkdtemp(prefix="vanban-numbering-"))
        settings["NAME"] = str(home / "numbering.sqlite3")
        return settings, True
    return settings, False


def _run(ctx: Any, target: Any, *args: Any) -> Any:
    """Run ``target`` in a child and return what it puts; fail at once if the child dies."""
    out = ctx.Queue()
    process = ctx.Process(target=target, args=(*args, out))
    process.start()
    for _ in range(300):
        try:
            result = out.get(timeout=1)
            break
        except queue.Empty:
            assert process.is_alive() or not out.empty(), \
                f"child {target.__name__} died with exit code {process.exitcode}"
    else:
        pytest.fail(f"child {target.__name__} gave no answer in 300 s")
    process.join(60)
    assert process.exitcode == 0
    return result


def _next_result(results: Any, writers: list[Any]) -> str:
    """The next writer's report; fail at once when a writer died without one."""
    for _ in range(600):
        try:
            return str(results.get(timeout=1))
        except queue.Empty:
            dead = [w.exitcode for w in writers if w.exitcode not in (None, 0)]
            assert not dead, f"writers died with exit codes {dead}"
    pytest.fail("the writers gave no answer in 600 s")


def test_eight_processes_no_duplicate_no_gap() -> None:
    """R3 (Decree 30 Art. 15): 8 concurrent writers with random rollbacks and a writer killed
    while holding the counter lock: per register count = max = distinct and min = 1."""
    ctx = multiprocessing.get_context("spawn")
    database, migrate = _database()
    ids = _run(ctx, worker.prepare, database, migrate)

    holding = ctx.Event()
    victim = ctx.Process(target=worker.allocate_and_hang,
                         args=(database, ids["clerk"], holding))
    victim.start()
    assert holding.wait(120), "the writer to be killed never got its number"
    results_queue = ctx.Queue()
    writers = [ctx.Process(target=worker.allocate,
                           args=(database, ids["clerk"], PER_WRITER, seed, results_queue))
               for seed in range(WRITERS)]
    for process in writers:
        process.start()
    assert victim.pid is not None
    os.kill(victim.pid, signal.SIGKILL)  # dies inside its transaction, holding the lock
    victim.join(30)
    results = [json.loads(_next_result(results_queue, writers)) for _ in writers]
    for process in writers:
        process.join(60)
        assert process.exitcode == 0

    committed: dict[str, list[int]] = {}
    for result in results:
        for series, number in result["committed"]:
            committed.setdefault(series, []).append(number)
    rolled_back = sum(r["rolled_back"] for r in results)
    assert rolled_back > 0
    assert sum(len(v) for v in committed.values()) + rolled_back == WRITERS * PER_WRITER
    assert len(committed) == 2  # administrative and legal normative QĐ
    stored = json.loads(_run(ctx, worker.stats, database))
    for series, numbers in committed.items():
        count, distinct, low, high = stored[series]
        assert count == distinct == high == len(numbers), series
        assert low == 1
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
