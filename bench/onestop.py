"""One-stop benchmarks (issue 12): the citizen portal's tracking page at 1,000,000 dossiers and the
statistics of a province-year (500,000 dossiers).

* **Tracking**: ``POST /dich-vu-cong/tra-cuu/`` with a dossier's code and secret, through the
  whole stack (CSRF-exempt test client, the tries limit, the constant-time secret check, the
  public view, the template), for random dossiers among 1,000,000; and a wrong pair (the same
  work, the one refusal). Baseline, same run: the home page of a signed-in one-stop officer.
  Target: p95 ≤ 100 ms.
* **Statistics**: the figures of 2026 (500,000 dossiers accepted in the year, another 500,000
  in 2025 carried over or not) by procedure and by agency, counted in SQL
  (``onestop.statistics.figures``), with the average rating (one returned dossier in ten is
  rated). Baseline, same run: a plain ``GROUP BY desk_id`` count of
  the same table. Target: ≤ 2 s on PostgreSQL.

Dossiers are loaded with COPY on PostgreSQL (``bulk_create`` on SQLite). ``--dossiers N``
changes the size (the year of the statistics holds half of them).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bench import Result
from bench import percentile as _p
from bench import timings as _times

DOSSIERS = 1_000_000
ROUNDS = 200
STATS_ROUNDS = 5
DESKS = 12
PROCEDURES_PER_DESK = 8
SECRETS = 1000  # distinct secrets (hashing a million salted secrets would time the filler)
BATCH = 20_000
COLUMNS = ("code", "desk_id", "procedure_id", "channel", "classification", "applicant_name",
           "applicant_id_number", "applicant_address", "applicant_phone", "applicant_email",
           "subject", "state", "received_at", "accepted_at", "clock_start", "due_at",
           "original_due_at", "finished_at", "returned_at", "secret_hash", "extended",
           "intake_supplement_count", "supplement_count", "refusal_reason", "result_note",
           "updated_at", "clock_rules")


def _secret(n: int) -> str:
    return f"S{n % SECRETS:07d}"


def _world() -> tuple[Any, list[Any]]:
    """Desks with procedures, and one officer of the first desk."""
    from vanban.accounts.models import RoleGrant, User
    from vanban.core import clock
    from vanban.core.roles import Role
    from vanban.directory.models import Agency
    from vanban.onestop.models import OnlineLevel, Procedure, RequiredDocument

    now = clock.now()
    procedures = []
    desks = [Agency.objects.create(code=f"000.00.{n:02d}.H10", name=f"UBND huyện thử {n}",
                                   short_name="UBND", created_at=now, updated_at=now)
             for n in range(1, DESKS + 1)]
    for desk in desks:
        for p in range(PROCEDURES_PER_DESK):
            procedure = Procedure.objects.create(
                agency=desk, code=f"1.00{p}", name=f"Thủ tục thử {p}", sector="Hộ tịch",
                limit_value=Decimal(5), online_level=OnlineLevel.FULL)
            RequiredDocument.objects.create(procedure=procedure, name="Tờ khai")
            procedures.append(procedure)
    officer = User.objects.create(username="mc.bench", full_name="Cán bộ một cửa",
                                  agency=desks[0], password_changed_at=now)
    RoleGrant.objects.create(user=officer, role=Role.ONESTOP, granted_at=now)
    return officer, procedures


def _rows(count: int, procedures: list[Any]) -> Iterator[tuple[Any, ...]]:
    """Dossier rows: half accepted in 2025, half in 2026; most returned, some still open."""
    from vanban.onestop.core.codes import hash_secret
    from vanban.onestop.core.ontime import VN_TZ

    rng = random.Random(12)
    hashes = [hash_secret(_secret(n), salt=f"{n:016d}") for n in range(SECRETS)]
    start = datetime(2025, 1, 1, 8, tzinfo=VN_TZ)
    span = int(timedelta(days=730).total_seconds())
    states = ["returned"] * 14 + ["processing", "supplement_requested", "result_ready",
                                  "refused_after_appraisal", "stopped", "accepted"]
    for n in range(count):
        procedure = procedures[n % len(procedures)]
        accepted = start + timedelta(seconds=(n * span) // count)
        state = states[rng.randrange(len(states))]
        due = accepted + timedelta(days=7)
        finished = (accepted + timedelta(hours=rng.randrange(4, 300))
                    if state not in ("processing", "supplement_requested", "accepted") else None)
        extended = rng.random() < 0.03
        yield (f"{procedure.agency.code}-{accepted:%y%m%d}-{n:07d}", procedure.agency_id,
               procedure.pk, "online" if n % 3 == 0 else "counter", "thuong",
               f"Nguyễn Văn {n}", "", "", "", "", "", state, accepted, accepted, accepted,
               due + timedelta(days=5) if extended else due, due if extended else None,
               finished, finished if state == "returned" else None, hashes[n % SECRETS],
               extended, 0, rng.choice((0, 0, 0, 1, 2)) if state != "accepted" else 0, "", "",
               accepted, "{}")  # the clock rules: JSON text for COPY


def _fill(count: int, procedures: list[Any]) -> float:
    from django.db import connection

    from vanban.onestop.models import Dossier

    started = time.perf_counter()
    rows = _rows(count, procedures)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY onestop_dossier ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        batch: list[Dossier] = []
        for row in rows:
            batch.append(Dossier(**{**dict(zip(COLUMNS, row, strict=True)),
                                    "clock_rules": {}}))
            if len(batch) >= BATCH:
                Dossier.objects.bulk_create(batch)
                batch = []
        Dossier.objects.bulk_create(batch)
    with connection.cursor() as cursor:  # a rating for one returned dossier in ten
        cursor.execute("INSERT INTO onestop_servicerating (dossier_id, score, comment, created_at)"
                       " SELECT id, 1 + id % 5, '', returned_at FROM onestop_dossier"
                       " WHERE state = 'returned' AND id % 10 = 0")
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk insert (PostgreSQL 13+): the statistics
            # and the visibility map, without which no index-only scan is possible.
            cursor.execute("VACUUM ANALYZE onestop_dossier")
            cursor.execute("VACUUM ANALYZE onestop_servicerating")
    return time.perf_counter() - started




def _same_counts(officer: Any) -> None:
    """The home page's queue counts equal the naive count of each queue's list (once, timed
    for the record: the naive way is what the home page did before)."""
    from vanban.onestop import queues

    started = time.perf_counter()
    fast = queues.counts(officer)
    fast_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    rows = queues.visible(officer)
    naive = {q.key: queues.in_queue(rows, q.key, officer)[:queues.COUNT_CAP].count()
             for q in queues.QUEUES}
    naive_ms = (time.perf_counter() - started) * 1000
    if fast != naive:
        raise RuntimeError(f"queue counts differ: {fast} != {naive}")
    print(f"onestop queue counts: {fast}; {fast_ms:.0f} ms (one query per queue: "
          f"{naive_ms:.0f} ms)")


def _tracking(count: int, officer: Any) -> list[Result]:
    from django.conf import settings
    from django.test import Client

    from vanban.onestop.models import Dossier

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.VANBAN_PORTAL_TRACK_TRIES = 10**9  # the wrong pairs below would lock the bench
    codes = dict(Dossier.objects.filter(id__in=random.Random(3).sample(
        range(1, count + 1), ROUNDS + 1)).values_list("id", "code"))
    picks = list(codes.items())
    portal = Client()
    turn = iter(range(10**9))

    def track(wrong: bool = False) -> Callable[[], Any]:
        def post() -> Any:
            pk, code = picks[next(turn) % len(picks)]
            first = pk - 1  # rows were numbered from 0 in the order of their ids
            secret = "WRONG123" if wrong else _secret(first)
            response = portal.post("/dich-vu-cong/tra-cuu/", {"code": code, "secret": secret},
                                   REMOTE_ADDR="10.9.9.9")
            expected = "Mã hồ sơ hoặc mã bí mật không đúng" if wrong else 'data-testid="state"'
            if response.status_code != 200 or expected not in response.content.decode():
                raise RuntimeError(response.content[:300])
            return response
        return post

    staff = Client()
    staff.force_login(officer)

    def home() -> Any:
        response = staff.get("/")
        if response.status_code != 200:
            raise RuntimeError(response.status_code)
        return response

    _same_counts(officer)
    right = _times(track(), ROUNDS)
    wrong = _times(track(wrong=True), ROUNDS)
    base = _times(home, ROUNDS)
    public = _times(lambda: portal.get("/dich-vu-cong/"), ROUNDS)
    print(f"onestop tracking bench: {count:,} dossiers; p50/p95 ms: right pair "
          f"{_p(right, 50):.1f}/{_p(right, 95):.1f}, wrong pair {_p(wrong, 50):.1f}/"
          f"{_p(wrong, 95):.1f}, officer's home {_p(base, 50):.1f}/{_p(base, 95):.1f}, "
          f"portal home {_p(public, 50):.1f}/{_p(public, 95):.1f}")
    return [
        Result(f"Portal tracking p95, {count:,} dossiers, right pair (p50 "
               f"{_p(right, 50):.0f} ms)", _p(right, 95), "ms", "officer's home page p95",
               _p(base, 95), "p95 ≤ 100 ms"),
        Result(f"Portal tracking p95, wrong pair (p50 {_p(wrong, 50):.0f} ms)", _p(wrong, 95),
               "ms", "officer's home page p95", _p(base, 95), "p95 ≤ 100 ms"),
    ]


def _statistics(count: int) -> list[Result]:
    from django.db import connection

    from vanban.core import clock
    from vanban.onestop.core.ontime import VN_TZ, Period
    from vanban.onestop.models import Dossier, ServiceRating
    from vanban.onestop.statistics.figures import GroupBy, figures

    year = Period(Period.half_year(2026, 1).start, Period.half_year(2026, 2).end)
    now = datetime(2027, 1, 15, tzinfo=VN_TZ)
    in_year = Dossier.objects.filter(accepted_at__gte=year.start,
                                     accepted_at__lt=year.end).count()
    rated = ServiceRating.objects.filter(dossier__returned_at__gte=year.start,
                                         dossier__returned_at__lt=year.end).count()

    def by(group: GroupBy) -> Callable[[], Any]:
        def run() -> Any:
            with clock.frozen(now):
                rows = figures(Dossier.objects.all(), year, group_by=group)
            if sum(r.tally.new for r in rows) != in_year:
                raise RuntimeError("the figures lost dossiers")
            if sum(r.rated.count for r in rows) != rated:
                raise RuntimeError("the figures lost ratings")
            return rows
        return run

    def plain() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT desk_id, count(*) FROM onestop_dossier GROUP BY desk_id")
            return cursor.fetchall()

    procedure = _times(by(GroupBy.PROCEDURE), STATS_ROUNDS)
    agency = _times(by(GroupBy.AGENCY), STATS_ROUNDS)
    base = _times(plain, STATS_ROUNDS)
    print(f"onestop statistics bench: {in_year:,} dossiers accepted in 2026 of {count:,}; "
          f"median ms: by procedure {statistics.median(procedure):.0f}, by agency "
          f"{statistics.median(agency):.0f}, plain GROUP BY {statistics.median(base):.0f}")
    return [
        Result(f"One-stop statistics of a year ({in_year:,} dossiers of {count:,}), by "
               "procedure, median", statistics.median(procedure), "ms", "plain GROUP BY count",
               statistics.median(base), "≤ 2,000 ms"),
        Result("One-stop statistics of a year, by agency, median", statistics.median(agency),
               "ms", "plain GROUP BY count", statistics.median(base), "≤ 2,000 ms"),
    ]


def run(args: argparse.Namespace) -> list[Result]:
    """Fill, then time the tracking page and the statistics."""
    count = getattr(args, "dossiers", None) or DOSSIERS
    officer, procedures = _world()
    fill_s = _fill(count, procedures)
    print(f"onestop bench: filled {count:,} dossiers in {fill_s:.0f} s")
    return [*_tracking(count, officer), *_statistics(count)]
