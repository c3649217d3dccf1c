"""Pages of the mail gateway's quarantine (R4.1): the refused messages of the clerk's mailbox,
one message with its reasons, the raw message, "Từ chối" with a reason mailed back, and "Xét
lại" (judge it again). Thin:
selectors read, services write."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vanban.core.errors import Conflict, DomainError
from vanban.core.pages import policy_pages
from vanban.core.pages import request_actor as _actor
from vanban.core.pages import show_error as _failed
from vanban.mailgate import selectors, services
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.services.rejudge import being_rejudged
from vanban.storage.views import blob_response

logger = logging.getLogger(__name__)


class RejectForm(forms.Form):
    """The clerk's reason, sent back to the sender."""

    reason = forms.CharField(label=gettext_lazy("Lý do từ chối"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))


def carries_malware(message: MailMessage) -> bool:
    """Whether the intake found malware in the message (its raw bytes are kept as evidence,
    never served)."""
    return any(r.get("code") == "malware" for r in message.reasons)


def _reasons(message: MailMessage, language: str) -> list[dict[str, str]]:
    english = (language or "vi").startswith("en")
    return [{"code": r.get("code", ""), "text": r.get("en" if english else "vi", ""),
             "detail": r.get("detail", "")} for r in message.reasons]


def _rejudged(message: MailMessage) -> list[dict[str, Any]]:
    """The re-judgings with their time as a datetime (the template shows it local)."""
    return [{**r, "at": datetime.fromisoformat(r["at"])} for r in message.rejudged
            if isinstance(r, dict) and r.get("at")]


@login_required
@policy_pages
@require_GET
def quarantine(request: HttpRequest) -> HttpResponse:
    """The messages the gateway refused, waiting for the clerk (then those rejected)."""
    rows = list(selectors.quarantine_list(_actor(request))[:200])
    language = request.LANGUAGE_CODE
    return render(request, "mailgate/quarantine.html", {
        "rows": [{"message": m, "reasons": _reasons(m, language),
                  "rejudging": being_rejudged(m)} for m in rows]})


@login_required
@policy_pages
@require_GET
def message(request: HttpRequest, uid: str) -> HttpResponse:
    """One message: sender, DKIM, attachments and their hashes, the reasons, the answer."""
    found = selectors.message_get(_actor(request), uid)
    context: dict[str, Any] = {"message": found, "form": RejectForm(),
                               "malware": carries_malware(found),
                               "rejudged": _rejudged(found),
                               "rejudging": being_rejudged(found),
                               "reasons": _reasons(found, request.LANGUAGE_CODE)}
    return render(request, "mailgate/message.html", context)


@login_required
@policy_pages
@require_GET
def message_raw(request: HttpRequest, uid: str) -> HttpResponse:
    """The message exactly as received (.eml), audited as every download."""
    found = selectors.message_get(_actor(request), uid)
    if carries_malware(found):
        _failed(request, Conflict("Thư chứa mã độc: không tải thư gốc xuống được.",
                                  "The message carries malware: its original cannot be "
                                  "downloaded.", code="malware_kept_back"))
        return redirect("mailgate:message", uid=found.uid)
    return blob_response(request, sha256=found.raw_sha256, filename=f"thu-{found.uid}.eml",
                         object_type="mailgate.message", object_id=found.uid,
                         agency_code=found.agency.code, attachment=True,
                         content_type="message/rfc822")


@login_required
@policy_pages
@require_POST
def reject(request: HttpRequest, uid: str) -> HttpResponse:
    """"Từ chối": the reason is kept, audited and mailed to the sender."""
    actor = _actor(request)
    found = selectors.message_get(actor, uid)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy ghi lý do từ chối."))
        return redirect("mailgate:message", uid=found.uid)
    try:
        services.quarantine_reject(actor=actor, message=found,
                                   reason=form.cleaned_data["reason"])
    except DomainError as err:
        _failed(request, err)
    else:
        messages.success(request, _("Đã từ chối thư và báo lại cho người gửi."))
    return redirect("mailgate:message", uid=found.uid)


@login_required
@policy_pages
@require_POST
def rejudge(request: HttpRequest, uid: str) -> HttpResponse:
    """"Xét lại": judge the kept message again; filed if it now passes."""
    actor = _actor(request)
    found = selectors.message_get(actor, uid)
    try:
        now = services.quarantine_rejudge(actor=actor, message=found)
    except DomainError as err:
        _failed(request, err)
    except Exception:  # a fault of ours (the one that kept it): the row is unchanged
        logger.exception("mail gateway: re-judging %s failed", found.uid)
        messages.error(request, _("Chưa xét lại được do lỗi nội bộ của hệ thống; thư vẫn được "
                                  "giữ nguyên. Hãy báo Cán bộ CNTT xem nhật ký của cổng thư."))
    else:
        if now.state == MailState.DSN:
            messages.success(request, _("Đã xét lại: thư là báo cáo chuyển phát (DSN) và đã "
                                        "được chuyển cho phần gửi thư đối chiếu."))
        elif now.state == MailState.FILED:
            messages.success(request, _("Đã xét lại: thư đạt yêu cầu và đã được nhận vào hộp "
                                        "văn bản đến."))
        else:
            messages.warning(request, _("Đã xét lại: thư vẫn chưa đạt yêu cầu, vẫn bị giữ "
                                        "lại."))
    return redirect("mailgate:message", uid=found.uid)
