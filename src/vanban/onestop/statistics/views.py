"""The statistics page and its XLSX (staff: the desk's officer, head and delegates; the province
administrator for every desk). Thin: the selectors choose and count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanban.core.errors import DomainError
from vanban.core.pages import request_actor
from vanban.onestop.core.ontime import Tally
from vanban.onestop.statistics import selectors
from vanban.onestop.statistics.figures import GroupBy, Rated, Row, figures, rated_total, total
from vanban.onestop.statistics.workbook import figures_of, workbook

GROUP_LABELS = {GroupBy.PROCEDURE: "thủ tục", GroupBy.AGENCY: "cơ quan",
                GroupBy.SECTOR: "lĩnh vực", GroupBy.CHANNEL: "kênh nộp"}
CHANNEL_LABELS = {"counter": "Trực tiếp", "online": "Trực tuyến", "post": "Bưu chính công ích",
                  "agency": "Liên thông từ cơ quan khác"}


def _cells(tally: Tally, rated: Rated) -> list[int | str]:
    """A row's numbers on the page: the figures, the ratings and their average (4,25)."""
    average = rated.average
    return [*figures_of(tally), rated.count,
            "" if average is None else f"{average:.2f}".replace(".", ",")]


def _rows(request: HttpRequest) -> tuple[selectors.Choice, list[Row]]:
    actor = request_actor(request)
    if not selectors.may_read(actor):
        raise PermissionDenied
    choice = selectors.choice_of(request.GET.get("nam"), request.GET.get("ky"),
                                 request.GET.get("theo"))
    rows = figures(selectors.dossiers_for(actor), choice.period, group_by=choice.group_by)
    if choice.group_by == GroupBy.CHANNEL:
        rows = [Row(r.key, CHANNEL_LABELS.get(r.label, r.label), r.tally) for r in rows]
    return choice, rows


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """The period's figures on a page."""
    try:
        choice, rows = _rows(request)
    except DomainError as err:
        return render(request, "onestop_statistics/page.html",
                      {"error": err.message(request.LANGUAGE_CODE)}, status=err.status)
    return render(request, "onestop_statistics/page.html", {
        "choice": choice, "rows": [(r, _cells(r.tally, r.rated)) for r in rows],
        "total": _cells(total(rows), rated_total(rows)), "groups": GROUP_LABELS,
        "query": request.GET.urlencode()})


@login_required
@require_GET
def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    """The same figures as an XLSX workbook."""
    try:
        choice, rows = _rows(request)
    except DomainError as err:
        return HttpResponse(err.message(request.LANGUAGE_CODE), status=err.status,
                            content_type="text/plain; charset=utf-8")
    data = workbook(rows, title="Thống kê tình hình giải quyết hồ sơ thủ tục hành chính",
                    period=choice.label, by=GROUP_LABELS[choice.group_by])
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument"
                                               ".spreadsheetml.sheet")
    name = f"thong-ke-mot-cua-{choice.year}-{choice.half or 'ca-nam'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
