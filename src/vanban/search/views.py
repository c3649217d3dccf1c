"""Pages of the one search: the results page and its XLSX export (issue 13)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanban.core.errors import DomainError
from vanban.core.pages import request_actor
from vanban.core.paging import after_of
from vanban.registry.core.numbering import DOCUMENT_TYPES
from vanban.search import export, selectors
from vanban.search.query import KINDS, SearchQuery, query_from
from vanban.storage.views import blob_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request: HttpRequest, query: SearchQuery, error: DomainError | None = None
          ) -> HttpResponse:
    actor = request_actor(request)
    results = [] if error or query.empty else selectors.search(
        actor, query, after=after_of(request.GET.get("after")))
    return render(request, "search/search.html", {
        "query": query, "results": results, "kinds": KINDS, "params": request.GET,
        "error": error.message(request.LANGUAGE_CODE) if error else "",
        "issuers": selectors.issuers(actor), "registers": selectors.registers(actor),
        "types": DOCUMENT_TYPES}, status=error.status if error else 200)


@require_GET
@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """``/search/?q=…``: results by kind, filters, pages of 50 for one kind."""
    try:
        query = query_from(request.GET, selectors.TYPE_CODES)
    except DomainError as err:
        return _page(request, SearchQuery(), err)
    return _page(request, query)


@require_GET
@login_required
def search_export(request: HttpRequest) -> HttpResponse:
    """``/search/export.xlsx?…``: the same search as a workbook (refused beyond the cap)."""
    actor = request_actor(request)
    try:
        query = query_from(request.GET, selectors.TYPE_CODES)
        made = export.search_workbook(actor, query)
    except DomainError as err:
        return _page(request, SearchQuery(), err)
    return blob_response(request, data=made.data, filename="tim-kiem.xlsx", attachment=True,
                         content_type=XLSX, object_type="search.export", object_id="",
                         agency_code=selectors.agency_code(actor),
                         detail={"query": export.query_summary(query), "rows": made.rows})
