"""Pages of the incoming register (R4.2, R4.3, R5.1, R10.1): the clerk's inbox with each
delivery's verification, the delivery page (every check and its reason, register or reject),
paper registration, the register and its printed PDF. Thin: selectors and services work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.checks.services import inbox_check_record
from vanban.core.errors import DomainError
from vanban.core.pages import policy_pages
from vanban.core.pages import request_actor as _actor
from vanban.core.pages import show_error as _failed
from vanban.core.paging import after_of, keyset_page
from vanban.core.roles import Actor, Role
from vanban.directory.models import Agency
from vanban.exchange.core.states import State
from vanban.exchange.models import Delivery
from vanban.exchange.selectors import readable_file, transmission_attachments
from vanban.incoming import policy, printing, selectors, services
from vanban.incoming.forms import PaperForm, RegisterForm, RejectForm
from vanban.incoming.models import IncomingDocument
from vanban.incoming.viewer import delivery_viewer, entry_viewer
from vanban.registry.viewer import page_response
from vanban.signatures.models import Verification
from vanban.storage.views import blob_response

CHECK_NAMES = {
    "well_formed": gettext_lazy("Tệp PDF hợp lệ"),
    "signature_present": gettext_lazy("Có chữ ký số"),
    "intact": gettext_lazy("Nội dung toàn vẹn"),
    "coverage": gettext_lazy("Chữ ký bao trùm toàn bộ tệp"),
    "trusted_chain": gettext_lazy("Chứng thư số do CA tin cậy cấp"),
    "validity_period": gettext_lazy("Chứng thư còn hạn khi ký"),
    "not_revoked": gettext_lazy("Chứng thư chưa bị thu hồi khi ký"),
    "sender_certificate": gettext_lazy("Chứng thư thuộc cơ quan gửi"),
    "signing_time": gettext_lazy("Thời điểm ký"),
    "mark_position": gettext_lazy("Vị trí dấu chữ ký"),
    "mail_sender": gettext_lazy("Gửi từ hộp thư công vụ đã đăng ký của cơ quan gửi"),
    "mail_dkim": gettext_lazy("Chữ ký DKIM của hệ thống thư công vụ tỉnh"),
}




def _is_clerk(actor: Actor) -> bool:
    return actor.agency_id is not None and actor.has_role(Role.CLERK)


def check_rows(verification: Verification | None, language: str) -> list[dict[str, Any]]:
    """Each check with its name and its message in the page's language."""
    if verification is None:
        return []
    english = (language or "vi").startswith("en")
    return [{"code": c.get("code", ""), "name": CHECK_NAMES.get(c.get("code", ""), c.get("code")),
             "status": c.get("status", ""), "detail": c.get("detail", ""),
             "text": c.get("en" if english else "vi", "")} for c in verification.checks]


def _delivery(request: HttpRequest, uid: str) -> Delivery:
    """A delivery of the actor's agency, for the register keepers (:mod:`.policy`)."""
    return selectors.delivery_get(_actor(request), uid)


def _entry(request: HttpRequest, pk: int, action: str = "incoming.document_view"
           ) -> IncomingDocument:
    """An incoming document the actor may see (need-to-know, :mod:`.policy`)."""
    return selectors.entry_get(_actor(request), pk, action=action)


@login_required
@policy_pages
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """R10.1, R10.2: deliveries waiting with their verdict, and the latest registered lines.
    A clerk's opening is recorded as a check; only the register keepers open it."""
    actor = _actor(request)
    page = keyset_page(selectors.waiting(actor), after=after_of(request.GET.get("after")),
                       size=selectors.PAGE)
    waiting = page.items
    inbox_check_record(actor=actor)
    found = services.verifications_for(waiting)
    rows = [{"delivery": d, "verification": found.get(d.pk)} for d in waiting]
    latest = selectors.register_page(actor, limit=20)
    return render(request, "incoming/inbox.html", {
        "rows": rows, "page": page, "latest": latest, "is_clerk": _is_clerk(actor),
        "can_assign": policy.may_assign(actor, actor.agency_id or 0)})


