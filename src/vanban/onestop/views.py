"""Staff pages of the one-stop desk (Vietnamese first): the desk home with its queues, a
dossier's page with its forms as PDFs, the dossier book (Mẫu 07) and the procedure catalogue.
Thin: :mod:`vanban.onestop.queues` reads, the printing package draws, domain errors become
404/403 pages (``policy_pages``)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.core import clock
from vanban.core.errors import DomainError, ValidationFailed
from vanban.core.pages import policy_pages, show_error
from vanban.core.pages import request_actor as _actor
from vanban.core.paging import after_of, keyset_page
from vanban.exchange.selectors import transmission_attachments
from vanban.onestop import actions, catalogue, printing, queues, rules, selectors, services
from vanban.onestop.core.states import ACTION_LABELS, Action, State
from vanban.onestop.forms import ActionForm, ForwardedForm, IntakeForm, SendBackForm
from vanban.onestop.models import Dossier, Procedure
from vanban.onestop.printing import from_dossier
from vanban.onestop.services.forwarding import forwarding_targets
from vanban.onestop.services.from_agency import (
    forwarded_facts,
    forwarded_procedure_code,
    forwarded_refuse,
    forwarded_waiting_get,
)
from vanban.storage.views import blob_response

# Which forms a dossier can print, and the row that must exist for each.
FORMS: dict[str, Callable[[Dossier], bool]] = {
    "receipt": lambda d: bool(d.code),
    "supplement": lambda d: d.supplement_requests.exists(),
    "refusal": lambda d: bool(d.refusal_reason),
    "apology": lambda d: hasattr(d, "extension"),
    "stop": lambda d: hasattr(d, "withdrawal"),
    "control": lambda d: bool(d.code),
    "transfer": lambda d: d.steps.exists(),
}
FORM_NAMES = {"receipt": "Mẫu 01 · Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
              "supplement": "Mẫu 02 · Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
              "refusal": "Mẫu 03 · Phiếu từ chối tiếp nhận giải quyết hồ sơ",
              "apology": "Mẫu 04 · Văn bản xin lỗi và đề nghị gia hạn",
              "stop": "Mẫu 05 · Thông báo dừng giải quyết hồ sơ",
              "control": "Mẫu 06 · Phiếu kiểm soát quá trình giải quyết hồ sơ",
              "transfer": "Phiếu chuyển xử lý"}


def tracking_url(request: HttpRequest) -> str:
    """The citizen portal's tracking page, absolute, for the receipt's QR code."""
    try:
        path = reverse("portal:track")
    except NoReverseMatch:
        path = "/dich-vu-cong/"
    return request.build_absolute_uri(path)


@require_GET
@login_required
@policy_pages
def desk(request: HttpRequest) -> HttpResponse:
    """The desk home: each queue with its count, the chosen one a page at a time."""
    actor = _actor(request)
    key = request.GET.get("queue", "check")
    key = key if key in queues.QUEUE_KEYS else "check"
    text = request.GET.get("q", "")
    rows = queues.search(queues.in_queue(queues.visible(actor), key, actor), text)
    page = keyset_page(rows.select_related("procedure"), after=after_of(request.GET.get("after")))
    counts = queues.counts(actor)
    return render(request, "onestop/desk.html", {
        "queue_counts": [{"key": q.key, "label": q.label, "tone": q.tone, "n": counts[q.key]}
                         for q in queues.QUEUES],
        "queue": key, "q": text, "page": page,
        "forwarded_n": selectors.forwarded_waiting_count(actor)})


@require_GET
@login_required
@policy_pages
def dossier(request: HttpRequest, ref: str) -> HttpResponse:
    """A dossier: applicant, papers and files, steps with holders and deadlines, history,
    the forms it can print, and what may happen next."""
    found = queues.dossier_get(_actor(request), ref)
    english = (request.LANGUAGE_CODE or "vi").startswith("en")
    events = found.events.select_related("to_agency", "to_unit", "to_user")
    offered = actions.offered(_actor(request), found)
    return render(request, "onestop/dossier.html", {
        "d": found, "files": found.files.select_related("required_document"),
        "steps": found.steps.select_related("agency", "unit", "holder"),
        "history": [(e, _label(ACTION_LABELS, e.action, english)) for e in events],
        "forms": [(k, FORM_NAMES[k]) for k, ok in FORMS.items() if ok(found)],
        "offered": [(o, ACTION_LABELS[o.action][english]) for o in offered],
        "targets": forwarding_targets(found.desk_id) if any(
            o.action is Action.SEND_TO_AGENCY for o in offered) else [],
        "forwardings": [(f, f.stage[english],
                         f.taken_state[english] if f.taken_state else "")
                        for f in selectors.forwardings(found)],
        "missing": services.missing_documents(found)
        if found.state in (State.SUBMITTED, State.INTAKE_SUPPLEMENT) else [],
        "form": ActionForm(), "required": found.procedure.required_documents.all()})


def _label(labels: dict[Action, tuple[str, str]], value: str, english: bool) -> str:
    """The Vietnamese (or English) label of a stored action; the value itself if unknown."""
    try:
        return labels[Action(value)][english]
    except ValueError:
        return value


def _form_pdf(request: HttpRequest, found: Dossier, form: str) -> bytes:
    if form == "receipt":
        return printing.receipt_pdf(from_dossier.receipt(
            found, secret=request.session.pop(SHOWN_ONCE.format(found.pk), ""),
            tracking_url=tracking_url(request)))
    drawers: dict[str, Callable[[Dossier], bytes]] = {
        "supplement": lambda d: printing.supplement_request_pdf(from_dossier.supplement(d)),
        "refusal": lambda d: printing.refusal_pdf(from_dossier.refusal(d)),
        "apology": lambda d: printing.apology_pdf(from_dossier.apology(d)),
        "stop": lambda d: printing.stop_notice_pdf(from_dossier.stop(d)),
        "control": lambda d: printing.control_sheet_pdf(from_dossier.control_sheet(d)),
        "transfer": lambda d: printing.transfer_slip_pdf(from_dossier.transfer_slip(d)),
    }
    return drawers[form](found)


@require_GET
@login_required
@policy_pages
def dossier_form(request: HttpRequest, ref: str, form: str) -> HttpResponse:
    """One printed form of the dossier as a PDF (audited like any download); 404 for a form
    the dossier has nothing for yet."""
    found = queues.dossier_get(_actor(request), ref)
    if form not in FORMS or not FORMS[form](found):
        raise Http404(form)
    return blob_response(request, data=_form_pdf(request, found, form),
                         filename=f"{form}-{found.code or found.pk}.pdf",
                         object_type="onestop.dossier", object_id=found.pk,
                         agency_code=found.desk.code)


@require_GET
@login_required
@policy_pages
def dossier_file(request: HttpRequest, ref: str, file_id: int) -> HttpResponse:
    """A scanned paper or the result file, for whoever may read the dossier (``rules.may_see``);
    served and audited like any download (R16.2)."""
    found = queues.dossier_get(_actor(request), ref)
    paper = queues.dossier_file(found, file_id)
    return blob_response(request, sha256=paper.sha256, filename=paper.filename or f"{paper.pk}.pdf",
                         content_type=paper.content_type, object_type="onestop.dossier",
                         object_id=found.pk, agency_code=found.desk.code,
                         detail={"file": paper.pk})


@require_GET
@login_required
@policy_pages
def ledger(request: HttpRequest) -> HttpResponse:
    """Mẫu 07, the desk's book of the dossiers accepted in a year (``?year=``)."""
    actor = _actor(request)
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else clock.local_now().year
    rows = queues.ledger_rows(actor, year)
    agency = queues.desk(actor)
    pdf = printing.ledger_pdf(from_dossier.ledger(agency, rows, f"Năm {year}"))
    return blob_response(request, data=pdf, filename=f"so-theo-doi-ho-so-{year}.pdf",
                         object_type="onestop.ledger", object_id=year, agency_code=agency.code)


