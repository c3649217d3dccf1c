"""Inbox benchmark (R10.1, R10.2): the clerk's inbox page and the incoming register page with
100,000 incoming documents in the database, on the embedded default (SQLite).

The agency has received 100,000 deliveries: 99,000 registered in this year's incoming register
(state 03) and 1,000 still waiting with their verification. Each page is fetched by a signed-in
clerk through Django's test client (the whole stack: middleware, session, selectors, template);
the inbox page also records its inbox check (a write) as in production. Baseline: the home page
of the same signed-in clerk, fetched the same way in the same run; and, for scale, a plain
``SELECT … LIMIT 50`` of the same table. Target: inbox p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench import Result, timings
from bench import percentile as _p

DOCUMENTS = 100_000
WAITING = 1_000
ROUNDS = 200
BATCH = 5_000


def _sha(n: int) -> str:
    return hashlib.sha256(f"inbox-bench-{n}".encode()).hexdigest()


def _agencies() -> tuple[Any, list[Any]]:
    from vanban.core import clock
    from vanban.directory.models import Agency

    now = clock.now()
    recipient = Agency.objects.create(code="000.00.03.H99", name="Sở Tài chính", short_name="STC",
                                      created_at=now, updated_at=now)
    Agency.objects.bulk_create([
        Agency(code=f"000.{n:02d}.10.H99", name=f"Cơ quan gửi {n}", short_name="CQ",
               created_at=now, updated_at=now) for n in range(50)])
    return recipient, list(Agency.objects.filter(code__endswith=".10.H99").order_by("code"))


def _fill(recipient: Any, senders: list[Any]) -> None:
    """100,000 transmissions and deliveries, 99,000 register lines, 1,000 waiting verified."""
    from vanban.core import clock
    from vanban.exchange.models import Channel, Delivery, Transmission
    from vanban.incoming.models import IncomingDocument, IncomingSource
    from vanban.incoming.services.common import SERIES
    from vanban.registry.models import Register, RegisterCounter
    from vanban.signatures.models import Verdict, Verification
    from vanban.storage.models import Blob

    now = clock.now()
    year = clock.local_now().year
    register = Register.objects.create(agency=recipient, year=year, series=SERIES,
                                       kind=Register.KIND_INCOMING, created_at=now)
    registered = DOCUMENTS - WAITING
    RegisterCounter.objects.create(register=register, last_number=registered)
    checks = [{"code": "well_formed", "status": "pass", "vi": "Đạt", "en": "OK", "detail": ""}]
    for start in range(0, DOCUMENTS, BATCH):
        span = range(start, min(start + BATCH, DOCUMENTS))
        at = {n: now - timedelta(minutes=DOCUMENTS - n) for n in span}
        transmissions = Transmission.objects.bulk_create([
            Transmission(sender=senders[n % len(senders)],
                         edxml_document_id=f"{senders[n % len(senders)].code},{year}/01/01,{n}/CV",
                         code_number=str(n), code_notation="CV-BENCH", issued_date=at[n].date(),
                         type_name="Công văn", subject=f"Về việc báo cáo số liệu đợt {n}",
                         file_sha256=_sha(n), file_name="cv.pdf", file_size=1000, sent_at=at[n])
            for n in span])
        deliveries = Delivery.objects.bulk_create([
            Delivery(transmission=t, recipient=recipient, channel=Channel.INTERNAL,
                     state="03" if n < registered else "01", sent_at=at[n], received_at=at[n],
                     status_at=at[n], acknowledged_at=at[n] if n < registered else None)
            for n, t in zip(span, transmissions, strict=True)])
        IncomingDocument.objects.bulk_create([
            IncomingDocument(
                agency=recipient, register=register, arrival_number=n + 1,
                arrival_date=at[n].date(), received_at=at[n], source=IncomingSource.HUB,
                delivery=d, issuer=t.sender, issuer_name=t.sender.name, code_number=t.code_number,
                code_notation=t.code_notation, issued_date=t.issued_date, type_name=t.type_name,
                subject=t.subject, file_sha256=t.file_sha256, registered_at=at[n])
            for n, t, d in zip(span, transmissions, deliveries, strict=True) if n < registered])
        waiting = [(n, t) for n, t in zip(span, transmissions, strict=True) if n >= registered]
        if waiting:
            Blob.objects.bulk_create([Blob(sha256=t.file_sha256, size=1000,
                                           content_type="application/pdf", created_at=now)
                                      for _n, t in waiting])
            Verification.objects.bulk_create([
                Verification(blob_id=t.file_sha256, sender=t.sender, channel="hub",
                             received_via="hub",
                             verdict=Verdict.VALID if n % 10 else Verdict.INVALID,
                             checks=checks, verified_at=now) for n, t in waiting])


def _times(call: Callable[[], Any], rounds: int) -> list[float]:
    return timings(call, rounds, warm=10)


def _page(client: Any, url: str) -> Callable[[], Any]:
    def fetch() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return response

    return fetch


def run(args: argparse.Namespace) -> list[Result]:
    """Fill the database, then time the inbox and register pages beside the baselines."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from vanban.accounts.models import RoleGrant, User
    from vanban.core import clock
    from vanban.core.roles import Role

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    recipient, senders = _agencies()
    _fill(recipient, senders)
    fill_s = time.perf_counter() - started
    clerk = User.objects.create(username="vt.bench", full_name="Văn thư", agency=recipient,
                                password_changed_at=clock.now())
    RoleGrant.objects.create(user=clerk, role=Role.CLERK, granted_at=clock.now())
    client = Client()
    client.force_login(clerk)
    inbox = _times(_page(client, "/incoming/"), ROUNDS)
    register = _times(_page(client, "/incoming/register/"), ROUNDS)
    home = _times(_page(client, "/"), ROUNDS)

    def select() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, subject FROM incoming_incomingdocument "
                           "ORDER BY id DESC LIMIT 50")
            return cursor.fetchall()

    plain = _times(select, ROUNDS)
    print(f"inbox bench: filled {DOCUMENTS:,} documents in {fill_s:.0f} s; "
          f"p50/p95 ms: inbox {_p(inbox, 50):.1f}/{_p(inbox, 95):.1f}, "
          f"register {_p(register, 50):.1f}/{_p(register, 95):.1f}, "
          f"home {_p(home, 50):.1f}/{_p(home, 95):.1f}, "
          f"SELECT LIMIT 50 {_p(plain, 50):.2f}/{_p(plain, 95):.2f}")
    base = _p(home, 95)
    return [
        Result(f"inbox page p95, {DOCUMENTS:,} documents ({WAITING:,} waiting; p50 "
               f"{_p(inbox, 50):.0f} ms; SELECT LIMIT 50 p95 {_p(plain, 95):.2f} ms)",
               _p(inbox, 95), "ms", "home page p95", base, "p95 < 200 ms"),
        Result(f"register page p95, {DOCUMENTS:,} documents (p50 {_p(register, 50):.0f} ms)",
               _p(register, 95), "ms", "home page p95", base, ""),
    ]


if __name__ == "__main__":
    from bench.__main__ import _setup

    _setup(argparse.Namespace(database="sqlite"))
    from bench import markdown

    print(markdown(run(argparse.Namespace())))
