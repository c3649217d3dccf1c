"""API list benchmark (issue 15, R14.3): ``GET /api/v1/documents/`` at the documented maximum
page size with 1,000,000 outgoing documents of one agency in the database.

Each request goes through the whole stack (token authentication, per-token throttle, the
paging and filter checks, the selector, the JSON rendering) with Django's test client. Pages
timed: the first page (``limit`` = the maximum), the first page narrowed by a common state
(10 % of the rows) and by a state no row has (the index must answer, not a scan), and the page
whose cursor is 500,000 rows in. Baseline, in the same run: a plain
``SELECT … ORDER BY id DESC LIMIT`` of the same size. Target: p95 ≤ 150 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from bench import Result
from bench import percentile as _p
from bench import timings as _times

DOCUMENTS = 1_000_000
ROUNDS = 100
BATCH = 20_000


def _fill(count: int) -> tuple[Any, float]:
    """One agency, its clerk, and ``count`` documents (every tenth registered)."""
    from django.db import connection

    from vanban.accounts.models import RoleGrant, User
    from vanban.core import clock
    from vanban.core.roles import Role
    from vanban.directory.models import Agency
    from vanban.registry.models import Document, DocumentState

    started = time.perf_counter()
    now = clock.now()
    agency = Agency.objects.create(code="000.00.01.H99", name="Sở Nội vụ", short_name="SNV",
                                   created_at=now, updated_at=now)
    clerk = User.objects.create(username="vt.bench", full_name="Văn thư", agency=agency,
                                password_changed_at=now)
    RoleGrant.objects.create(user=clerk, role=Role.CLERK, granted_at=now)
    for first in range(0, count, BATCH):
        Document.objects.bulk_create([
            Document(agency=agency, type_code="cong_van", subject=f"Công văn thử số {n}",
                     state=DocumentState.REGISTERED if n % 10 == 0 else DocumentState.DRAFT,
                     created_at=now, updated_at=now)
            for n in range(first, min(first + BATCH, count))])
    with connection.cursor() as cursor:  # what autovacuum does after a bulk load
        cursor.execute("ANALYZE registry_document")
    return clerk, time.perf_counter() - started




def run(args: argparse.Namespace) -> list[Result]:
    """Fill, then time the API pages and the plain SELECT."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from vanban.accounts.services.tokens import api_token_create

    count = getattr(args, "api_documents", None) or DOCUMENTS
    clerk, fill_s = _fill(count)
    token = api_token_create(user=clerk, ip="127.0.0.1").clear
    size = int(settings.VANBAN_API_MAX_PAGE_SIZE)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    settings.VANBAN_API_TOKEN_RATE = ""  # the benchmark is not an integration to throttle
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    def page(query: str) -> Callable[[], Any]:
        def get() -> Any:
            response = client.get(f"/api/v1/documents/?limit={size}{query}")
            if response.status_code != 200:
                raise RuntimeError(response.content[:200])
            return response
        return get

    from base64 import b64encode

    from vanban.registry.models import Document

    middle = Document.objects.order_by("-id").values_list("id", flat=True)[count // 2]
    cursor = b64encode(f"p={middle}".encode()).decode()
    first = _times(page(""), ROUNDS)
    state = _times(page("&state=registered"), ROUNDS)
    rare = _times(page("&state=sent"), ROUNDS)
    deep = _times(page(f"&cursor={cursor}"), ROUNDS)

    def select() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, subject FROM registry_document ORDER BY id DESC LIMIT %s",
                           [size])
            return cursor.fetchall()

    plain = _times(select, ROUNDS)
    print(f"api lists bench: filled {count:,} documents in {fill_s:.0f} s; p50/p95 ms: "
          f"first {_p(first, 50):.1f}/{_p(first, 95):.1f}, state {_p(state, 50):.1f}/"
          f"{_p(state, 95):.1f}, no row's state {_p(rare, 50):.1f}/{_p(rare, 95):.1f}, "
          f"cursor half-way {_p(deep, 50):.1f}/{_p(deep, 95):.1f}, "
          f"SELECT LIMIT {size} {_p(plain, 50):.2f}/{_p(plain, 95):.2f}")
    base = _p(plain, 95)
    return [
        Result(f"API documents list p95, {count:,} documents, limit {size} (first page; p50 "
               f"{_p(first, 50):.0f} ms)", _p(first, 95), "ms", f"SELECT LIMIT {size} p95",
               base, "p95 ≤ 150 ms"),
        Result(f"API documents list p95, ?state=registered (p50 {_p(state, 50):.0f} ms)",
               _p(state, 95), "ms", f"SELECT LIMIT {size} p95", base, "p95 ≤ 150 ms"),
        Result(f"API documents list p95, ?state=sent, no such row (p50 {_p(rare, 50):.0f} ms)",
               _p(rare, 95), "ms", f"SELECT LIMIT {size} p95", base, "p95 ≤ 150 ms"),
        Result(f"API documents list p95, cursor {count // 2:,} rows in (p50 "
               f"{_p(deep, 50):.0f} ms)", _p(deep, 95), "ms", f"SELECT LIMIT {size} p95", base,
               "p95 ≤ 150 ms"),
    ]
