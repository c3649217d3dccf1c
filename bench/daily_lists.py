"""Daily lists benchmark (issue 13, done means): the home page and each list page of the daily
work with 100,000 documents for the agency and 1,000,000 in the installation, on PostgreSQL.

The agency's outgoing documents and incoming register lines (a tenth as many) are loaded by the
search benchmark's loader; the rest of the installation's documents belong to a second agency
(the lists must not walk them). One incoming line in a hundred is assigned to the agency's
specialist, half of those past their deadline. Each page is fetched by a signed-in user through
Django's test client (session, the owners' rules, the selector, the template): the clerk's home
page, outgoing documents, waiting-to-send queue, incoming register, sent and rejected lists and
the agency directory; the specialist's "my work"; the head's overdue list; word searches of the
outgoing list and of the search's outgoing kind, and a month of issue dates years back (the
agency's issue dates rise with its ids, as in a real register). The other agency's documents
are SQL copies of the agency's (newer ids). Baseline, in the same
run: a plain indexed ``SELECT id, subject … WHERE agency_id = … ORDER BY id DESC LIMIT 50``, and
the same on the agency's key range (the shape the outgoing list uses). Target: p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench import Result, search
from bench import percentile as _p
from bench import timings as _times

AGENCY_DOCUMENTS = 100_000
INSTALLATION_DOCUMENTS = 1_000_000
ROUNDS = 100
TARGET = "p95 ≤ 150 ms"
# (label, who fetches it, address), in menu order.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("home page (dashboard)", "clerk", "/"),
    ("outgoing documents", "clerk", "/documents/"),
    ("waiting to sign or send", "clerk", "/queues/outgoing/"),
    ("incoming register", "clerk", "/incoming/register/"),
    ("sent", "clerk", "/exchange/"),
    ("rejected", "clerk", "/queues/rejected/"),
    ("my work (specialist)", "specialist", "/work/"),
    ("overdue (head)", "head", "/work/overdue/"),
    ("directory", "clerk", "/directory/"),
    # Word searches of the outgoing list (the agency's key range, not the primary key) and the
    # search's outgoing kind by a month of issue dates two years back (the oldest rows).
    ("outgoing, word search “ha noi” (1 row in 50)", "clerk", "/documents/?q=ha+noi"),
    ("outgoing, a word no row has", "clerk", "/documents/?q=khongcodau"),
    # Rare words are answered from the trigram index's ids (at most PROBE_CAP), common ones on
    # the agency's range: two common words no row has together, and 1 row in 200.
    ("outgoing, two common words no row has together", "clerk",
     "/documents/?q=tuyen+dung+yen+the"),
    ("outgoing, “thanh tra luc nam” (1 row in 200)", "clerk",
     "/documents/?q=thanh+tra+luc+nam"),
    ("search, outgoing, a word no row has", "clerk", "/search/?kind=outgoing&q=khongcodau"),
    ("search, outgoing “ha noi”", "clerk", "/search/?kind=outgoing&q=ha+noi"),
    ("search, outgoing issued 01/03/2024–31/03/2024", "clerk",
     "/search/?kind=outgoing&from=01/03/2024&to=31/03/2024"),
)


def _people(agency: Any) -> dict[str, Any]:
    """The agency's head and specialist beside the loader's clerk."""
    from vanban.accounts.models import RoleGrant, User
    from vanban.core import clock
    from vanban.core.roles import Role

    now = clock.now()
    people = {}
    for key, role in (("head", Role.HEAD), ("specialist", Role.SPECIALIST)):
        user = User.objects.create(username=f"{key}.daily", full_name=key, agency=agency,
                                   password_changed_at=now)
        RoleGrant.objects.create(user=user, role=role, granted_at=now)
        people[key] = user
    return people


def _other_agency() -> Any:
    from vanban.core import clock
    from vanban.directory.models import Agency

    now = clock.now()
    return Agency.objects.create(code="000.00.04.H99", name="Sở Xây dựng", short_name="SXD",
                                 created_at=now, updated_at=now)


def _assign(agency: Any, head: Any, specialist: Any) -> int:
    """One incoming line in ten (1 % of the documents) assigned to the specialist as lead, every
    other one already past its deadline."""
    from vanban.core import clock
    from vanban.incoming.models import IncomingDocument
    from vanban.workflow.models import Assignment, AssignmentLine, LineRole

    now = clock.now()
    today = clock.local_now().date()
    entries = list(IncomingDocument.objects.filter(agency=agency).order_by("pk")
                   .values_list("pk", flat=True)[::10])
    assignments = Assignment.objects.bulk_create([
        Assignment(incoming_id=pk, assigned_by=head, assigned_at=now) for pk in entries])
    AssignmentLine.objects.bulk_create([
        AssignmentLine(assignment=a, incoming_id=a.incoming_id, role=LineRole.LEAD,
                       user=specialist, deadline=today + timedelta(days=-5 if n % 2 else 5))
        for n, a in enumerate(assignments)])
    return len(entries)


def _issued_day(mine: int) -> Callable[[int], int]:
    """Issue days rising with the ids over three years (a register's real order), so a date
    range years back is the agency's oldest rows: the skew a range query must not walk past."""
    return lambda n: n * 1000 // mine


def _copy_to(other: Any, agency: Any, count: int) -> None:
    """The other agency's ``count`` documents, newer than the agency's: copies of the agency's
    rows (new ids, the other agency) made in SQL, a hundred times faster than the loader."""
    from django.db import connection

    from vanban.registry.models import Document

    table = Document._meta.db_table
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)
                   if c.name not in ("id", "agency_id")]
        names = ", ".join(columns)
        copied = 0
        while copied < count:
            sql = (f"INSERT INTO {table} (agency_id, {names}) SELECT %s, {names} "  # noqa: S608
                   f"FROM {table} WHERE agency_id = %s ORDER BY id LIMIT %s")  # schema names
            cursor.execute(sql,
                           [other.pk, agency.pk, count - copied])
            copied += cursor.rowcount


