"""Search benchmark (issue 13): the one search page at 100,000 and then 1,000,000 outgoing
documents of one agency (and a tenth as many incoming register lines), on PostgreSQL.

Each page is fetched by the agency's signed-in clerk through Django's test client (the whole
stack: session, query parsing, the owners' visibility rules, the folded ``LIKE`` on the stored
``search_text`` with its trigram index, keyset paging, the template). Searches timed: one kind
with a common folded word ("ha noi": a fiftieth of the rows), two words of which one is rare (a
handful of rows), a word no row has (the index must answer, not a walk of the agency's rows), a
date range, and the page of every kind. Baseline, in the same run: a plain indexed
``SELECT id, subject … WHERE agency_id = … ORDER BY id DESC LIMIT 50``. Target: p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bench import Result, timings
from bench import percentile as _p

SIZES = (100_000, 1_000_000)
ROUNDS = 100
BATCH = 20_000
PLACES = ["Hà Nội", "Bắc Giang", "Đông Hưng", "Lục Nam", "Yên Thế", "Sơn Động", "Lạng Giang",
          "Tân Yên", "Hiệp Hòa", "Việt Yên"] + [f"xã Thử Nghiệm {n}" for n in range(40)]
TOPICS = ["báo cáo số liệu", "kế hoạch thanh tra", "dự toán ngân sách", "tuyển dụng công chức",
          "phòng chống thiên tai", "chuyển đổi số", "cải cách hành chính", "đầu tư công"]


def _subject(n: int) -> str:
    return f"Về việc {TOPICS[n % len(TOPICS)]} tại {PLACES[n % len(PLACES)]}, đợt {n}"


def _agency() -> tuple[Any, Any]:
    from vanban.accounts.models import RoleGrant, User
    from vanban.core import clock
    from vanban.core.roles import Role
    from vanban.directory.models import Agency

    now = clock.now()
    agency = Agency.objects.create(code="000.00.03.H99", name="Sở Tài chính", short_name="STC",
                                   created_at=now, updated_at=now)
    clerk = User.objects.create(username="vt.search", full_name="Văn thư", agency=agency,
                                password_changed_at=now)
    RoleGrant.objects.create(user=clerk, role=Role.CLERK, granted_at=now)
    return agency, clerk


def _spread(n: int) -> int:
    """The search benchmark's issue day of document ``n``: its days cycle over three years."""
    return n % 1000


def _fill(agency: Any, start: int, stop: int,
          day: Callable[[int], int] = _spread) -> None:
    """Outgoing documents ``start``…``stop`` (every tenth registered, issued on day ``day(n)``
    of the last three years) and one incoming line per ten, each with its folded search text as
    the owner's save writes it (``bulk_create`` skips ``save``)."""
    from vanban.core import clock
    from vanban.core.fold import fold_join
    from vanban.incoming.models import IncomingDocument, IncomingSource
    from vanban.incoming.search_text import incoming_search_parts
    from vanban.incoming.services.common import incoming_register_of
    from vanban.registry.core.search_text import document_search_parts
    from vanban.registry.models import Document, DocumentState

    now = clock.now()
    first_day = date(2024, 1, 1)
    register = incoming_register_of(agency, clock.local_now().year)
    for low in range(start, stop, BATCH):
        span = range(low, min(low + BATCH, stop))
        rows = []
        for n in span:
            registered = n % 10 == 0
            document = Document(
                agency=agency, type_code="cong_van", subject=_subject(n),
                full_name="Nguyễn Văn Đông", created_at=now, updated_at=now,
                state=DocumentState.REGISTERED if registered else DocumentState.DRAFT,
                code_number=n + 1 if registered else None,
                code_notation="STC-VP" if registered else "",
                issued_date=first_day + timedelta(days=day(n)) if registered else None)
            document.search_text = fold_join(document_search_parts(document))
            rows.append(document)
        Document.objects.bulk_create(rows)
        lines = []
        for n in span[::10]:
            entry = IncomingDocument(
                agency=agency, register=register, arrival_number=n // 10 + 1,
                arrival_date=first_day + timedelta(days=n % 1000), received_at=now,
                source=IncomingSource.PAPER, issuer_name=f"UBND huyện {PLACES[n % 10]}",
                code_number=str(n), code_notation="UBND-VP", type_name="Công văn",
                subject=_subject(n), registered_at=now)
            entry.search_text = fold_join(incoming_search_parts(entry))
            lines.append(entry)
        IncomingDocument.objects.bulk_create(lines)


