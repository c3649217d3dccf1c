"""Pages of the hub: the sender's tracking page per document, the recipient's inbox, the hub
admin page, and the federation endpoint peers post to. Thin: selectors and services work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vanban.core.errors import DomainError, NotFound
from vanban.core.pages import policy_pages
from vanban.core.pages import request_actor as _actor
from vanban.core.pages import show_error as _failed
from vanban.core.paging import PAGE_SIZE, after_of, keyset_page
from vanban.core.roles import Role
from vanban.exchange import identity, selectors, services
from vanban.exchange.core.states import STATE_LABELS, State
from vanban.exchange.models import Channel, Delivery, OutboxMessage
from vanban.exchange.services.federation import federation_receive
from vanban.exchange.services.mail_deliveries import MAIL_STATE_LABELS, mail_state
from vanban.registry import selectors as registry_selectors
from vanban.registry.core.dispatch import Channel as PlanChannel
from vanban.registry.models import Document, DocumentState
from vanban.storage.views import blob_response

# What the hub carries: its own agencies, other installations, an agency's official mailbox.
HUB_CHANNELS = frozenset({PlanChannel.INTERNAL, PlanChannel.FEDERATED, PlanChannel.MAIL})

PAGE = PAGE_SIZE  # rows a page of the sent list and the inbox



def evidence_url(uid: object) -> str:
    """Where the evidence bundle of a delivery is downloaded."""
    try:
        return reverse("evidence:bundle", args=[str(uid)])
    except NoReverseMatch:
        return f"/evidence/delivery/{uid}/bundle.json"


def state_text(state: str, language: str) -> str:
    """A delivery state in the page's language."""
    vi, en = STATE_LABELS[State(state)]
    return en if (language or "vi").startswith("en") else vi


def delivery_state_text(delivery: Delivery, language: str) -> str:
    """The state as the page says it: a mail delivery also says queued, mailed, delivered to
    the mailbox or bounced (R9.1)."""
    if delivery.channel == Channel.MAIL:
        label = MAIL_STATE_LABELS.get(mail_state(delivery))
        if label is not None:
            return label[1] if (language or "vi").startswith("en") else label[0]
    return state_text(delivery.state, language)


def _rows(request: HttpRequest, deliveries: Any) -> list[dict[str, Any]]:
    return [{"delivery": d, "state_text": delivery_state_text(d, request.LANGUAGE_CODE),
             "mail_state": mail_state(d) if d.channel == Channel.MAIL else "",
             "evidence_url": evidence_url(d.uid)} for d in deliveries]


def _document(request: HttpRequest, pk: int) -> Document:
    try:
        return registry_selectors.document_get(_actor(request), pk)
    except NotFound as err:
        raise Http404(err.en) from None


@login_required
@require_GET
def sent_list(request: HttpRequest) -> HttpResponse:
    """What the agency sent, newest first (50 a page, keyset), with its deliveries."""
    page = keyset_page(selectors.transmissions_of(_actor(request)).prefetch_related("deliveries"),
                       after=after_of(request.GET.get("after")), size=PAGE)
    ready = registry_selectors.documents_of(_actor(request)).filter(
        state=DocumentState.READY, transmissions__isnull=True)[:50]
    return render(request, "exchange/sent_list.html",
                  {"transmissions": page.items, "page": page, "ready": ready})


@login_required
@require_GET
def tracking(request: HttpRequest, pk: int) -> HttpResponse:
    """R7.1: each recipient's state and times (Asia/Ho_Chi_Minh) and its evidence bundle."""
    actor = _actor(request)
    document = _document(request, pk)
    transmissions = selectors.tracking(actor, document)
    is_clerk = actor.agency_id == document.agency_id and actor.has_role(Role.CLERK)
    sections = [{"transmission": t, "rows": _rows(request, selectors.deliveries_of(t))}
                for t in transmissions]
    can_send = is_clerk and document.state == DocumentState.READY and not transmissions
    plan = registry_selectors.dispatch_plan(document)
    # R3.2: what the hub does not carry (paper, an individual's mailbox) the clerk sends by hand.
    by_hand = [row for row in plan if row.paper or row.channel not in HUB_CHANNELS
               or (row.channel == PlanChannel.MAIL and row.recipient.agency_id is None)]
    return render(request, "exchange/tracking.html", {
        "document": document, "sections": sections, "is_clerk": is_clerk,
        "can_send": can_send, "plan": plan, "by_hand": by_hand})


