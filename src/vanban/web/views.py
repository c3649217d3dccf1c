"""Shell pages: the home page (each role's work dashboard and duties) and the clerk's two
queues of outgoing work the other apps' lists do not filter: documents by state and sendings
a recipient rejected."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from vanban.core import clock
from vanban.core.pages import request_actor
from vanban.exchange.core.states import State
from vanban.web import dashboard, selectors
from vanban.web import home as home_blocks
from vanban.workflow import selectors as workflow_selectors


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Home page per role: the work dashboard (counters of every queue, what is new since the
    last visit), then the duties of each role with links to act."""
    board = dashboard.dashboard_of(request, fresh=True)
    blocks = home_blocks.blocks_for(request.user)  # type: ignore[arg-type]
    response = render(request, "web/home.html", {"blocks": blocks, "board": board})
    dashboard.mark_seen(request)
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """The emblem for browsers that ask for ``/favicon.ico`` (a "not found" there was audited
    once per new browser)."""
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))


def _paging(request: HttpRequest) -> tuple[int | None, str]:
    before = request.GET.get("before", "")
    return (int(before) if before.isdigit() else None), " ".join(
        request.GET.get("q", "").split())


OUTGOING_TITLES = {
    "to_number": gettext_noop("Dự thảo chờ cấp số"),
    "to_sign": gettext_noop("Văn bản chờ ký số"),
    "to_send": gettext_noop("Văn bản chờ gửi"),
}


@login_required
@require_GET
def outgoing(request: HttpRequest) -> HttpResponse:
    """Outgoing documents of the agency waiting for the clerk: to number, to sign, to send
    (``queue``), with search and keyset paging."""
    queue = request.GET.get("queue", "")
    queue = queue if queue in OUTGOING_TITLES else "to_sign"
    before, search = _paging(request)
    page = workflow_selectors.keyset_page(
        selectors.outgoing_queue(request_actor(request), queue, search), before)
    return render(request, "web/outgoing.html", {
        "queue": queue, "title": _(OUTGOING_TITLES[queue]), "page": page, "q": search,
        "queues": [(k, _(v)) for k, v in OUTGOING_TITLES.items()], "before": before})


@login_required
@require_GET
def rejected(request: HttpRequest) -> HttpResponse:
    """Sendings of the agency that a recipient rejected in the last 30 days (status 02), each
    with a link to its tracking page, where the clerk sees the reason and acts."""
    before, search = _paging(request)
    since = clock.now() - timedelta(days=dashboard.REJECTED_DAYS)
    found = selectors.rejected_sendings(request_actor(request), since, search)
    page = workflow_selectors.keyset_page(found.prefetch_related("deliveries__recipient"),
                                          before)
    rows = [{"transmission": t,
             "rejections": [d for d in t.deliveries.all() if d.state == State.REJECTED]}
            for t in page.items]
    return render(request, "web/rejected.html", {
        "page": page, "rows": rows, "q": search, "before": before})
