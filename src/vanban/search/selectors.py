"""The one search's reads (issue 13): each kind starts from its owner's own visibility rule,
then narrows by the folded words and the filters; nothing here widens what a person may see.

* outgoing documents: ``registry.selectors.documents_of`` (the agency's staff, R1.1);
* incoming register lines: the incoming need-to-know policy (register keepers see the agency's,
  anyone else only what they hold or held a line of, R16.2, R16.5);
* work lines: the lines of those same incoming documents (what their pages show);
* work files: ``workflow.selectors.work_files_of`` (the agency's).

Every kind is read newest first a page at a time (``vanban.core.paging``); the words match the
owners' folded ``search_text`` (ADR 0017).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from vanban.core.fold import words
from vanban.core.paging import Page, keyset_page
from vanban.core.roles import Actor
from vanban.core.searchable import search_matching
from vanban.directory.models import Agency
from vanban.incoming.models import IncomingDocument
from vanban.registry import selectors as registry
from vanban.registry.core.numbering import DOCUMENT_TYPES, TYPES_BY_CODE
from vanban.registry.models import Document, Register
from vanban.search.query import FILES, INCOMING, KINDS, OUTGOING, WORK, SearchQuery
from vanban.workflow import selectors as workflow
from vanban.workflow.models import AssignmentLine, WorkFile

TYPE_CODES = frozenset(t.code for t in DOCUMENT_TYPES)
# Rows of each kind on the page that shows every kind (its "xem tất cả" opens the rest).
PREVIEW = 5


def outgoing(actor: Actor, query: SearchQuery) -> QuerySet[Document]:
    """The agency's outgoing documents matching ``query``; with no date, register or type they
    are read as the outgoing list reads them (the rare words' ids from the trigram index, else
    the agency's key range: ``registry.selectors.newest_of_agency``)."""
    rows = search_matching(registry.documents_of(actor), query.text)
    if query.issuer_id is not None and query.issuer_id != actor.agency_id:
        return rows.none()  # the agency issues its outgoing documents itself
    if _newest_only(actor, query):
        return registry.newest_of_agency(rows, actor.agency_id or 0, words(query.text))
    if query.date_from:
        rows = rows.filter(issued_date__gte=query.date_from)
    if query.date_to:
        rows = rows.filter(issued_date__lte=query.date_to)
    if query.register_id is not None:
        rows = rows.filter(register_id=query.register_id)
    if query.type_code:
        rows = rows.filter(type_code=query.type_code)
    return rows


def _newest_only(actor: Actor, query: SearchQuery) -> bool:
    """On PostgreSQL, only the agency (and words) narrow the outgoing rows: the planner would
    walk the primary key past other agencies' newer rows (issue 13). With dates, a register or
    a type, an index of that condition answers better than the agency's range."""
    return (connection.vendor == "postgresql" and actor.agency_id is not None
            and query.date_from is None and query.date_to is None
            and query.register_id is None and not query.type_code)


def _incoming_filters(rows: QuerySet[Any], query: SearchQuery, prefix: str = "",
                      dates: bool = True) -> QuerySet[Any]:
    if dates and query.date_from:
        rows = rows.filter(**{f"{prefix}arrival_date__gte": query.date_from})
    if dates and query.date_to:
        rows = rows.filter(**{f"{prefix}arrival_date__lte": query.date_to})
    if query.issuer_id is not None:
        rows = rows.filter(**{f"{prefix}issuer_id": query.issuer_id})
    if query.register_id is not None:
        rows = rows.filter(**{f"{prefix}register_id": query.register_id})
    if query.type_code:
        rows = rows.filter(**{f"{prefix}type_name__iexact": TYPES_BY_CODE[query.type_code].name})
    return rows


def incoming(actor: Actor, query: SearchQuery) -> QuerySet[IncomingDocument]:
    """The incoming register lines the actor may see, matching ``query``."""
    rows = search_matching(workflow.incoming_visible(actor).select_related("register"),
                           query.text)
    return _incoming_filters(rows, query)


def work(actor: Actor, query: SearchQuery) -> QuerySet[AssignmentLine]:
    """The work lines (still held or done; not withdrawn) of the incoming documents the actor
    may see, whose document matches ``query``; the dates bound the line's deadline."""
    documents = workflow.incoming_visible(actor).select_related(None).values("pk")
    rows = (AssignmentLine.objects.filter(incoming__in=documents, withdrawn_at__isnull=True)
            .select_related("incoming", "unit", "user"))
    rows = _incoming_filters(search_matching(rows, query.text, field="incoming__search_text"),
                             query, prefix="incoming__", dates=False)
    if query.date_from:
        rows = rows.filter(deadline__gte=query.date_from)
    if query.date_to:
        rows = rows.filter(deadline__lte=query.date_to)
    return rows


def files(actor: Actor, query: SearchQuery) -> QuerySet[WorkFile]:
    """The agency's work files matching ``query`` (none when an issuer, register or type is
    asked: a work file has none of them)."""
    rows = search_matching(workflow.work_files_of(actor), query.text)
    if query.narrowing_documents_only:
        return rows.none()
    if query.date_from:
        rows = rows.filter(start_date__gte=query.date_from)
    if query.date_to:
        rows = rows.filter(start_date__lte=query.date_to)
    return rows


FINDERS = {OUTGOING: outgoing, INCOMING: incoming, WORK: work, FILES: files}


def rows_of(actor: Actor, query: SearchQuery, kind: str) -> QuerySet[Any]:
    """Every row of one kind matching ``query`` (unordered: callers page or cap it)."""
    finder: Any = FINDERS[kind]
    found: QuerySet[Any] = finder(actor, query)
    return found


@dataclass(frozen=True)
class Results:
    """One kind's page: its rows (newest first) and where the next page starts."""

    kind: str
    page: Page[Any]


def search(actor: Actor, query: SearchQuery, *, after: int | None = None) -> list[Results]:
    """The asked kind a page at a time, or a few rows of every kind."""
    if query.kind:
        return [Results(query.kind, keyset_page(rows_of(actor, query, query.kind), after=after))]
    return [Results(kind, keyset_page(rows_of(actor, query, kind), after=None, size=PREVIEW))
            for kind in KINDS]


def issuers(actor: Actor) -> QuerySet[Agency]:
    """Agencies to narrow by: the actor's own and the issuers of the incoming documents the
    actor may see (a specialist is not shown who writes to the agency beyond their own lines,
    and the list is read from that smaller set, not the whole register)."""
    issuer_ids = (workflow.incoming_visible(actor).select_related(None).order_by()
                  .exclude(issuer_id=None).values("issuer_id"))
    return (Agency.objects.filter(Q(pk=actor.agency_id or 0) | Q(pk__in=issuer_ids))
            .order_by("name"))


def agency_code(actor: Actor) -> str:
    """The actor's agency code, for the audit event of an export."""
    found = Agency.objects.filter(pk=actor.agency_id or 0).values_list("code", flat=True)
    return str(found.first() or "")


def registers(actor: Actor) -> QuerySet[Register]:
    """The agency's registers (outgoing series and the incoming register), newest year first."""
    return (Register.objects.filter(agency_id=actor.agency_id or 0)
            .order_by("-year", "kind", "series"))

