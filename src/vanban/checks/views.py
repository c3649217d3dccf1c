"""Pages of the twice-daily check (R10.2): the check report (HTML and CSV) and a user's
reminders. Thin: selectors read, services write."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanban.checks import export, selectors, services, times
from vanban.core import clock
from vanban.core.dayinput import parse_day
from vanban.core.errors import DomainError, Forbidden, NotFound
from vanban.core.pages import request_actor as _actor

DEFAULT_DAYS = 7



def _date(value: str | None, default: date) -> date:
    """A date field of the query string: dd/mm/yyyy as typed (yyyy-mm-dd from old links)."""
    return parse_day(value or "") or default


def _params(request: HttpRequest) -> tuple[date, date, str]:
    """From, to (default: the last seven days) and the agency filter."""
    today = clock.local_now().date()
    end = _date(request.GET.get("to"), today)
    start = _date(request.GET.get("from"), end - timedelta(days=DEFAULT_DAYS - 1))
    return start, end, request.GET.get("agency", "").strip()


def _report(request: HttpRequest) -> selectors.Report:
    """The report for the query string; refusal → 403, another agency → 404."""
    start, end, code = _params(request)
    try:
        return selectors.check_report(_actor(request), start=start, end=end, agency_code=code)
    except Forbidden as err:
        raise PermissionDenied(err.en) from None
    except NotFound as err:
        raise Http404(err.en) from None


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """R10.2: which agencies checked the inbox at the end of the morning and of the afternoon."""
    language = request.LANGUAGE_CODE
    context: dict[str, Any] = {
        "labels": [times.label(i, language) for i in range(len(times.check_times()))],
        "can_filter": selectors.can_see_all(_actor(request)),
        "query": request.GET.urlencode(),
    }
    try:
        data = _report(request)
    except DomainError as err:
        messages.error(request, err.message(language))
        today = clock.local_now().date()
        data = selectors.Report(start=today, end=today)
    context.update({"report": data, "agency": request.GET.get("agency", "").strip()})
    if context["can_filter"]:
        context["agencies"] = selectors.report_agencies(_actor(request))
    return render(request, "checks/report.html", context)


@login_required
@require_GET
def report_csv(request: HttpRequest) -> HttpResponse:
    """The same report as CSV for Excel (UTF-8 with BOM)."""
    try:
        data = _report(request)
    except DomainError as err:
        return HttpResponse(err.message(request.LANGUAGE_CODE), status=err.status,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(export.report_csv(data), content_type="text/csv; charset=utf-8")
    name = f"kiem-tra-hop-thu_{data.start:%Y%m%d}-{data.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def reminders(request: HttpRequest) -> HttpResponse:
    """The user's reminders, unread first marked."""
    items = list(selectors.reminders_of(_actor(request))[:200])
    language = request.LANGUAGE_CODE
    rows = [{"reminder": r, "label": times.label(r.window, language)} for r in items]
    return render(request, "checks/reminders.html", {
        "rows": rows, "unread": sum(r.read_at is None for r in items)})


@login_required
@require_POST
def reminders_read(request: HttpRequest) -> HttpResponse:
    """Mark one reminder (``id``) or all of the user's reminders read."""
    raw = request.POST.get("id", "")
    reminder_id = int(raw) if raw.isdigit() else None
    count = services.reminders_mark_read(actor=_actor(request), reminder_id=reminder_id)
    if count:
        messages.success(request, _("Đã đánh dấu %(n)s lời nhắc là đã đọc.") % {"n": count})
    return redirect("checks:reminders")