@require_GET
@login_required
@policy_pages
def procedures(request: HttpRequest) -> HttpResponse:
    """The agency's procedure catalogue (current versions), searchable."""
    actor = _actor(request)
    text = request.GET.get("q", "")
    agency = queues.desk(actor)
    return render(request, "onestop/procedures.html", {
        "procedures": queues.procedures_of(actor, text), "q": text,
        "may_configure": rules.may_configure(actor, agency.pk)})


CATALOGUE_TYPES = {"json": "application/json", "csv": "text/csv"}


@require_GET
@login_required
@policy_pages
def catalogue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """R11.3: the agency's current procedures as JSON or CSV (the import's format)."""
    if fmt not in CATALOGUE_TYPES:
        raise Http404(fmt)
    agency = queues.catalogue_agency(_actor(request))
    text = catalogue.export_json(agency) if fmt == "json" else catalogue.export_csv(agency)
    response = HttpResponse(text.encode(), content_type=f"{CATALOGUE_TYPES[fmt]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="thu-tuc-{agency.pk}.{fmt}"'
    return response


@require_POST
@login_required
@policy_pages
def catalogue_import(request: HttpRequest) -> HttpResponse:
    """R11.3: import a JSON or CSV catalogue, all or nothing; the error names the bad row."""
    actor = _actor(request)
    agency = queues.catalogue_agency(actor)
    upload = request.FILES.get("catalogue")
    try:
        if upload is None:
            raise ValidationFailed("Hãy chọn tệp danh mục (JSON hoặc CSV).",
                                   "Choose a catalogue file (JSON or CSV).", code="required")
        kind = (upload.name or "").rsplit(".", 1)[-1].lower()
        text = upload.read(catalogue.MAX_BYTES + 1).decode("utf-8-sig", errors="replace")
        done = catalogue.import_catalogue(actor=actor, agency=agency, text=text, kind=kind)
    except DomainError as err:
        if err.status == 403 and not err.audited:
            raise
        show_error(request, err)
    else:
        messages.success(request, _("Đã nhập danh mục: %(c)s thủ tục mới, %(v)s phiên bản mới, "
                                    "%(u)s không đổi.") % {"c": done.created,
                                                          "v": done.new_versions,
                                                          "u": done.unchanged})
    return redirect("onestop:procedures")


@require_GET
@login_required
@policy_pages
def procedure(request: HttpRequest, pk: int) -> HttpResponse:
    """One procedure version: limits, fees, steps, required papers."""
    found = queues.procedure_get(_actor(request), pk)
    return render(request, "onestop/procedure.html", {
        "p": found, "steps": found.steps.select_related("agency", "unit"),
        "papers": found.required_documents.all()})


# Session key of the secret printed on Mẫu 01: kept from the acceptance to the first print of
# the receipt, then dropped (a reprint carries no secret; the applicant has the first one).
SHOWN_ONCE = "onestop-receipt-{}"


def _dossier_made(request: HttpRequest, made: actions.CounterResult, message: str) -> HttpResponse:
    """After a dossier is made: keep its tracking secret for the one showing on Mẫu 01, say so,
    and open its page (post/redirect/get)."""
    if made.secret:
        request.session[SHOWN_ONCE.format(made.dossier.pk)] = made.secret
    messages.success(request, message)
    return redirect("onestop:dossier", ref=made.dossier.code or made.dossier.pk)


@require_http_methods(["GET", "POST"])
@login_required
@policy_pages
def intake(request: HttpRequest) -> HttpResponse:
    """The counter: pick the procedure, type the applicant, scan or upload each paper against
    the checklist, then accept (Mẫu 01), ask for a supplement (Mẫu 02) or refuse (Mẫu 03)."""
    actor = _actor(request)
    desk_agency = queues.officer_desk(actor)
    pick = request.GET.get("procedure", "")
    if not pick.isdigit():
        text = request.GET.get("q", "")
        return render(request, "onestop/intake_pick.html", {
            "procedures": queues.intake_procedures(text)[:50], "q": text})
    procedure = selectors.procedure_get(int(pick))
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.counter_intake(actor, desk_agency, procedure, form, request.FILES)
        except DomainError as err:
            if err.status == 403:
                raise
            show_error(request, err)
        else:
            return _dossier_made(request, made, _("Đã ghi nhận hồ sơ."))
    return render(request, "onestop/intake.html", {
        "procedure": procedure, "form": form,
        "required": procedure.required_documents.all()})


@require_POST
@login_required
@policy_pages
def act(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    """One action on the dossier from its page; a refusal or bad input comes back as a
    message and changes nothing."""
    actor = _actor(request)
    found = queues.dossier_get(actor, ref)
    try:
        done = actions.run(actor, found, action, ActionForm(request.POST), request.FILES)
    except DomainError as err:
        if err.status == 403 and not err.audited:
            raise
        show_error(request, err)
    else:
        secret = getattr(done, "secret", "")
        if secret:
            request.session[SHOWN_ONCE.format(found.pk)] = secret
        messages.success(request, _("Đã cập nhật hồ sơ."))
    found.refresh_from_db()
    return redirect("onestop:dossier", ref=found.code or found.pk)


@require_GET
@login_required
@policy_pages
def forwarded(request: HttpRequest) -> HttpResponse:
    """R11.1(a): the dossiers other agencies' desks sent to this desk through the hub and not
    yet taken in or sent back, oldest first."""
    actor = _actor(request)
    queues.officer_desk(actor)
    rows = selectors.forwarded_waiting(actor)
    return render(request, "onestop/forwarded.html", {
        "rows": [(d, forwarded_facts(d).get("Người nộp", "")) for d in rows]})


FACT_TITLES: dict[str, StrPromise] = {
    "Mã hồ sơ": gettext_lazy("Mã hồ sơ"), "Thủ tục": gettext_lazy("Thủ tục"),
    "Người nộp": gettext_lazy("Người nộp"), "Ghi chú": gettext_lazy("Ghi chú")}
"""The forwarded document's fact labels (stored in Vietnamese), as the page shows them."""


def _procedure_of(request: HttpRequest, desk_id: int, facts: dict[str, str]) -> Procedure | None:
    """The procedure the officer picked (``?procedure=``), else this desk's current procedure
    with the code the sending desk named, else none yet."""
    current = selectors.procedures_current(desk_id)
    pick = request.POST.get("procedure") or request.GET.get("procedure", "")
    if pick.isdigit():
        return current.filter(pk=int(pick)).first()
    code = forwarded_procedure_code(facts)
    return current.filter(code=code).first() if code else None


@require_http_methods(["GET", "POST"])
@login_required
@policy_pages
def forwarded_receive(request: HttpRequest, uid: UUID) -> HttpResponse:
    """R11.1(a), R11.2: one forwarded dossier: its files and facts; take it in under one of this
    desk's procedures (accept at once with the desk's own code and Mẫu 01, or keep it for the
    check), or send it back to the sending desk with the reason."""
    actor = _actor(request)
    desk_agency = queues.officer_desk(actor)
    delivery = forwarded_waiting_get(actor, str(uid))
    facts = forwarded_facts(delivery)
    attachments = transmission_attachments(delivery.transmission)
    procedure = _procedure_of(request, desk_agency.pk, facts)
    form = ForwardedForm(request.POST or None, initial={
        "name": facts.get("Người nộp", ""), "procedure": procedure.pk if procedure else None})
    if request.method == "POST" and procedure is not None and form.is_valid():
        paper_ids = actions.forwarded_papers(request.POST, len(attachments), procedure)
        try:
            made = actions.take_forwarded(actor, str(uid), procedure, form, paper_ids)
        except DomainError as err:
            if err.status == 403 and not err.audited:
                raise
            show_error(request, err)
        else:
            return _dossier_made(request, made,
                                 _("Đã tiếp nhận hồ sơ do cơ quan khác chuyển đến."))
    elif request.method == "POST" and procedure is None:
        messages.error(request, _("Hãy chọn thủ tục hành chính của cơ quan để tiếp nhận hồ sơ."))
    return render(request, "onestop/forwarded_receive.html", {
        "delivery": delivery,
        "facts": [(FACT_TITLES.get(name, name), value) for name, value in facts.items()],
        "attachments": attachments, "form": form,
        "procedure": procedure, "back_form": SendBackForm(),
        "procedures": selectors.procedures_current(desk_agency.pk),
        "required": procedure.required_documents.all() if procedure else []})


@require_POST
@login_required
@policy_pages
def forwarded_send_back(request: HttpRequest, uid: UUID) -> HttpResponse:
    """R11.2: the forwarded dossier is invalid here: it goes back to the sending desk with the
    reason (the hub's rejection), and leaves this desk's list."""
    actor = _actor(request)
    queues.officer_desk(actor)
    form = SendBackForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed("Trả lại hồ sơ phải ghi rõ lý do (tối đa 500 ký tự).",
                                   "Sending a dossier back needs its reason (500 characters "
                                   "at most).", code="reason_required")
        forwarded_refuse(actor=actor, delivery_uid=str(uid),
                         reason=form.cleaned_data["reason"])
    except DomainError as err:
        if err.status == 403 and not err.audited:
            raise
        show_error(request, err)
        return redirect("onestop:forwarded_receive", uid=uid)
    messages.success(request, _("Đã trả lại hồ sơ cho cơ quan chuyển đến, kèm lý do."))
    return redirect("onestop:forwarded")


@require_GET
@login_required
@policy_pages
def forwarded_file(request: HttpRequest, uid: UUID, index: int) -> HttpResponse:
    """One file of a forwarded dossier, for the receiving desk's officer to check before taking
    it in (R11.2); served and audited like any download (R16.2)."""
    actor = _actor(request)
    queues.officer_desk(actor)
    delivery = forwarded_waiting_get(actor, str(uid))
    attachments = transmission_attachments(delivery.transmission)
    if not 0 <= index < len(attachments):
        raise Http404(index)
    paper = attachments[index]
    return blob_response(request, sha256=paper.sha256, filename=paper.name or f"{index}.pdf",
                         content_type=paper.content_type or "application/pdf",
                         object_type="exchange.delivery", object_id=delivery.uid,
                         agency_code=delivery.recipient.code,
                         detail={"file": index, "door": "onestop.forwarded"})
