"""API list benchmark (issue 15, R14.3): every list operation of the API at the documented
maximum page size, with 1,000,000 outgoing documents of one agency and the rows such an agency
accumulates beside them (:mod:`bench.api_world`).

Each request goes through the whole stack (token authentication, per-token throttle, the
paging and filter checks, the selector, the JSON rendering) with Django's test client, as the
user the list is for (clerk, head, specialist). For every list: the first page (``limit`` =
the maximum) and the page whose cursor is half-way down the list; for the documents also a
common state (10 % of the rows) and a state no row has. Baseline, in the same run, per list:
a plain ``SELECT * FROM <its table> ORDER BY id DESC LIMIT <maximum>``. Target: p95 ≤ 150 ms
on PostgreSQL.

Modelled as a server worker: after the load and before any timing the bench runs
``gc.collect()`` then ``gc.freeze()``, so every object alive then (Django, the application, the
three readers) moves to the permanent generation and is no longer rescanned by a full
collection, while each request's own garbage is still collected as usual (``gc.unfreeze()``
after the lists). Without it a full pass over those ~160,000 objects landed inside some
requests and made the p95 of ``staff/`` 300 ms at a p50 of 72 ms. The loader keeps nothing
alive (its keys and batches are dropped as it goes); the objects tracked before the load,
after it, and frozen are printed to show it.
"""

from __future__ import annotations

import argparse
import gc
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import Result
from bench import percentile as _p
from bench import timings as _times

DOCUMENTS = 1_000_000
ROUNDS = 60
TARGET = "p95 ≤ 150 ms"


@dataclass(frozen=True)
class Listing:
    """One list operation: its address, who reads it, its table, and how to find the key
    half-way down it (the list's rows as a queryset builder and the page ordering)."""

    path: str
    reader: str
    table: str
    rows: Callable[[Any], Any] | None = None  # world -> the list's rows (None: not paged)
    ordering: str = "-pk"


def _listings() -> list[Listing]:
    from vanban.accounts.models import ApiToken, RoleRequest, User
    from vanban.audit.models import AuditEvent
    from vanban.directory.models import Agency, Unit
    from vanban.evidence.selectors import delivery_starts
    from vanban.exchange.models import Delivery, Transmission
    from vanban.incoming.models import IncomingDocument
    from vanban.registry.models import Document
    from vanban.workflow.models import AssignmentLine, WorkFile

    def agency(w: Any) -> Any:
        return w.clerk.agency_id

    return [
        Listing("documents/", "clerk", "registry_document",
                lambda w: Document.objects.filter(agency_id=agency(w))),
        Listing("agencies/", "clerk", "directory_agency", lambda w: Agency.objects.all(), "code"),
        Listing("units/", "clerk", "directory_unit",
                lambda w: Unit.objects.filter(agency_id=agency(w)), "pk"),
        Listing("staff/", "clerk", "accounts_user",
                lambda w: User.objects.filter(agency_id=agency(w)), "username"),
        Listing("me/tokens/", "clerk", "accounts_apitoken",
                lambda w: ApiToken.objects.filter(user=w.clerk)),
        Listing("role-requests/", "head", "accounts_rolerequest",
                lambda w: RoleRequest.objects.filter(user__agency_id=agency(w))),
        Listing("audit/events/", "head", "audit_auditevent",
                lambda w: AuditEvent.objects.filter(agency_code=w.clerk.agency.code), "-seq"),
        Listing("exchange/transmissions/", "clerk", "exchange_transmission",
                lambda w: Transmission.objects.filter(sender_id=agency(w))),
        Listing("exchange/deliveries/", "clerk", "exchange_delivery",
                lambda w: Delivery.objects.filter(recipient_id=agency(w))),
        Listing("incoming/deliveries/", "clerk", "exchange_delivery",
                lambda w: Delivery.objects.filter(recipient_id=agency(w), state="01")),
        Listing("incoming/register/", "clerk", "incoming_incomingdocument",
                lambda w: IncomingDocument.objects.filter(agency_id=agency(w)),
                "-arrival_number"),
        Listing("workflow/incoming/", "head", "incoming_incomingdocument",
                lambda w: IncomingDocument.objects.filter(agency_id=agency(w))),
        Listing("workflow/tasks/", "specialist", "workflow_assignmentline",
                lambda w: AssignmentLine.objects.filter(incoming__agency_id=agency(w)), "pk"),
        Listing("workflow/files/", "clerk", "workflow_workfile",
                lambda w: WorkFile.objects.filter(agency_id=agency(w))),
        Listing("evidence/deliveries/", "clerk", "evidence_evidencerecord",
                lambda w: delivery_starts(agency_code=w.clerk.agency.code), "-index"),
    ]