def _times(call: Callable[[], Any], rounds: int) -> list[float]:
    return timings(call, rounds, warm=5)


def _page(client: Any, params: dict[str, str]) -> Callable[[], Any]:
    def fetch() -> Any:
        response = client.get("/search/", params)
        if response.status_code != 200:
            raise RuntimeError(f"{params}: HTTP {response.status_code}")
        return response

    return fetch


SEARCHES: list[tuple[str, dict[str, str]]] = [
    ("outgoing, “ha noi” (1 row in 50)", {"q": "ha noi", "kind": "outgoing"}),
    ("outgoing, “thanh tra 777” (rare)", {"q": "thanh tra 777", "kind": "outgoing"}),
    ("outgoing, a word no row has", {"q": "khongcodau", "kind": "outgoing"}),
    ("outgoing, dates 01/03/2024–31/03/2024", {"kind": "outgoing", "from": "01/03/2024",
                                               "to": "31/03/2024"}),
    ("every kind, “dong hung”", {"q": "dong hung"}),
]


def _home(client: Any) -> Callable[[], Any]:
    def fetch() -> Any:
        return client.get("/")

    return fetch


def _selector(clerk: Any, params: dict[str, str]) -> Callable[[], Any]:
    """The search's reads without the page: parse, the owners' rules, the rows of a page."""
    from vanban.search import selectors
    from vanban.search.query import query_from

    def fetch() -> Any:
        query = query_from(params, selectors.TYPE_CODES)
        return [len(r.page) for r in selectors.search(clerk, query)]

    return fetch


def _measure(client: Any, agency: Any, clerk: Any, count: int) -> list[Result]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_document")
        cursor.execute("ANALYZE incoming_incomingdocument")

    def select() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, subject FROM registry_document WHERE agency_id = %s "
                           "ORDER BY id DESC LIMIT 50", [agency.pk])
            return cursor.fetchall()

    plain = _times(select, ROUNDS)
    base = _p(plain, 95)
    home = _p(_times(_home(client), ROUNDS), 95)
    results = [Result(f"Home page p95, {count:,} documents (the same stack without a search)",
                      home, "ms", "plain indexed SELECT … LIMIT 50 p95", base)]
    for label, params in SEARCHES:
        timed = _times(_page(client, params), ROUNDS)
        alone = _times(_selector(clerk, params), ROUNDS)
        print(f"search bench {count:,}: {label}: page p50 {_p(timed, 50):.1f} ms, "
              f"p95 {_p(timed, 95):.1f} ms; selector alone p95 {_p(alone, 95):.1f} ms "
              f"(home page p95 {home:.1f} ms, SELECT LIMIT 50 p95 {base:.2f} ms)")
        results.append(Result(f"Search page p95, {count:,} documents: {label} (p50 "
                              f"{_p(timed, 50):.0f} ms; its queries alone p95 "
                              f"{_p(alone, 95):.1f} ms)", _p(timed, 95), "ms",
                              "plain indexed SELECT … LIMIT 50 p95", base, "p95 ≤ 150 ms"))
    return results


def run(args: argparse.Namespace) -> list[Result]:
    """Fill to each size in turn and time the searches beside the plain SELECT."""
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    sizes = getattr(args, "search_sizes", None) or SIZES
    agency, clerk = _agency()
    client = Client()
    client.force_login(clerk)
    results: list[Result] = []
    filled = 0
    for size in sizes:
        started = time.perf_counter()
        _fill(agency, filled, size)
        print(f"search bench: filled {filled:,}…{size:,} in {time.perf_counter() - started:.0f} s")
        filled = size
        results += _measure(client, agency, clerk, size)
    return results
