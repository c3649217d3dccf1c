"""Pages of the workflow (Vietnamese first): a registered incoming document's work page
(assignment and re-assignment, passing on, opinions, start/complete, handling slip, work
files), "Việc của tôi", the overdue list for the head, work files, and the working-day
calendar. Thin: selectors read, services write, domain errors become messages (or 404 for "not
found")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from vanban.core.errors import DomainError, Forbidden, NotFound
from vanban.core.pages import refusal_page
from vanban.core.pages import request_actor as _actor
from vanban.directory import calendar
from vanban.directory.models import Unit
from vanban.directory.selectors import work_calendar
from vanban.incoming.policy import may_see
from vanban.incoming.viewer import entry_viewer
from vanban.registry import selectors as registry_selectors
from vanban.registry.models import DocumentState
from vanban.storage.views import blob_response
from vanban.workflow import forms, rules, selectors, services
from vanban.workflow.models import LineRole, OpinionKind, WorkFile
from vanban.workflow.services.workfiles import may_manage
from vanban.workflow.slip import handling_slip_pdf

View = Callable[..., HttpResponse]

def acting(view: View) -> View:
    """Signed-in only; "not found" is a 404, a refusal a 403, any other domain error a
    message on the page the form came from."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as err:
            raise Http404(err.message(request.LANGUAGE_CODE)) from None
        except Forbidden as err:
            if err.audited:  # the policy recorded it (R16.2); handler403 would record it again
                return refusal_page(request)
            raise PermissionDenied(err.message(request.LANGUAGE_CODE)) from None
        except DomainError as err:
            if request.method != "POST":
                raise
            messages.error(request, err.message(request.LANGUAGE_CODE))
            return redirect(request.META.get("HTTP_REFERER") or "workflow:my_tasks")

    return wrapper


def _staff(agency_id: int, unit_id: int | None = None) -> Any:
    users = get_user_model().objects.filter(agency_id=agency_id, is_active=True)
    if unit_id is not None:
        users = users.filter(unit_id=unit_id)
    return users.order_by("full_name", "username")


# --- the document's work page -----------------------------------------------------------------


@require_GET
@acting
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about the work on one registered incoming document."""
    actor = _actor(request)
    incoming = selectors.incoming_get(actor, pk)
    lines = selectors.lines_of(incoming)
    opinions = selectors.opinions_of(incoming)
    agency_id = incoming.agency_id
    director = rules.is_director(actor, agency_id)
    lead = rules.is_lead_holder(actor, lines)
    open_doc = incoming.state != "completed"
    assigned = any(x.assignment.parent_id is None for x in lines)
    forwardable = [x for x in lines if rules.may_forward(actor, x, agency_id)] if open_doc else []
    # The header's deadline is the current lead's (a re-assignment withdraws the old one).
    lead_deadline = rules.handling_deadline(lines)
    context = {
        "incoming": incoming, "lines": lines, "opinions": opinions,
        "today": selectors.today(), "due": lead_deadline or incoming.due_date,
        "can_assign": director and open_doc and not assigned,
        "can_reassign": director and open_doc and assigned,
        "can_start": open_doc and incoming.state == "assigned" and (director or lead),
        "can_complete": open_doc and incoming.state != "registered" and (director or lead),
        "forwardable": [{"line": x, "staff": _staff(agency_id, x.unit_id)} for x in forwardable],
        "my_open_lines": [x for x in lines if x.done_at is None and rules.holds(actor, x)
                          and x.role != LineRole.LEAD] if open_doc else [],
        "units": Unit.objects.filter(agency_id=agency_id, active=True).order_by("code"),
        "staff": _staff(agency_id),
        "kinds": OpinionKind.choices if director else [
            (k, v) for k, v in OpinionKind.choices if k != OpinionKind.DIRECTION],
        "replies": registry_selectors.documents_of(actor).exclude(
            state__in=(DocumentState.DRAFT, DocumentState.CANCELLED)).order_by("-pk")[:50],
        "work_files": selectors.work_files_holding(incoming),
        "open_files": [f for f in selectors.work_files_of(actor).filter(closed_at__isnull=True)
                       if may_manage(actor, f)],
        "viewer": entry_viewer(incoming, request.LANGUAGE_CODE) if may_see(actor, incoming)
        else None,
    }
    return render(request, "workflow/document.html", context)


@require_POST
@acting
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """The head or a delegate assigns (R8.1)."""
    actor = _actor(request)
    incoming = selectors.incoming_get(actor, pk)
    services.assignment_create(actor=actor, document=incoming,
                               lines=forms.lines_from(request.POST, incoming.agency_id),
                               direction=request.POST.get("direction", ""))
    messages.success(request, _("Đã phân công xử lý văn bản."))
    return redirect("workflow:document", pk=pk)


@require_POST
@acting
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """The head or a delegate re-assigns, with a reason (R8.1): the open lines are withdrawn."""
    actor = _actor(request)
    incoming = selectors.incoming_get(actor, pk)
    services.assignment_reassign(actor=actor, document=incoming,
                                 lines=forms.lines_from(request.POST, incoming.agency_id),
                                 reason=request.POST.get("reason", ""))
    messages.success(request, _("Đã phân công lại xử lý văn bản."))
    return redirect("workflow:document", pk=pk)


@require_POST
@acting
def forward(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's leader passes the unit's line on to specialists."""
    actor = _actor(request)
    line = selectors.line_get(actor, pk)
    services.assignment_forward(actor=actor, line=line,
                                lines=forms.lines_from(request.POST, line.incoming.agency_id),
                                direction=request.POST.get("direction", ""))
    messages.success(request, _("Đã chuyển cho chuyên viên xử lý."))
    return redirect("workflow:document", pk=line.incoming_id)