@login_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk sends the ready document."""
    document = _document(request, pk)
    try:
        transmission = services.transmission_send(actor=_actor(request), document=document)
    except DomainError as err:
        _failed(request, err)
    else:
        messages.success(request, _("Đã gửi văn bản tới %(n)s nơi nhận.")
                         % {"n": transmission.deliveries.count()})
    return redirect("exchange:tracking", pk=pk)


@login_required
@require_POST
def revoke(request: HttpRequest, uid: str) -> HttpResponse:
    """The clerk revokes a sent document (reason required)."""
    actor = _actor(request)
    try:
        transmission = selectors.transmission_get(actor, uid)
        services.transmission_revoke(actor=actor, transmission=transmission,
                                     reason=request.POST.get("reason", ""))
    except NotFound as err:
        raise Http404(err.en) from None
    except DomainError as err:
        _failed(request, err)
        return redirect("exchange:sent_list")
    messages.success(request, _("Đã thu hồi văn bản."))
    return redirect("exchange:tracking", pk=transmission.document_id)


@login_required
@require_POST
def recall(request: HttpRequest, uid: str) -> HttpResponse:
    """The clerk asks a recipient to give a delivery back (13)."""
    actor = _actor(request)
    try:
        delivery = selectors.delivery_for_sender(actor, uid)
    except NotFound as err:
        raise Http404(err.en) from None
    try:
        services.delivery_recall_request(actor=actor, delivery=delivery,
                                         reason=request.POST.get("reason", ""))
    except DomainError as err:
        _failed(request, err)
    else:
        messages.success(request, _("Đã gửi đề nghị lấy lại văn bản."))
    return redirect("exchange:tracking", pk=delivery.transmission.document_id)


@login_required
@policy_pages
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """What arrived for the agency, with its state, newest first (50 a page, keyset)."""
    page = keyset_page(selectors.inbox_of(_actor(request)),
                       after=after_of(request.GET.get("after")), size=PAGE)
    return render(request, "exchange/inbox.html",
                  {"rows": _rows(request, page.items), "page": page})


def _incoming(request: HttpRequest, uid: str) -> Delivery:
    try:
        return selectors.delivery_for_recipient(_actor(request), uid)
    except NotFound as err:
        raise Http404(err.en) from None


@login_required
@policy_pages
@require_GET
def incoming(request: HttpRequest, uid: str) -> HttpResponse:
    """One received document with the actions the user's role allows."""
    actor = _actor(request)
    delivery = _incoming(request, uid)
    roles = {r for r in Role if actor.has_role(r)}
    return render(request, "exchange/incoming.html", {
        "delivery": delivery, "state_text": state_text(delivery.state, request.LANGUAGE_CODE),
        "is_clerk": Role.CLERK in roles,
        "readable": selectors.readable_file(delivery), "evidence_url": evidence_url(delivery.uid)})


@login_required
@policy_pages
@require_GET
def incoming_file(request: HttpRequest, uid: str) -> HttpResponse:
    """The received file (until the copy is withdrawn); the register keepers', audited."""
    delivery = _incoming(request, uid)
    if not selectors.readable_file(delivery):
        raise PermissionDenied
    return blob_response(request, sha256=delivery.transmission.file_sha256,
                         filename="van-ban.pdf", object_type="exchange.delivery",
                         object_id=delivery.uid, agency_code=delivery.recipient.code)


@login_required
@policy_pages
@require_POST
def incoming_status(request: HttpRequest, uid: str) -> HttpResponse:
    """Reject (02) or answer a recall (15/16); 03 is registering, 04/05/06 follow the work."""
    actor = _actor(request)
    delivery = _incoming(request, uid)
    code = request.POST.get("code", "")
    reason = request.POST.get("reason", "")
    if code == "03":  # accepting is registering (R5.1, R10.1): the incoming register's page
        messages.info(request, _("Hãy kiểm tra chữ ký số và vào sổ văn bản đến để tiếp nhận."))
        return redirect("incoming:delivery", uid=uid)
    if code in ("04", "05", "06"):  # progress follows the assignment (R8.1)
        messages.info(request, _("Trạng thái 04, 05, 06 được gửi khi phân công, bắt đầu xử lý "
                                 "và hoàn thành văn bản trong trang Xử lý văn bản đến."))
        return redirect("exchange:incoming", uid=uid)
    try:
        if code in ("15", "16"):
            services.delivery_recall_answer(actor=actor, delivery=delivery, agree=code == "15",
                                            reason=reason)
        else:
            services.delivery_status_set(actor=actor, delivery=delivery, code=code,
                                         reason=reason)
    except DomainError as err:
        _failed(request, err)
    else:
        messages.success(request, _("Đã cập nhật trạng thái."))
    return redirect("exchange:incoming", uid=uid)


@login_required
@require_GET
def hub(request: HttpRequest) -> HttpResponse:
    """Queues, failed deliveries and peers (province administrator)."""
    try:
        status = selectors.hub_status(_actor(request))
    except DomainError:
        raise PermissionDenied from None
    return render(request, "exchange/hub.html", {
        "status": status, "installation_id": identity.installation_id(),
        "public_key": identity.public_key_pem()})


@login_required
@require_POST
def hub_retry(request: HttpRequest, uid: str) -> HttpResponse:
    """Make a failed message due now."""
    message = OutboxMessage.objects.filter(uid=uid).first()
    if message is None:
        raise Http404
    try:
        services.outbox_retry_now(actor=_actor(request), message=message)
    except DomainError:
        raise PermissionDenied from None
    messages.success(request, _("Sẽ thử gửi lại ngay."))
    return redirect("exchange:hub")


class FederationMessages(APIView):
    """``POST`` an edXML message from a peer installation (signed; see ``identity``)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def post(self, request: Request) -> Response:
        """Apply the message; a repeat is acknowledged with ``duplicate: true``."""
        receipt = federation_receive(
            installation=request.headers.get(identity.HEADER_INSTALLATION, ""),
            signature=request.headers.get(identity.HEADER_SIGNATURE, ""),
            body=request._request.body)
        return Response({"message_id": receipt.message_id, "kind": receipt.kind,
                         "duplicate": receipt.duplicate,
                         "installation": identity.installation_id()})
