"""Evidence list benchmark (issue 15, R14.3, R1.1): an agency's ``GET /api/v1/evidence/deliveries/``
in a province log of 1,000,000 records, on PostgreSQL.

The log is bulk-loaded by SQL (``generate_series``, not ``evidence_append``: the list reads the
query columns only, so the records' canonical bytes are stand-ins and the log does not verify).
Deliveries of three records (sent, received, accepted): 60 % of them between one big agency (the
province's office) and one of 500 medium agencies, the rest between two medium agencies, and a
small agency (a commune) with 4 deliveries, 12 records, spread over the whole index range (it
sends two to the big agency and receives two from medium ones). Then ``VACUUM ANALYZE``.

Each agency's clerk reads, through Django's test client with an API token (authentication,
paging and filter checks, the selector, the JSON), its first page (``limit`` 50, the default) and
a filtered page: a 30-day date range in the middle of the log with the other party (the small and
medium agencies: the big agency; the big agency: a medium one). Baseline, in the same run: a
plain ``SELECT … WHERE index < X ORDER BY index DESC LIMIT 50`` on the same table. Target: p95 ≤
150 ms. The ``EXPLAIN ANALYZE`` of the small agency's list query is printed, beside that of the
single ``sender = X OR recipient = X`` query the list used before: in this log PostgreSQL ran
that one as a backward walk of the whole ``index`` (p95 964 ms on 2 CPU, 2026-12-06), which is
why the list reads two keyset branches over ``(sender, index)`` and ``(recipient, index)``.

The evidence tables are emptied before the load and after the timing (the append-only triggers
lifted and put back, as the test suite's flush does), so the benchmarks around it in a full run
see the log they made themselves.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bench import Result
from bench import percentile as _p
from bench import timings as _times

RECORDS = 1_000_000
MEDIUM = 500
ROUNDS = 60
SINGLE_ROUNDS = 12
PAGE = 50
TARGET = "p95 ≤ 150 ms"
BIG = "000.00.01.H50"
SMALL = "000.99.99.H51"
START = "2026-01-01 00:00:00+00"  # record i is at START + 30 s × i (about 347 days)
STEP_SECONDS = 30


def _medium(n: int) -> str:
    return f"000.{n // 100:02d}.{n % 100:02d}.H52"


def _small_deliveries(count: int) -> list[int]:
    """The small agency's 4 delivery numbers, spread over the log (1/8, 3/8, 5/8, 7/8)."""
    deliveries = count // 3
    return [deliveries * (2 * j + 1) // 8 for j in range(4)]


_LOAD = """
INSERT INTO evidence_evidencerecord (index, event, at, logged_at, sender, recipient,
    transmission_id, delivery_id, document_sha256, reason, extra, canonical, leaf_hash)
SELECT i, (ARRAY['sent', 'received', 'accepted'])[i %% 3 + 1],
       %(start)s::timestamptz + make_interval(secs => i * %(step)s),
       %(start)s::timestamptz + make_interval(secs => i * %(step)s),
       p.sender, p.recipient, 't' || (i / 3), 'd' || (i / 3), repeat('cd', 32), '', '{}',
       convert_to('{"index":' || i || '}', 'UTF8'),
       encode(sha256(convert_to('{"index":' || i || '}', 'UTF8')), 'hex')
FROM generate_series(0, %(count)s - 1) AS i,
LATERAL (SELECT i / 3 AS k) AS d,
LATERAL (SELECT
  CASE WHEN d.k IN (%(s1)s, %(s3)s) THEN %(small_code)s
       WHEN d.k IN (%(s2)s, %(s4)s) THEN (%(medium)s::text[])[d.k %% %(media)s + 1]
       WHEN d.k %% 5 < 2 THEN %(big)s
       ELSE (%(medium)s::text[])[d.k %% %(media)s + 1] END AS sender,
  CASE WHEN d.k IN (%(s1)s, %(s3)s) THEN %(big)s
       WHEN d.k IN (%(s2)s, %(s4)s) THEN %(small_code)s
       WHEN d.k %% 5 = 2 THEN %(big)s
       WHEN d.k %% 5 < 2 THEN (%(medium)s::text[])[d.k %% %(media)s + 1]
       ELSE (%(medium)s::text[])[(d.k + 1 + (d.k / %(media)s) %% (%(media)s - 1))
                                 %% %(media)s + 1]
  END AS recipient) AS p
"""


def _empty_log() -> None:
    """Empty the evidence tables, the append-only triggers lifted and put back."""
    from django.db import connection

    from vanban.evidence import tree, triggers

    triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM evidence_treehead")
            cursor.execute("DELETE FROM evidence_evidencerecord")
            cursor.execute("DELETE FROM evidence_evidencehead")
    finally:
        triggers.install(connection)
        tree.forget()


def fill(count: int) -> float:
    """Load ``count`` records by SQL and ANALYZE the table; the seconds it took."""
    from django.db import connection, transaction

    started = time.perf_counter()
    _empty_log()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_LOAD, {"start": START, "step": STEP_SECONDS, "count": count,
                               "small_code": SMALL,
                               **{f"s{j + 1}": k for j, k in enumerate(_small_deliveries(count))},
                               "big": BIG, "medium": [_medium(n) for n in range(MEDIUM)],
                               "media": MEDIUM})
        cursor.execute("INSERT INTO evidence_evidencehead (id, size) VALUES (1, %s)", [count])
    with connection.cursor() as cursor:
        # A settled log, as autovacuum leaves it: hint bits set, visibility map, statistics.
        cursor.execute("VACUUM ANALYZE evidence_evidencerecord")
    return time.perf_counter() - started