@login_required
@policy_pages
@require_GET
def delivery(request: HttpRequest, uid: str) -> HttpResponse:
    """R4.3: every check of the delivery's verification with its reason, and the clerk's
    register and reject forms while it waits."""
    actor = _actor(request)
    found = _delivery(request, uid)
    verification = services.incoming_verify(delivery=found)
    entry = selectors.entry_of_delivery(found)
    waiting = found.state == State.ARRIVED and entry is None
    return render(request, "incoming/delivery.html", {
        "delivery": found, "verification": verification, "entry": entry,
        "attachments": transmission_attachments(found.transmission),
        "checks": check_rows(verification, request.LANGUAGE_CODE),
        "can_act": waiting and _is_clerk(actor),
        "viewer": delivery_viewer(found, request.LANGUAGE_CODE),
        "register_form": RegisterForm(agency_id=found.recipient_id),
        "reject_form": RejectForm()})


@login_required
@policy_pages
@require_POST
def register(request: HttpRequest, uid: str) -> HttpResponse:
    """R10.1: the clerk registers the verified delivery (status 03 goes to the sender)."""
    actor = _actor(request)
    found = _delivery(request, uid)
    form = RegisterForm(request.POST, agency_id=found.recipient_id)
    if not form.is_valid():
        messages.error(request, " ".join([str(_("Thông tin vào sổ không hợp lệ.")), *(
            str(e) for errors in form.errors.values() for e in errors)]))
        return redirect("incoming:delivery", uid=uid)
    try:
        entry = services.incoming_register_delivery(
            actor=actor, delivery=found, recipient_unit=form.cleaned_data["recipient_unit"],
            recipient_user=form.cleaned_data["recipient_user"],
            note=form.cleaned_data["note"])
    except DomainError as err:
        _failed(request, err)
        return redirect("incoming:delivery", uid=uid)
    messages.success(request, _("Đã vào sổ văn bản đến, số đến %(n)s.")
                     % {"n": entry.arrival_number})
    if entry.duplicate_of_id:
        messages.warning(request, _("Văn bản này trùng với văn bản đã vào sổ, số đến %(n)s.")
                         % {"n": entry.duplicate_of.arrival_number if entry.duplicate_of
                            else ""})
    return redirect("incoming:entry", pk=entry.pk)


@login_required
@policy_pages
@require_POST
def reject(request: HttpRequest, uid: str) -> HttpResponse:
    """The clerk rejects the delivery with a reason (status 02 goes to the sender)."""
    found = _delivery(request, uid)
    try:
        services.incoming_reject(actor=_actor(request), delivery=found,
                                 reason=request.POST.get("reason", ""))
    except DomainError as err:
        _failed(request, err)
    else:
        messages.success(request, _("Đã từ chối tiếp nhận văn bản."))
    return redirect("incoming:delivery", uid=uid)


