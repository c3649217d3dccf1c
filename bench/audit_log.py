"""Audit log benchmarks (R14.3): durable appends/s and verified events/s, each with a baseline.

* appends: ``audit_append`` with each event its own committed transaction, against plain INSERTs
  of the same rows, each in its own transaction, into a copy of the table (same indexes, no
  triggers), in the same run and on the same durability settings.
* verify: a chain of N events (default 1,000,000) is generated in Python and bulk-loaded
  (executemany on SQLite, COPY on PostgreSQL) with a seal every 1,000 events; then
  ``verify_database`` checks it end to end. Baseline: plain SHA-256 over the same bytes. The
  in-memory verifier (no database) is reported too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction

from bench import Result
from vanban.audit import chain, checkpoints, keys, schedule
from vanban.audit.models import AuditEvent, AuditSeal
from vanban.audit.services import audit_append
from vanban.audit.verify import ChainVerifier, Row, verify_database

CHUNK = 50_000
SEAL_EVERY = 1_000
COLUMNS = ("seq, at, actor_id, actor_username, agency_code, action, object_type, object_id, "
           "before_digest, after_digest, data, prev_hash, hash")
ACTIONS = ("document.register", "document.send", "document.open", "opinion.add", "user.login")


def describe_database() -> str:
    """Engine and durability settings, as the benchmark ran with them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            return f"PostgreSQL {version}, synchronous_commit={cursor.fetchone()[0]}"
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[cursor.fetchone()[0]]
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}, journal_mode={mode}, synchronous={sync}"


# --- generated chain ---------------------------------------------------------------------------