@require_POST
@acting
def opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """Write an opinion, or a correction of one's own earlier opinion (R14.2)."""
    actor = _actor(request)
    incoming = selectors.incoming_get(actor, pk)
    corrects_id = forms.parse_int(request.POST.get("corrects", ""), what_vi="Ý kiến",
                                  what_en="opinion")
    corrects = selectors.opinion_get(actor, corrects_id) if corrects_id else None
    services.opinion_write(actor=actor, document=incoming, text=request.POST.get("text", ""),
                           kind=request.POST.get("kind") or None, corrects=corrects)
    messages.success(request, _("Đã ghi ý kiến."))
    return redirect("workflow:document", pk=pk)


@require_POST
@acting
def start(request: HttpRequest, pk: int) -> HttpResponse:
    """"Bắt đầu xử lý" (05)."""
    actor = _actor(request)
    services.incoming_start(actor=actor, document=selectors.incoming_get(actor, pk))
    messages.success(request, _("Đã bắt đầu xử lý."))
    return redirect("workflow:document", pk=pk)


@require_POST
@acting
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    """"Hoàn thành" (06), with the reply document if one is chosen."""
    actor = _actor(request)
    incoming = selectors.incoming_get(actor, pk)
    reply_id = forms.parse_int(request.POST.get("reply", ""), what_vi="Văn bản trả lời",
                               what_en="reply document")
    reply = registry_selectors.document_get(actor, reply_id) if reply_id else None
    services.incoming_complete(actor=actor, document=incoming, reply_document=reply)
    messages.success(request, _("Đã hoàn thành xử lý văn bản."))
    return redirect("workflow:document", pk=pk)


@require_POST
@acting
def line_done(request: HttpRequest, pk: int) -> HttpResponse:
    """A co-operating holder reports its part done."""
    actor = _actor(request)
    line = selectors.line_get(actor, pk)
    services.line_done(actor=actor, line=line)
    messages.success(request, _("Đã báo cáo xong phần việc."))
    return redirect("workflow:document", pk=line.incoming_id)


@require_GET
@acting
def slip(request: HttpRequest, pk: int) -> HttpResponse:
    """The handling slip as a PDF (a download of the document's record, audited)."""
    incoming = selectors.incoming_get(_actor(request), pk, action="workflow.slip_download")
    pdf = handling_slip_pdf(incoming, selectors.lines_of(incoming),
                            selectors.opinions_of(incoming))
    return blob_response(request, data=pdf,
                         filename=f"phieu-giai-quyet-{incoming.arrival_number}.pdf",
                         object_type="incoming.document", object_id=incoming.pk,
                         agency_code=incoming.agency.code)


