"""The audit log viewer (R16.2) and the "verify now" button (R14.3). Thin: selectors and services
do the work. This app sits below ``accounts``, so the signed-in user is used through the
:class:`~vanban.core.roles.Actor` protocol and the agency code is read with ``getattr``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from vanban.audit import selectors, services
from vanban.audit.forms import EventFilterForm
from vanban.core.errors import DomainError, forbidden
from vanban.core.pages import request_actor as _actor

PAGE_SIZE = 50



def actor_agency_code(request: HttpRequest) -> str | None:
    """The code of the signed-in user's agency, or None (superuser without an agency)."""
    agency = getattr(request.user, "agency", None)
    code = getattr(agency, "code", None)
    return str(code) if code else None


def _error(request: HttpRequest, err: DomainError) -> HttpResponse:
    return render(request, "audit/error.html", {"message": err.message(request.LANGUAGE_CODE)},
                  status=err.status)


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Events the user may read, newest first, 50 a page, with filters."""
    actor = _actor(request)
    form = EventFilterForm(request.GET or None)
    filters = form.to_filter() if form.is_bound and form.is_valid() else None
    try:
        events = selectors.events_for(actor, actor_agency_code=actor_agency_code(request),
                                      filters=filters)
    except DomainError as err:
        return _error(request, err)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_verify": selectors.can_verify(actor),
    })


@login_required
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    """Run a full verification now and show the result (province admin and IT officers)."""
    actor = _actor(request)
    if not selectors.can_verify(actor):
        return _error(request, forbidden())
    try:
        result = services.audit_verify(actor=actor, agency_code=actor_agency_code(request) or "")
    except DomainError as err:
        return _error(request, err)
    return render(request, "audit/verify_result.html", {
        "result": result, "message": result.message(request.LANGUAGE_CODE),
    })