@login_required
@policy_pages
@require_http_methods(["GET", "POST"])
def paper(request: HttpRequest) -> HttpResponse:
    """R10.1: register a paper document scanned on arrival, in the same register (the register
    keepers' page)."""
    actor = _actor(request)
    if actor.agency_id is None:
        raise Http404
    policy.register_allowed(actor, action="incoming.paper")
    form = PaperForm(request.POST or None, request.FILES or None, agency_id=actor.agency_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        issuer: Agency | None = data["issuer"]
        try:
            entry = services.incoming_register_paper(
                actor=actor, data=[f.read() for f in request.FILES.getlist("scan")],
                subject=data["subject"], issuer=issuer, issuer_name=data["issuer_name"],
                code_number=data["code_number"], code_notation=data["code_notation"],
                issued_date=data["issued_date"], type_name=data["type_name"],
                priority=data["priority"], classification=data["classification"],
                due_date=data["due_date"], recipient_unit=data["recipient_unit"],
                recipient_user=data["recipient_user"], note=data["note"])
        except DomainError as err:
            form.add_error(None, err.message(request.LANGUAGE_CODE))
        else:
            messages.success(request, _("Đã vào sổ văn bản đến, số đến %(n)s.")
                             % {"n": entry.arrival_number})
            return redirect("incoming:entry", pk=entry.pk)
    return render(request, "incoming/paper.html", {"form": form})


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@policy_pages
@require_GET
def register_list(request: HttpRequest) -> HttpResponse:
    """The incoming register of a year, newest first, 50 lines a page, with a search."""
    actor = _actor(request)
    search = request.GET.get("q", "")[:100]
    page = selectors.register_page(actor, year=_int(request.GET.get("year")), search=search,
                                   before=_int(request.GET.get("before")))
    return render(request, "incoming/register.html", {
        "page": page, "search": search, "years": selectors.register_years(actor),
        "is_clerk": _is_clerk(actor), "can_assign": policy.may_assign(actor, actor.agency_id or 0)})


@login_required
@policy_pages
@require_GET
def register_pdf(request: HttpRequest) -> HttpResponse:
    """The register of a year printed in the Decree 30/2020 layout (a download, audited)."""
    actor = _actor(request)
    year = _int(request.GET.get("year"))
    page = selectors.register_page(actor, year=year, limit=1)
    if page.register is None:
        raise Http404
    data = printing.incoming_register_pdf(page.register,
                                          selectors.register_all(actor, page.register))
    return blob_response(request, data=data, filename=f"so-van-ban-den-{page.year}.pdf",
                         object_type="incoming.register", object_id=page.register.pk,
                         agency_code=page.register.agency.code)


@login_required
@policy_pages
@require_GET
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One line of the register: its columns, the duplicate it repeats, its verification."""
    found = _entry(request, pk)
    attachments = (transmission_attachments(found.delivery.transmission)
                   if found.delivery is not None else [])
    return render(request, "incoming/entry.html", {
        "entry": found, "attachments": attachments,
        "checks": check_rows(found.verification, request.LANGUAGE_CODE),
        "viewer": entry_viewer(found, request.LANGUAGE_CODE),
        "can_assign": policy.may_assign(_actor(request), found.agency_id)})


@login_required
@policy_pages
@require_GET
def entry_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The registered document's file as received (or as scanned): need-to-know, audited."""
    found = _entry(request, pk, action="incoming.document_download")
    if not found.file_sha256:
        raise Http404
    position = request.GET.get("n")
    if position is not None and found.delivery is not None:  # another attachment (ADR 0015)
        chosen = next((a for a in transmission_attachments(found.delivery.transmission)
                       if str(a.position) == position), None)
        if chosen is None:
            raise Http404
        pdf = chosen.content_type == "application/pdf"
        return blob_response(request, sha256=chosen.sha256, filename=chosen.name,
                             object_type="incoming.document", object_id=found.pk,
                             agency_code=found.agency.code, attachment=not pdf,
                             content_type=chosen.content_type if pdf
                             else "application/octet-stream")
    return blob_response(request, sha256=found.file_sha256,
                         filename=f"van-ban-den-{found.arrival_number}.pdf",
                         object_type="incoming.document", object_id=found.pk,
                         agency_code=found.agency.code)


@login_required
@policy_pages
@require_GET
def delivery_file(request: HttpRequest, uid: str) -> HttpResponse:
    """The delivery's main file as received (kept even when it failed verification), or with
    ``?n=<position>`` any other attachment of it (ADR 0015), audited. A file that is not a PDF
    is only ever downloaded, never shown in the browser."""
    found = _delivery(request, uid)
    if not readable_file(found):
        raise Http404
    position = request.GET.get("n")
    if position is None:
        return blob_response(request, sha256=found.transmission.file_sha256,
                             filename="van-ban-den.pdf", object_type="exchange.delivery",
                             object_id=found.uid, agency_code=found.recipient.code)
    chosen = next((a for a in transmission_attachments(found.transmission)
                   if str(a.position) == position), None)
    if chosen is None:
        raise Http404
    pdf = chosen.content_type == "application/pdf"
    return blob_response(request, sha256=chosen.sha256, filename=chosen.name,
                         object_type="exchange.delivery", object_id=found.uid,
                         agency_code=found.recipient.code, attachment=not pdf,
                         content_type=chosen.content_type if pdf else "application/octet-stream")


@login_required
@policy_pages
@require_GET
def entry_page(request: HttpRequest, pk: int, page: int) -> HttpResponse:
    """One page of the registered document as an image, for whoever may download it (R16.2)."""
    found = _entry(request, pk, action="incoming.document_download")
    if not found.file_sha256:
        raise Http404
    return page_response(request, found.file_sha256, page, object_type="incoming.document",
                         object_id=found.pk, agency_code=found.agency.code)


@login_required
@policy_pages
@require_GET
def delivery_page(request: HttpRequest, uid: str, page: int) -> HttpResponse:
    """One page of the delivery's main file as an image, for the clerk registering it."""
    found = _delivery(request, uid)
    if not readable_file(found):
        raise Http404
    return page_response(request, found.transmission.file_sha256, page,
                         object_type="exchange.delivery", object_id=found.uid,
                         agency_code=found.recipient.code)