# --- lists ------------------------------------------------------------------------------------


def _before(request: HttpRequest) -> int | None:
    """The keyset of the next page (``?before=``), ignored when it is not a number."""
    text = request.GET.get("before", "")
    return int(text) if text.isdigit() else None


def _query(request: HttpRequest, **changes: str) -> str:
    """The page's query string with ``changes`` (an empty value removes the key)."""
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return query.urlencode()


def _page_links(request: HttpRequest, page: Page[Any]) -> dict[str, str]:
    """The query strings of the next and previous pages (empty: there is none)."""
    return {"next_query": _query(request, page=str(page.next_page_number()))
            if page.has_next() else "",
            "previous_query": _query(request, page=str(page.previous_page_number()))
            if page.has_previous() else ""}


DUES = ("overdue", "soon")
OVERDUE_HOLDERS_PAGE = 10  # units/persons per page of the overdue report, each with all its lines


@require_GET
@acting
def my_tasks(request: HttpRequest) -> HttpResponse:
    """"Việc của tôi": open lines, nearest deadline first, overdue highlighted; filtered by
    deadline (``due``) and text (``q``), a page at a time with a visible next page."""
    actor = _actor(request)
    due = request.GET.get("due", "")
    search = request.GET.get("q", "").strip()
    lines = selectors.my_open_lines(actor)
    if actor.agency_id is not None:
        lines = selectors.by_due(lines, due, actor.agency_id)
    if search:
        lines = lines.filter(incoming__in=selectors.incoming_search(
            selectors.incoming_visible(actor), search))
    page = Paginator(lines, selectors.PAGE).get_page(request.GET.get("page"))
    today = selectors.today()
    return render(request, "workflow/my_tasks.html", {
        "tasks": [{"line": t, "overdue": t.deadline is not None and t.deadline < today}
                  for t in page],
        "page": page, "due": due if due in DUES else "", "q": search,
        **_page_links(request, page)})


@require_GET
@acting
def overdue(request: HttpRequest) -> HttpResponse:
    """R8.1: overdue and due-soon lines per unit/person, for the head or a delegate; ``due``
    keeps one of the two. Pages hold whole units/persons, each with its counts and its first
    lines; ``holder`` and ``after`` page through one unit's/person's further lines."""
    actor = _actor(request)
    if actor.agency_id is None or not rules.is_director(actor, actor.agency_id):
        raise PermissionDenied
    due = request.GET.get("due", "")
    counts = selectors.overdue_holder_counts(actor.agency_id, due)
    holder = request.GET.get("holder", "")
    context: dict[str, Any] = {"today": selectors.today(), "due": due if due in DUES else ""}
    if holder:
        # One holder's next lines ("xem thêm"): a keyset page within the unit/person.
        context["report"] = selectors.holder_loads(
            actor.agency_id, [c for c in counts if c.key == holder], due,
            request.GET.get("after", ""))
        context["holder"] = holder
        context["all_query"] = _query(request, holder="", after="")
    else:
        page = Paginator(counts, OVERDUE_HOLDERS_PAGE).get_page(request.GET.get("page"))
        context["report"] = selectors.holder_loads(actor.agency_id, page.object_list, due)
        context.update(page=page, **_page_links(request, page))
    return render(request, "workflow/overdue.html", context)


QUEUE_TITLES = {
    "unassigned": gettext_noop("Văn bản chờ phân công"),
    "in_progress": gettext_noop("Văn bản đang xử lý"),
    "completed": gettext_noop("Văn bản đã hoàn thành"),
    "": gettext_noop("Văn bản đến"),
}


