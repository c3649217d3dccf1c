"""Pages of the registry: documents of the agency, drafting, upload, register and sign, the
dispatch plan and recipients block, the outgoing register and its PDF (R3, R6, R9, R15)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from vanban.core import clock
from vanban.core.errors import DomainError, NotFound
from vanban.core.pages import request_actor as _actor
from vanban.core.pages import show_error as _failed
from vanban.core.paging import after_of, keyset_page
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.registry import printing, rules, selectors, services
from vanban.registry.core.numbering import ADMINISTRATIVE, series_label
from vanban.registry.forms import (
    ApprovalForm,
    CancelForm,
    DocumentFilterForm,
    DocumentForm,
    UploadForm,
)
from vanban.registry.models import Document
from vanban.registry.viewer import file_viewer, page_response
from vanban.storage.views import blob_response

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from vanban.accounts.models import User



def _document(request: HttpRequest, pk: int) -> Document:
    try:
        return selectors.document_get(_actor(request), pk)
    except NotFound as err:
        raise Http404(err.en) from None


@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    """The agency's outgoing documents, newest first: search, filters and pages of 50 with a
    link to the next page (never a list cut silently)."""
    actor = _actor(request)
    form = DocumentFilterForm(request.GET or None)
    query = form.query() if request.GET else selectors.DocumentFilter()
    found = selectors.documents_list(actor, query)
    page = keyset_page(found, after=after_of(request.GET.get("after")))
    can_draft = actor.agency_id is not None and rules.can_draft(actor, actor.agency_id)
    return render(request, "registry/document_list.html",
                  {"documents": page.items, "page": page, "form": form,
                   "filtered": query != selectors.DocumentFilter(), "can_draft": can_draft})


def _agency_of(request: HttpRequest) -> Agency:
    agency = getattr(request.user, "agency", None)
    if agency is None:
        raise PermissionDenied
    return cast(Agency, agency)


@login_required
def document_create(request: HttpRequest) -> HttpResponse:
    """The drafting form: type, subject, signer, urgency, secrecy, recipients."""
    actor = _actor(request)
    agency = _agency_of(request)
    if not rules.can_draft(actor, agency.pk):
        raise PermissionDenied
    form = DocumentForm(request.POST or None, agency=agency, user_id=request.user.pk)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(actor=actor, agency=agency, **form.values())
        except DomainError as err:
            _failed(request, err)
        else:
            messages.success(request, _("Đã lưu dự thảo văn bản."))
            return redirect("registry:document_detail", pk=document.pk)
    return render(request, "registry/document_form.html", {"form": form, "document": None})


@login_required
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft."""
    actor = _actor(request)
    document = _document(request, pk)
    if not selectors.can_edit(actor, document):
        raise PermissionDenied
    recipients = list(document.recipients.select_related("agency"))
    initial = {f: getattr(document, f) for f in (
        "type_code", "legal_normative", "subject", "unit", "place", "priority", "classification",
        "competence", "position", "full_name", "due_date", "archive_units", "description")}
    initial["agencies"] = [r.agency.code for r in recipients if r.agency is not None]
    initial["paper_agencies"] = [r.agency.code for r in recipients
                                 if r.agency is not None and r.role == "paper"]
    initial["individuals"] = "\n".join(f"{r.name} | {r.address} | {r.mailbox}"
                                       for r in recipients if r.agency is None)
    form = DocumentForm(request.POST or None, agency=document.agency, initial=initial,
                        user_id=request.user.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(actor=actor, document=document, **form.values())
        except DomainError as err:
            _failed(request, err)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("registry:document_detail", pk=document.pk)
    return render(request, "registry/document_form.html", {"form": form, "document": document})


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Metadata, files, the clerk's actions, the dispatch plan and the recipients block."""
    actor = _actor(request)
    document = _document(request, pk)
    return render(request, "registry/document_detail.html", {
        "document": document,
        "files": selectors.files_of(document),
        "current": selectors.current_file(document),
        "signed": selectors.signed_file(document),
        "plan": [_plan_row(r, request.LANGUAGE_CODE) for r in selectors.dispatch_plan(document)],
        "recipients_block": selectors.recipients_block_text(document),
        "is_clerk": selectors.can_manage(actor, document),
        "can_edit": selectors.can_edit(actor, document),
        "cancel_form": CancelForm(),
        "steps": selectors.approval_steps(document),
        "can_submit": selectors.can_submit(actor, document),
        "can_decide": selectors.can_decide(actor, document),
        "approval_form": ApprovalForm(),
        "viewer": file_viewer(document, selectors.current_file(document), request.LANGUAGE_CODE)
        if selectors.can_decide(actor, document) else None,
    })


def _plan_row(row: selectors.PlanRow, language: str) -> dict[str, Any]:
    return {"recipient": row.recipient, "channel": row.channel.value, "paper": row.paper,
            "channel_text": row.channel_label(language),
            "reason_texts": row.reason_labels(language),
            "reason_codes": [r.value for r in row.reasons]}


def _action(name: str, call: Callable[[Actor, Document], Any],
            done: str | StrPromise) -> Callable[..., Any]:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        document = _document(request, pk)
        try:
            call(_actor(request), document)
        except DomainError as err:
            _failed(request, err)
        else:
            messages.success(request, done)
        return redirect("registry:document_detail", pk=pk)

    view.__name__ = name
    view.__doc__ = f"POST: {name.replace('_', ' ')} (errors shown on the document's page)."
    return view


document_register = _action(
    "document_register", lambda a, d: services.document_register(actor=a, document=d),
    gettext_lazy("Đã cấp số và đăng ký văn bản."))


@login_required
@require_http_methods(["GET", "POST"])
def document_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """R9.1, R14.3: the confirmation page (no one-click signing): the clerk re-enters the
    password, a TOTP code or the token's PIN, then the file is signed."""
    actor = _actor(request)
    document = _document(request, pk)
    if not selectors.can_manage(actor, document):
        raise PermissionDenied
    from vanban.signatures.services import token_pin_check  # the signing stack loads on use

    on_token = token_pin_check(document.agency) is not None  # the PIN field is offered
    if request.method == "POST":
        try:
            confirmation = services.document_sign_confirm(
                user=cast("User", request.user), document=document,
                password=request.POST.get("password", ""), totp=request.POST.get("totp", ""),
                pin=request.POST.get("pin", ""), ip=request.META.get("REMOTE_ADDR", ""))
            services.document_sign(actor=actor, document=document, confirmation=confirmation)
        except DomainError as err:
            _failed(request, err)
        else:
            messages.success(request, _("Đã ký số văn bản."))
            return redirect("registry:document_detail", pk=pk)
    current = selectors.current_file(document)
    return render(request, "registry/document_sign.html", {
        "document": document, "current": current, "token": on_token,
        "viewer": file_viewer(document, current, request.LANGUAGE_CODE)})
document_mark_ready = _action(
    "document_mark_ready", lambda a, d: services.document_mark_ready(actor=a, document=d),
    gettext_lazy("Văn bản sẵn sàng gửi."))


@login_required
@require_POST
def document_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the document (its number stays, marked cancelled)."""
    document = _document(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy nhập lý do hủy."))
        return redirect("registry:document_detail", pk=pk)
    try:
        services.document_cancel(actor=_actor(request), document=document,
                                 reason=form.cleaned_data["reason"])
    except DomainError as err:
        _failed(request, err)
    else:
        messages.success(request, _("Đã hủy văn bản; số của văn bản được giữ lại."))
    return redirect("registry:document_detail", pk=pk)


@login_required
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the scan (PDF or page images) and appendices, merged into one file (R15.2)."""
    actor = _actor(request)
    document = _document(request, pk)
    if not selectors.can_manage(actor, document):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        main = request.FILES.getlist("main")
        try:
            services.document_upload(
                actor=actor, document=document, main=[f.read() for f in main],
                appendices=[f.read() for f in request.FILES.getlist("appendices")],
                filename=main[0].name or "" if main else "")
        except DomainError as err:
            _failed(request, err)
        else:
            messages.success(request, _("Đã tải lên tệp văn bản."))
            return redirect("registry:document_detail", pk=pk)
    return render(request, "registry/document_upload.html",
                  {"form": form, "document": document})


@login_required
def file_download(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """A file of a visible document, as stored (verified against its SHA-256 on read); every
    download is audited (R16.2)."""
    try:
        found = selectors.file_get(_actor(request), pk, file_id)
    except NotFound as err:
        raise Http404(err.en) from None
    name = f"van-ban-{pk}-{found.kind}-{found.sha256[:8]}.pdf"
    return blob_response(request, sha256=found.sha256, filename=name,
                         object_type="registry.document", object_id=pk,
                         agency_code=found.document.agency.code,
                         attachment="download" in request.GET)


@login_required
def file_page(request: HttpRequest, pk: int, file_id: int, page: int) -> HttpResponse:
    """One page of a visible document's file as an image, for the viewer beside the sign and
    approve forms: shown to exactly those who may download the file (R16.2), audited."""
    try:
        found = selectors.file_get(_actor(request), pk, file_id)
    except NotFound as err:
        raise Http404(err.en) from None
    return page_response(request, found.sha256, page, object_type="registry.document",
                         object_id=pk, agency_code=found.document.agency.code)


@login_required
def dispatch_list_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """R3.2: the printable list of paper copies to send."""
    document = _document(request, pk)
    data = printing.dispatch_list_pdf(document, selectors.dispatch_plan(document))
    return blob_response(request, data=data, filename=f"danh-sach-gui-giay-{pk}.pdf",
                         object_type="registry.document", object_id=pk,
                         agency_code=document.agency.code)


@login_required
def register_view(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The outgoing register of a year, per series, with the PDF download."""
    actor = _actor(request)
    year = year or clock.local_now().year
    english = (request.LANGUAGE_CODE or "vi").startswith("en")
    registers = [
        {"register": r, "label": series_label(r.series)[1 if english else 0],
         "entries": selectors.register_entries(r)}
        for r in selectors.registers_of(actor).filter(year=year).order_by("series")]
    years = sorted({*selectors.register_years(actor), year}, reverse=True)
    return render(request, "registry/register.html",
                  {"year": year, "years": years, "registers": registers,
                   "administrative": ADMINISTRATIVE})


@login_required
def register_pdf(request: HttpRequest, year: int, series: str) -> HttpResponse:
    """The register in the Decree 30/2020 layout, as PDF (a download, audited: R16.2)."""
    try:
        register = selectors.register_get(_actor(request), year=year, series=series)
    except NotFound as err:
        raise Http404(err.en) from None
    data = printing.register_pdf(register, list(selectors.register_entries(register)))
    return blob_response(request, data=data,
                         filename=f"so-van-ban-di-{year}-{series.replace(':', '-')}.pdf",
                         object_type="registry.register", object_id=register.pk,
                         agency_code=register.agency.code)


def _step(name: str, call: Callable[..., Any], done: str | StrPromise) -> Callable[..., Any]:
    """A POST of the approval (trình ký) with its note; errors shown on the document's page."""
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        document = _document(request, pk)
        form = ApprovalForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else request.POST.get("note", "")
        try:
            call(actor=_actor(request), document=document, note=note)
        except DomainError as err:
            _failed(request, err)
        else:
            messages.success(request, done)
        return redirect("registry:document_detail", pk=pk)

    view.__name__ = name
    view.__doc__ = f"POST: {name.replace('_', ' ')} (trình ký)."
    return view


document_submit = _step("document_submit", services.document_submit,
                        gettext_lazy("Đã trình lãnh đạo duyệt dự thảo."))
document_approve = _step("document_approve", services.document_approve,
                         gettext_lazy("Đã duyệt dự thảo; văn thư cấp số và ký số."))
document_return = _step("document_return", services.document_return,
                        gettext_lazy("Đã trả lại dự thảo kèm ý kiến."))
document_note = _step("document_note", services.document_note,
                      gettext_lazy("Đã ghi bút phê."))


@login_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    """Chờ duyệt: the drafts submitted to the head (or a delegate), newest first, in pages."""
    actor = _actor(request)
    if actor.agency_id is None or not rules.can_approve(actor, actor.agency_id):
        raise PermissionDenied
    page = keyset_page(selectors.awaiting_approval(actor),
                       after=after_of(request.GET.get("after")))
    return render(request, "registry/approval_queue.html",
                  {"documents": page.items, "page": page})