def _generate(n: int) -> Iterator[tuple[list[Row], list[tuple[Any, ...]]]]:
    """The chain in chunks: rows as the verifier reads them (their payload is exactly the bytes
    the hash covers) and the same events as table rows for loading."""
    prev = chain.GENESIS_HASH
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    digests = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(97)]
    sqlite = connection.vendor == "sqlite"
    for first in range(1, n + 1, CHUNK):
        rows: list[Row] = []
        table: list[tuple[Any, ...]] = []
        for seq in range(first, min(first + CHUNK, n + 1)):
            at = chain.iso_utc(start + timedelta(microseconds=seq * 1_537))
            actor = seq % 500 + 1
            data = json.dumps({"so_ky_hieu": f"{seq}/UBND-VP", "trich_yeu": "Về việc triển khai "
                               "văn bản điện tử", "ip": f"10.0.{seq % 250}.{seq % 200}"},
                              sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            fields = (f"canbo{actor}", f"000.00.{seq % 40:02d}.H06", ACTIONS[seq % 5],
                      "document", str(seq // 3), digests[seq % 97], digests[(seq + 1) % 97],
                      data)
            payload = chain.event_bytes((prev, str(seq), at, str(actor), *fields))
            digest = hashlib.sha256(payload).hexdigest()
            rows.append((seq, seq, prev, digest, payload))
            # SQLite keeps Django's naive UTC text; PostgreSQL parses the ISO string.
            stored_at = f"{at[:10]} {at[11:26]}" if sqlite else at
            table.append((seq, stored_at, actor, *fields, prev, digest))
            prev = digest
        yield rows, table


def _load(table: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY audit_auditevent ({COLUMNS}) FROM STDIN") as copy:
                for values in table:
                    copy.write_row(values)
        else:  # the driver's own executemany: no per-row placeholder rewriting
            marks = ", ".join(["?"] * 13)
            cursor.cursor.executemany(
                f"INSERT INTO audit_auditevent ({COLUMNS}) VALUES ({marks})",  # noqa: S608 - constants
                table)


def _seals(rows: list[Row], start: datetime) -> list[AuditSeal]:
    """A seal every SEAL_EVERY events, signed at the time of the event it seals (so the seal
    schedule, count and time, holds for the generated chain)."""
    key_id = keys.key_id()
    seals = []
    for r in rows:
        if r[1] % SEAL_EVERY == 0:
            at = start + timedelta(microseconds=r[1] * 1_537)
            message = chain.seal_message(seq=r[1], head_hash=r[3], at_iso=chain.iso_utc(at))
            seals.append(AuditSeal(seq=r[1], hash=r[3], at=at, key_id=key_id,
                                   signature=keys.sign(message)))
    return seals


def bench_verify(n: int) -> list[Result]:
    """Load n events, then time the verifier from the database, in memory, and bare SHA-256."""
    core = ChainVerifier(seals=[], public_keys={})
    t_core = t_sha = t_load = 0.0
    seal_at = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # the generator's start
    last: Row | None = None
    for rows, table in _generate(n):
        blobs = [row[4] for row in rows]
        t0 = time.perf_counter()
        if not core.feed(rows):
            raise RuntimeError(f"generated chain does not verify: {core.failure}")
        t1 = time.perf_counter()
        for blob in blobs:
            hashlib.sha256(blob).hexdigest()
        t2 = time.perf_counter()
        with transaction.atomic():
            _load(table)
            AuditSeal.objects.bulk_create(_seals(rows, seal_at))
        t3 = time.perf_counter()
        t_core, t_sha, t_load = t_core + t1 - t0, t_sha + t2 - t1, t_load + t3 - t2
        last = rows[-1]
    if last is None:
        raise RuntimeError("no events generated")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1",
                       (last[1], last[3]))
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE audit_auditevent")
        else:
            cursor.execute("ANALYZE")
    print(f"  loaded {n:,} events in {t_load:.1f} s ({n / t_load:,.0f}/s)")
    t0 = time.perf_counter()
    result = verify_database(public_keys={keys.key_id(): keys.public_key()})
    t_db = time.perf_counter() - t0
    if not result.ok or result.count != n:
        raise RuntimeError(f"verification of the loaded chain failed: {result}")
    print(f"  verified {n:,} events and {result.seals:,} seals in {t_db:.2f} s")
    sha_rate = n / t_sha
    return [
        Result(f"verify from the database ({n:,} events, {result.seals:,} seals)", n / t_db,
               "events/s", "plain SHA-256 over the same bytes", sha_rate, "≥ 100,000 events/s"),
        *_checkpointed(n, n / t_db),
        Result("verify in memory (chain logic only, no database)", n / t_core, "events/s",
               "plain SHA-256 over the same bytes", sha_rate),
        Result("bulk load of the generated chain", n / t_load, "events/s"),
    ]


# --- appends -----------------------------------------------------------------------------------

def _plain_table() -> None:
    """A copy of the event table (columns and indexes) without triggers, for the baseline."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TABLE IF EXISTS bench_plain_event")
            cursor.execute("CREATE TABLE bench_plain_event (LIKE audit_auditevent INCLUDING ALL)")
            return
        cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = "
                       "'audit_auditevent' AND type IN ('table', 'index') AND sql IS NOT NULL")
        ddl = cursor.fetchall()
        cursor.execute("DROP TABLE IF EXISTS bench_plain_event")
        for kind, name, original in sorted(ddl, key=lambda d: d[0] != "table"):
            sql = original.replace('"audit_auditevent"', '"bench_plain_event"')
            if kind == "index":
                sql = sql.replace(f'"{name}"', f'"bench_{name}"')
            cursor.execute(sql)


def _checkpointed(n: int, plain_rate: float) -> list[Result]:
    """The same chain verified with the checkpoint machinery on: the seal schedule checked, a
    checkpoint exported (seal, Merkle root over every chain hash, signature) and the log proven
    against it (``vanban audit verify --checkpoint``), beside the plain verification."""
    t0 = time.perf_counter()
    point, _ = checkpoints.checkpoint_make()
    t_export = time.perf_counter() - t0
    public = {keys.key_id(): keys.public_key()}
    sched = schedule.Schedule(every=SEAL_EVERY, seconds=600)
    t0 = time.perf_counter()
    result = checkpoints.verify_with_checkpoint(point, public_keys=public, sched=sched)
    t_check = time.perf_counter() - t0
    if not result.ok:
        raise RuntimeError(f"verification against the checkpoint failed: {result.failure}")
    print(f"  checkpoint of {point.size:,} events exported in {t_export:.2f} s, verified "
          f"against it in {t_check:.2f} s")
    return [
        Result(f"verify --checkpoint (schedule, seals, chain, Merkle root; {n:,} events)",
               n / t_check, "events/s", "verify without checkpoint (same run)", plain_rate,
               "informative (issue 9)"),
        Result(f"checkpoint export ({n:,} events: seal, Merkle root, signature)",
               n / t_export, "events/s", target="informative (issue 9)"),
    ]


def bench_appends_both(n: int) -> list[Result]:
    """The appends with the checkpoint machinery off (the previous figure) and on (a time seal
    every second), in the same run."""
    from django.test import override_settings

    with override_settings(VANBAN_AUDIT_SEAL_SECONDS=0):
        off = bench_appends(n, label="checkpoint machinery off (as before)")
    schedule._state["next_due"] = 0.0
    seals_before = AuditSeal.objects.count()
    with override_settings(VANBAN_AUDIT_SEAL_SECONDS=1.0):
        on = bench_appends(n, label="checkpoint machinery on: time seal every 1 s")
    print(f"  appends with the machinery on made {AuditSeal.objects.count() - seals_before} "
          "seals")
    ratio = Result("appends, machinery on vs off (same run)", on[0].value, "appends/s",
                   "machinery off", off[0].value, "informative (issue 9)")
    return [*off, *on, ratio]


def bench_appends(n: int, *, label: str = "") -> list[Result]:
    """n durable ``audit_append`` calls vs n plain INSERTs of the same rows."""
    first = AuditEvent.objects.count() + 1
    payloads = [{"so_ky_hieu": f"{i}/UBND-VP", "ip": f"10.0.0.{i % 250}"} for i in range(n)]
    t0 = time.perf_counter()
    for i, data in enumerate(payloads):
        audit_append(actor=None, action=ACTIONS[i % 5], object_type="document", object_id=i,
                     agency_code="000.00.01.H06", data=data)  # autocommit: one transaction each
    t_append = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM audit_auditevent WHERE seq >= %s "  # noqa: S608
                       "ORDER BY seq", (first,))
        rows = cursor.fetchall()
    _plain_table()
    marks = ", ".join(["%s"] * 13)
    sql = f"INSERT INTO bench_plain_event ({COLUMNS}) VALUES ({marks})"  # noqa: S608
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for row in rows:
            with transaction.atomic():
                cursor.execute(sql, row)
    t_plain = time.perf_counter() - t0
    return [Result(f"durable appends ({n:,}, one transaction each, seal every "
                   f"{_seal_every()}{'; ' + label if label else ''})", n / t_append, "appends/s",
                   "plain INSERT of the same rows, one transaction each", n / t_plain,
                   "≥ 1,000 appends/s (PostgreSQL)")]


def _seal_every() -> int:
    from django.conf import settings

    return int(settings.VANBAN_AUDIT_SEAL_EVERY)


def run(args: argparse.Namespace) -> list[Result]:
    """Run the audit benchmarks asked for (verify first: appends then extend that chain)."""
    results: list[Result] = []
    if args.only in (None, "verify"):
        print(f"verify: generating and loading {args.events:,} events…")
        results += bench_verify(args.events)
    if args.only in (None, "appends"):
        print(f"appends: {args.appends:,} durable appends and {args.appends:,} plain inserts…")
        results += bench_appends_both(args.appends)
    return results