def _queue_page(request: HttpRequest, queue: str) -> HttpResponse:
    actor = _actor(request)
    search = request.GET.get("q", "").strip()
    page = selectors.keyset_page(selectors.incoming_queue(actor, queue, search),
                                 _before(request))
    director = actor.agency_id is not None and rules.is_director(actor, actor.agency_id)
    return render(request, "workflow/queue.html", {
        "queue": queue, "title": _(QUEUE_TITLES[queue]), "page": page, "q": search,
        "queues": [(key, _(QUEUE_TITLES[key])) for key in ("", "unassigned", "in_progress",
                                                           "completed")],
        "director": director,
        "next_query": _query(request, before=str(page.next_after))
        if page.next_after else "",
        "first_query": _query(request, before="") if _before(request) else None})


@require_GET
@acting
def queue(request: HttpRequest) -> HttpResponse:
    """The registered incoming documents the user may see (every one of the agency for its
    register keepers, the ones they hold a line of for others), by state (``queue``), with
    search and keyset paging."""
    name = request.GET.get("queue", "")
    return _queue_page(request, name if name in QUEUE_TITLES else "")


@require_GET
@acting
def unassigned(request: HttpRequest) -> HttpResponse:
    """"Chờ phân công": the agency's registered documents not yet assigned, each a click from
    its assignment form; for the head and delegates (R8.1)."""
    actor = _actor(request)
    if actor.agency_id is None or not rules.is_director(actor, actor.agency_id):
        raise PermissionDenied
    return _queue_page(request, "unassigned")


# --- work files -------------------------------------------------------------------------------


@acting
def work_files(request: HttpRequest) -> HttpResponse:
    """The agency's work files; the form opens a new one (R12.1)."""
    actor = _actor(request)
    if request.method == "POST":
        if actor.agency_id is None:
            raise PermissionDenied
        created = services.work_file_create(
            actor=actor, data=forms.work_file_from(request.POST, actor.agency_id))
        messages.success(request, _("Đã lập hồ sơ."))
        return redirect("workflow:work_file", pk=created.pk)
    search = " ".join(request.GET.get("q", "").split())
    files = selectors.work_files_of(actor)
    if search:
        files = files.filter(Q(title__icontains=search) | Q(notation__icontains=search))
    page = Paginator(files.order_by("-year", "notation", "pk"),
                     selectors.PAGE).get_page(request.GET.get("page"))
    units = Unit.objects.filter(agency_id=actor.agency_id or 0, active=True).order_by("code")
    return render(request, "workflow/work_files.html", {
        "files": list(page), "page": page, "q": search, "units": units,
        "today": selectors.today(), **_page_links(request, page)})


@require_GET
@acting
def work_file(request: HttpRequest, pk: int) -> HttpResponse:
    """One work file: its metadata and documents; edit, add, remove, close while it is open.
    An incoming document the viewer may not see (need-to-know, R16.5) shows no subject."""
    actor = _actor(request)
    the_file = selectors.work_file_get(actor, pk)
    manage = may_manage(actor, the_file) and not the_file.closed
    items = selectors.items_of(the_file)
    seen = selectors.incoming_visible(actor).filter(
        pk__in=[i.incoming_id for i in items if i.incoming_id]).values_list("pk", flat=True)
    context: dict[str, Any] = {"file": the_file, "items": items, "manage": manage,
                               "visible_incoming": set(seen)}
    if manage:
        context["units"] = Unit.objects.filter(
            Q(active=True) | Q(pk=the_file.unit_id or 0),
            agency_id=the_file.agency_id).order_by("code")
        context["incoming_choices"] = selectors.incoming_visible(actor)[:100]
        context["outgoing_choices"] = registry_selectors.documents_of(actor).exclude(
            state__in=(DocumentState.DRAFT, DocumentState.CANCELLED)).order_by("-pk")[:100]
    return render(request, "workflow/work_file.html", context)


def _file_for(request: HttpRequest, pk: int) -> WorkFile:
    return selectors.work_file_get(_actor(request), pk)


