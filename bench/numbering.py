"""Number allocation benchmark (Decree 30 Art. 15; issue 3 "done means").

8 writer processes register documents of one agency concurrently through the real service
(``document_register``: row lock on the document, locked counter row, audit event, one durable
commit each), called as a view calls it (its own transaction); about one registration in ten
runs inside a caller's transaction that is then rolled back on purpose, and one more writer is
killed (SIGKILL) while it holds the counter lock. Afterwards, per register: count = max =
distinct and min = 1 (no gap, no duplicate). Baseline, same run: 8 processes doing plain INSERTs
of the same rows into a copy of the document table, one transaction each.

``python -m bench.numbering [--database sqlite|postgres] [--numbers N]`` runs it alone; the
runner calls :func:`run`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import signal
import statistics
import time
from typing import Any

from bench import Result

WRITERS = int(os.environ.get("BENCH_NUMBERING_WRITERS", "8"))
ROLLBACK_RATE = 0.1


class _Rollback(Exception):
    """Raised inside a registration to roll it back on purpose."""


def _child_setup() -> None:
    import django

    django.setup()


def _writer(work: tuple[list[int], int, int], ready: Any, start: Any, out: Any) -> None:
    """Register ``ids`` one transaction each (some rolled back); report the committed count."""
    ids, clerk_id, seed = work
    _child_setup()
    from django.db import connection, transaction

    from vanban.accounts.models import User
    from vanban.registry.models import Document
    from vanban.registry.services import document_register

    clerk = User.objects.get(pk=clerk_id)
    clerk.role_set()
    documents = list(Document.objects.select_related("agency").filter(pk__in=ids))
    connection.ensure_connection()
    rng = random.Random(seed)
    ready.release()
    start.wait()
    committed: list[int] = []
    for document in documents:
        if rng.random() >= ROLLBACK_RATE:
            # As a view or the API calls it: the service's own transaction.
            document_register(actor=clerk, document=document)
            committed.append(document.pk)
            continue
        try:  # inside a caller's transaction that then fails: the number must come back
            with transaction.atomic():
                document_register(actor=clerk, document=document)
                raise _Rollback
        except _Rollback:
            pass
    out.put(committed)


def _victim(document_id: int, clerk_id: int, holding: Any) -> None:
    """Register inside a transaction, then hang holding the counter lock until killed."""
    _child_setup()
    from django.db import transaction

    from vanban.accounts.models import User
    from vanban.registry.models import Document
    from vanban.registry.services import document_register

    clerk = User.objects.get(pk=clerk_id)
    with transaction.atomic():
        document_register(actor=clerk, document=Document.objects.get(pk=document_id))
        holding.set()
        time.sleep(3600)


def _plain(ids: list[int], ready: Any, start: Any, out: Any) -> None:
    """Baseline: INSERT the same rows into the plain copy, one transaction each."""
    _child_setup()
    from django.db import connection, transaction

    connection.ensure_connection()
    ready.release()
    start.wait()
    with connection.cursor() as cursor:
        for pk in ids:
            with transaction.atomic():
                cursor.execute("INSERT INTO bench_plain_document SELECT * FROM registry_document "
                               "WHERE id = %s", [pk])
    out.put(len(ids))


def _prepare(n: int) -> tuple[int, list[int]]:
    """An agency, its clerk and ``n + 1`` drafts (the last one for the killed writer)."""
    from vanban.accounts.models import RoleGrant, User
    from vanban.core import clock
    from vanban.core.roles import Role
    from vanban.directory.models import Agency
    from vanban.registry.models import Document

    now = clock.now()
    agency = Agency.objects.create(code="000.00.31.H06", name="UBND huyện Yên Dũng",
                                   short_name="UBND", created_at=now, updated_at=now)
    clerk = User.objects.create(username="vt.bench", agency=agency, password_changed_at=now)
    RoleGrant.objects.create(user=clerk, role=Role.CLERK, granted_at=now)
    Document.objects.bulk_create(
        Document(agency=agency, type_code="quyet_dinh", subject=f"Quyết định số {i}",
                 created_at=now, updated_at=now) for i in range(n + 1))
    ids = list(Document.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
    return clerk.pk, ids


def _parallel(ctx: Any, target: Any, slices: list[tuple[Any, ...]]) -> tuple[list[Any], float]:
    """Start one process per slice, release them together, time until all report."""
    ready, start, out = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    processes = [ctx.Process(target=target, args=(*args, ready, start, out)) for args in slices]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    began = time.perf_counter()
    start.set()
    results = [out.get() for _ in processes]
    elapsed = time.perf_counter() - began
    for process in processes:
        process.join()
    return results, elapsed


def _check() -> tuple[int, int, int, int]:
    """count, distinct, min, max of the registered numbers (one register here)."""
    from django.db.models import Count, Max, Min

    from vanban.registry.models import Document

    row = Document.objects.exclude(code_number=None).aggregate(
        count=Count("id"), distinct=Count("code_number", distinct=True),
        low=Min("code_number"), high=Max("code_number"))
    return row["count"], row["distinct"], row["low"], row["high"]


def _plain_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain_document")
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TABLE bench_plain_document (LIKE registry_document "
                           "INCLUDING ALL)")
        else:
            cursor.execute("CREATE TABLE bench_plain_document AS SELECT * FROM registry_document "
                           "WHERE 0")
            cursor.execute("CREATE UNIQUE INDEX bench_plain_number ON bench_plain_document "
                           "(register_id, code_number)")


def _commit_latency(n: int = 300) -> float:
    """p50 seconds of one durable one-row INSERT + COMMIT on one connection: a serialised
    registration cannot be shorter (its locks are held through its own commit flush)."""
    from django.db import connection, transaction

    samples = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (v integer)")
        for i in range(n):
            began = time.perf_counter()
            with transaction.atomic():
                cursor.execute("INSERT INTO bench_commit_probe (v) VALUES (%s)", [i])
            samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def run(args: argparse.Namespace) -> list[Result]:
    """Register ``--numbers`` documents with 8 writers (rollbacks, one killed), then the
    baseline; raise if any gap or duplicate is found."""
    from django.db import connections

    n = int(getattr(args, "numbers", 3000))
    commit_before = _commit_latency()
    print(f"numbering: {n:,} registrations by {WRITERS} writers, and as many plain inserts…")
    clerk_id, ids = _prepare(n)
    victim_id, ids = ids[-1], ids[:-1]
    connections.close_all()  # children must not inherit the parent's connection
    ctx = multiprocessing.get_context("spawn")
    holding = ctx.Event()
    victim = ctx.Process(target=_victim, args=(victim_id, clerk_id, holding))
    victim.start()
    if not holding.wait(120):
        raise RuntimeError("the writer to be killed never got its number")
    slices = [(ids[i::WRITERS], clerk_id, i) for i in range(WRITERS)]
    ready, start, out = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    writers = [ctx.Process(target=_writer, args=(s, ready, start, out)) for s in slices]
    for process in writers:
        process.start()
    for _ in writers:
        ready.acquire()
    began = time.perf_counter()
    start.set()
    os.kill(victim.pid or 0, signal.SIGKILL)
    committed = [pk for _ in writers for pk in out.get()]
    elapsed = time.perf_counter() - began
    for process in writers:
        process.join()
    victim.join()
    count, distinct, low, high = _check()
    if not (count == distinct == high == len(committed) and low == 1):
        raise RuntimeError(f"numbering broken: count={count} distinct={distinct} "
                           f"min={low} max={high} committed={len(committed)}")
    print(f"numbering: {count:,} numbers, {n - count:,} rolled back, 1 writer killed; "
          f"count = max = distinct = {count}, min = 1")
    commit = statistics.median([commit_before, _commit_latency()])
    print(f"numbering: durable commit p50 on one connection {commit * 1000:.2f} ms "
          f"(before and after the run): ceiling for serialised registrations "
          f"{1 / commit:,.0f}/s; allocation reached {count / elapsed / (1 / commit):.0%} of it")
    _plain_table()
    connections.close_all()
    _, plain_elapsed = _parallel(ctx, _plain, [(committed[i::WRITERS],) for i in range(WRITERS)])
    return [Result(f"number allocation, {WRITERS} writers, rollbacks + 1 killed "
                   f"({count:,} numbers, no gap, no duplicate)", count / elapsed, "numbers/s",
                   f"plain INSERT of the same rows, {WRITERS} writers", count / plain_elapsed,
                   "≥ 500 numbers/s per register (PostgreSQL)"),
            Result("durable commit, one connection (one-row INSERT), p50", 1 / commit,
                   "commits/s", "", None, "ceiling of a serialised registration")]


def main() -> None:
    """Run this benchmark alone, with the runner's set-up."""
    from bench import __main__ as runner
    from bench import markdown

    parser = argparse.ArgumentParser(prog="python -m bench.numbering")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--numbers", type=int, default=3000)
    args = parser.parse_args()
    runner._setup(args)
    results = run(args)
    from bench.audit_log import describe_database

    print(f"\nDatabase: {describe_database()} · {os.cpu_count()} CPU\n")
    print(markdown(results))


if __name__ == "__main__":
    main()