def _fetch(client: Any, path: str) -> Callable[[], Any]:
    def get() -> Any:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        return response

    return get


def _clients(users: dict[str, Any]) -> dict[str, Any]:
    from django.test import Client

    clients = {}
    for key, user in users.items():
        clients[key] = Client()
        clients[key].force_login(user)
    return clients


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("registry_document", "incoming_incomingdocument",
                      "workflow_assignment", "workflow_assignmentline"):
            cursor.execute(f"ANALYZE {table}")


def run(args: argparse.Namespace) -> list[Result]:
    """Load the agency's and the installation's documents, then time each page beside the
    plain SELECT."""
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    agency, users, mine, total = load(args)
    return measure(agency, users, mine, total)


def load(args: argparse.Namespace) -> tuple[Any, dict[str, Any], int, int]:
    """The world: the agency, its people, how many documents it has and the installation."""
    mine = getattr(args, "daily_agency", None) or AGENCY_DOCUMENTS
    total = max(getattr(args, "daily_total", None) or INSTALLATION_DOCUMENTS, mine)
    started = time.perf_counter()
    agency, clerk = search._agency()  # the search benchmark's loader
    search._fill(agency, 0, mine, _issued_day(mine))
    _copy_to(_other_agency(), agency, total - mine)
    people = _people(agency)
    assigned = _assign(agency, people["head"], people["specialist"])
    _analyze()
    print(f"daily lists bench: {mine:,} documents of the agency, {total:,} in all, {assigned:,} "
          f"assigned, loaded in {time.perf_counter() - started:.0f} s")
    return agency, {"clerk": clerk, **people}, mine, total


def measure(agency: Any, users: dict[str, Any], mine: int, total: int) -> list[Result]:
    """Time the two SELECTs and each page on loaded data (also usable on a kept database)."""
    from django.db import connection

    clients = _clients(users)

    def select() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, subject FROM registry_document WHERE agency_id = %s "
                           "ORDER BY id DESC LIMIT 50", [agency.pk])
            return cursor.fetchall()

    def ranged() -> Any:
        # The same page on the agency's key range, as the outgoing list reads it
        # (registry.selectors.in_agency_range): the planner takes the (agency_id, id) index.
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, subject FROM registry_document WHERE agency_id = %s "
                           "AND (agency_id, id) > (%s, 0) AND (agency_id, id) < (%s, %s) "
                           "ORDER BY id DESC LIMIT 50",
                           [agency.pk, agency.pk, agency.pk, 2**63 - 1])
            return cursor.fetchall()

    base = _p(_times(select, ROUNDS, warm=5), 95)
    on_range = _p(_times(ranged, ROUNDS, warm=5), 95)
    print(f"daily lists bench: plain SELECT LIMIT 50 p95 {base:.2f} ms; on the agency's key "
          f"range p95 {on_range:.2f} ms")
    results = [Result(f"The same SELECT … LIMIT 50 on the agency's key range p95, {mine:,} "
                      f"documents of the agency, {total:,} in all", on_range, "ms",
                      "plain indexed SELECT … LIMIT 50 p95", base)]
    for label, who, path in PAGES:
        timed = _times(_fetch(clients[who], path), ROUNDS, warm=5)
        print(f"daily lists bench: {label} {path}: p50 {_p(timed, 50):.1f} ms, p95 "
              f"{_p(timed, 95):.1f} ms (SELECT LIMIT 50 p95 {base:.2f} ms)")
        results.append(Result(
            f"{label.capitalize()} p95, {mine:,} documents of the agency, {total:,} in all "
            f"(p50 {_p(timed, 50):.0f} ms)", _p(timed, 95), "ms",
            "plain indexed SELECT … LIMIT 50 p95", base, TARGET))
    return results