def _clerks() -> dict[str, Any]:
    """An agency row and an API-token client for the small, a medium and the big agency."""
    from django.test import Client

    from vanban.accounts.models import RoleGrant, User
    from vanban.accounts.services.tokens import api_token_create
    from vanban.core import clock
    from vanban.core.roles import Role
    from vanban.directory.models import Agency

    now = clock.now()
    clients = {}
    for key, code in (("small", SMALL), ("medium", _medium(7)), ("big", BIG)):
        agency, _ = Agency.objects.get_or_create(
            code=code, defaults={"name": f"Cơ quan {key}", "short_name": key.upper(),
                                 "created_at": now, "updated_at": now})
        user = User.objects.create(username=f"vt.evlist.{key}", full_name=key, agency=agency,
                                   password_changed_at=now)
        RoleGrant.objects.create(user=user, role=Role.CLERK, granted_at=now)
        clear = api_token_create(user=user, ip="127.0.0.1").clear
        clients[key] = Client(HTTP_AUTHORIZATION="Token " + clear)
    return clients


def _filtered_query(key: str, count: int) -> str:
    """A 30-day range in the middle of the log with the other party."""
    middle = date(2026, 1, 1) + timedelta(seconds=count // 2 * STEP_SECONDS)
    other = _medium(7) if key == "big" else BIG
    return (f"&date_from={middle.isoformat()}&date_to={(middle + timedelta(days=30)).isoformat()}"
            f"&agency={other}")


def _explain_small() -> str:
    """EXPLAIN ANALYZE of the small agency's first-page list query: the single ``sender = X OR
    recipient = X`` query ordered by ``index`` (the list before), and the two keyset branches
    the list reads (:class:`vanban.evidence.selectors.PartyStarts`)."""
    from django.db import connection

    from vanban.evidence import selectors

    single = selectors.delivery_starts(agency_code=SMALL).order_by("-index")[:PAGE + 1]
    branches = selectors.party_starts(agency_code=SMALL).merged(PAGE + 1)[:PAGE + 1]
    out = []
    for label, query in (("single OR query", single), ("two keyset branches (the list)",
                                                        branches)):
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            out.append(f"-- {label}:\n" + "\n".join(row[0] for row in cursor.fetchall()))
    return "\n".join(out)


def _single_query(base: float, baseline: str) -> Result:
    """Informative: the small agency's first page as the single ``OR`` query the list used
    before (SQL only, fewer rounds: each walks the log)."""
    from vanban.evidence import selectors

    def single() -> Any:
        return list(selectors.delivery_starts(agency_code=SMALL).order_by("-index")[:PAGE + 1])

    times = _times(single, SINGLE_ROUNDS)
    print(f"  small agency, single OR query (before), SQL only: p50 {_p(times, 50):.1f} ms, "
          f"p95 {_p(times, 95):.1f} ms")
    return Result(f"small agency, single OR query as before, SQL only, p95 (p50 "
                  f"{_p(times, 50):.0f} ms)", _p(times, 95), "ms", baseline, base,
                  "informative (why the list reads two branches)")


def run(args: argparse.Namespace) -> list[Result]:
    """Load, then time each agency's first and filtered pages beside the plain SELECT."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        print("evidence lists bench: PostgreSQL only (--database postgres), skipped")
        return []
    count = int(getattr(args, "evidence_records", None) or RECORDS)
    spent = fill(count)
    print(f"evidence lists bench: {count:,} records loaded and analysed in {spent:.0f} s")
    settings.VANBAN_API_TOKEN_RATE = ""  # the benchmark is not an integration to throttle
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    try:
        clients = _clerks()
        print("  EXPLAIN ANALYZE of the small agency's list query:")
        print("    " + _explain_small().replace("\n", "\n    "))
        gc.collect()
        gc.freeze()
        try:
            return _time(clients, count)
        finally:
            gc.unfreeze()
    finally:
        _empty_log()


def _time(clients: dict[str, Any], count: int) -> list[Result]:
    """Each agency's two pages beside the plain SELECT of a page of the log."""
    from django.db import connection

    def page(key: str, query: str) -> Callable[[], Any]:
        client = clients[key]

        def get() -> Any:
            response = client.get(f"/api/v1/evidence/deliveries/?limit={PAGE}{query}")
            if response.status_code != 200:
                raise RuntimeError(f"{key}{query}: {response.status_code} "
                                   f"{response.content[:300]!r}")
            return response
        return get

    def select() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT index, sender, recipient, transmission_id, delivery_id, at "
                           "FROM evidence_evidencerecord WHERE index < %s "
                           "ORDER BY index DESC LIMIT %s", [count // 2, PAGE])
            return cursor.fetchall()

    base = _p(_times(select, ROUNDS), 95)
    baseline = (f"plain SELECT … WHERE index < X ORDER BY index DESC LIMIT {PAGE} p95 "
                f"{base:.2f} ms")
    print(f"  baseline SELECT: p95 {base:.2f} ms")
    results: list[Result] = [_single_query(base, baseline)]
    for key in ("small", "medium", "big"):
        rows = len(page(key, "")().json()["results"])
        for label, query in (("first page", ""), ("30 days + other party",
                                                  _filtered_query(key, count))):
            times = _times(page(key, query), ROUNDS)
            print(f"  {key} agency ({rows} rows on page 1), {label}: p50 {_p(times, 50):.1f} "
                  f"ms, p95 {_p(times, 95):.1f} ms")
            results.append(Result(f"API evidence/deliveries/ p95, {key} agency, {label} (p50 "
                                  f"{_p(times, 50):.0f} ms)", _p(times, 95), "ms", baseline,
                                  base, TARGET))
    return results