@require_POST
@acting
def work_file_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the metadata of an open file (the same fields as the create form)."""
    the_file = _file_for(request, pk)
    services.work_file_update(actor=_actor(request), work_file=the_file,
                              data=forms.work_file_from(request.POST, the_file.agency_id))
    messages.success(request, _("Đã sửa thông tin hồ sơ."))
    return redirect("workflow:work_file", pk=pk)


@require_POST
@acting
def work_file_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an incoming (``incoming``) or outgoing (``document``) document to the file."""
    actor = _actor(request)
    the_file = _file_for(request, pk)
    incoming_id = forms.parse_int(request.POST.get("incoming", ""), what_vi="Văn bản đến",
                                  what_en="incoming document")
    document_id = forms.parse_int(request.POST.get("document", ""), what_vi="Văn bản đi",
                                  what_en="outgoing document")
    services.work_file_add(
        actor=actor, work_file=the_file,
        incoming=selectors.incoming_get(actor, incoming_id) if incoming_id else None,
        document=registry_selectors.document_get(actor, document_id) if document_id else None)
    messages.success(request, _("Đã thêm văn bản vào hồ sơ."))
    return redirect("workflow:work_file", pk=pk)


@require_POST
@acting
def document_file_add(request: HttpRequest, pk: int) -> HttpResponse:
    """From the document's page: put it into the chosen open work file (``file``)."""
    actor = _actor(request)
    incoming = selectors.incoming_get(actor, pk)
    file_id = forms.parse_int(request.POST.get("file", ""), what_vi="Hồ sơ", what_en="file")
    if file_id is None:
        raise Http404
    services.work_file_add(actor=actor, work_file=_file_for(request, file_id), incoming=incoming)
    messages.success(request, _("Đã thêm văn bản vào hồ sơ."))
    return redirect("workflow:document", pk=pk)


@require_POST
@acting
def work_file_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Take a document out of an open file (audited)."""
    the_file = _file_for(request, pk)
    item = the_file.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    services.work_file_remove(actor=_actor(request), item=item,
                              reason=request.POST.get("reason", ""))
    messages.success(request, _("Đã bỏ văn bản khỏi hồ sơ."))
    return redirect("workflow:work_file", pk=pk)


@require_POST
@acting
def work_file_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the file (end date); it is read-only afterwards."""
    services.work_file_close(
        actor=_actor(request), work_file=_file_for(request, pk),
        end_date=forms.parse_date(request.POST.get("end_date", "")),
        page_total=forms.parse_int(request.POST.get("page_total", ""), what_vi="Số tờ",
                                   what_en="page count"))
    messages.success(request, _("Đã đóng hồ sơ."))
    return redirect("workflow:work_file", pk=pk)


# --- the working-day calendar -----------------------------------------------------------------


@acting
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The year's public holidays and the make-up days and extra days off (province-wide and
    the agency's own); the province administrator and the agency's head or delegate edit them."""
    actor = _actor(request)
    scope = request.POST.get("scope") or request.GET.get("scope") or "agency"
    agency = None
    if scope != "province" and actor.agency_id is not None:
        agency = cast(Any, actor).agency
    if request.method == "POST":
        day = forms.parse_date(request.POST.get("day", ""))
        if day is None:
            messages.error(request, _("Chưa chọn ngày."))
        elif request.POST.get("remove"):
            calendar.calendar_day_remove(actor=actor, agency=agency, day=day)
            messages.success(request, _("Đã xoá ngày khỏi lịch."))
        else:
            calendar.calendar_day_set(actor=actor, agency=agency, day=day,
                                      working=request.POST.get("working") == "1",
                                      note=request.POST.get("note", ""))
            messages.success(request, _("Đã cập nhật lịch làm việc."))
        return redirect(f"{request.path}?year={day.year if day else ''}&scope={scope}")
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 \
        else selectors.today().year
    cal = work_calendar(actor.agency_id)
    return render(request, "workflow/calendar.html", {
        "year": year, "scope": scope, "agency": agency,
        "holidays": calendar.public_holidays(year),
        "days": calendar.calendar_days_of(agency, year),
        "can_edit": calendar.can_manage_calendar(actor, agency),
        "working_days": sum(1 for d in _days(year) if cal.is_working_day(d)),
    })


def _days(year: int) -> list[date]:
    start = date(year, 1, 1)
    return [date.fromordinal(start.toordinal() + n)
            for n in range((date(year + 1, 1, 1) - start).days)]