def _half_way(listing: Listing, world: Any) -> str | None:
    """The cursor of the page that starts half-way down the list (None: one page or none)."""
    if listing.rows is None:
        return None
    rows = listing.rows(world)
    total = rows.count()
    if total < 2:
        return None
    name = listing.ordering.lstrip("-")
    key = rows.order_by(listing.ordering).values_list(name, flat=True)[total // 2]
    return b64encode(f"p={key}".encode()).decode()


def run(args: argparse.Namespace) -> list[Result]:
    """Fill, then time each list's first and half-way pages and its table's plain SELECT."""
    from django.conf import settings
    from django.test import Client

    from bench import api_world
    from vanban.accounts.services.tokens import api_token_create

    count = getattr(args, "api_documents", None) or DOCUMENTS
    gc.collect()
    before = len(gc.get_objects())
    world = api_world.fill(count)
    size = int(settings.VANBAN_API_MAX_PAGE_SIZE)
    settings.VANBAN_API_TOKEN_RATE = ""  # the benchmark is not an integration to throttle
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clients = {name: Client(HTTP_AUTHORIZATION="Token " + api_token_create(
        user=getattr(world, name), ip="127.0.0.1").clear)
        for name in ("clerk", "head", "specialist")}
    print(f"api lists bench: filled {world.rows} in {world.fill_s:.0f} s")
    # Model a server worker: what the load left is collected, what is alive is frozen.
    collected = gc.collect()
    after = len(gc.get_objects())
    gc.freeze()
    print(f"  gc: {before} objects tracked before the load, {after} after it ({collected} "
          f"collected), {gc.get_freeze_count()} frozen")
    try:
        return _time_lists(world, clients, size)
    finally:
        gc.unfreeze()  # the benchmarks that follow in a full run start from a plain heap


def _time_lists(world: Any, clients: dict[str, Any], size: int) -> list[Result]:
    """Each list's first and half-way pages (and the documents' states) beside its SELECT."""
    from django.db import connection

    def page(listing: Listing, query: str) -> Callable[[], Any]:
        client = clients[listing.reader]
        limit = f"?limit={size}" if listing.rows is not None else "?"

        def get() -> Any:
            response = client.get(f"/api/v1/{listing.path}{limit}{query}")
            if response.status_code != 200:
                raise RuntimeError(f"{listing.path}{query}: {response.status_code} "
                                   f"{response.content[:300]!r}")
            return response
        return get

    def select(table: str) -> Callable[[], Any]:
        def run_select() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT * FROM {table} ORDER BY id DESC LIMIT %s",  # noqa: S608
                               [size])
                return cursor.fetchall()
        return run_select

    results: list[Result] = []
    for listing in _listings():
        base = _p(_times(select(listing.table), ROUNDS), 95)
        baseline = f"plain {listing.table} LIMIT {size} p95"
        pages = [("first page", "")]
        if (cursor := _half_way(listing, world)) is not None:
            pages.append(("half-way by cursor", f"&cursor={cursor}"))
        if listing.path == "documents/":
            pages += [("?state=registered", "&state=registered"),
                      ("?state=sent, no such row", "&state=sent")]
        for label, query in pages:
            times = _times(page(listing, query), ROUNDS)
            print(f"  {listing.path} {label}: p50 {_p(times, 50):.1f} ms, p95 "
                  f"{_p(times, 95):.1f} ms (SELECT p95 {base:.2f} ms)")
            results.append(Result(f"API {listing.path} p95, {label} (p50 {_p(times, 50):.0f} "
                                  "ms)", _p(times, 95), "ms", baseline, base, TARGET))
    return results
