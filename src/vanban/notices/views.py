"""Pages of the notices: the bell page (unread and read, mark read, mark all read) and the
mail choice. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.core import paging
from vanban.core.errors import DomainError
from vanban.core.pages import request_actor, show_error
from vanban.notices import selectors, services
from vanban.notices.models import MailChoice


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    """The bell page: the user's notices newest first, a page at a time; ``?unread=1`` only
    the unread ones."""
    actor = request_actor(request)
    unread = request.GET.get("unread") == "1"
    page = paging.keyset_page(selectors.notices_of(actor, unread=unread),
                              after=paging.after_of(request.GET.get("after")))
    return render(request, "notices/list.html", {
        "page": page, "unread_only": unread, "unread": selectors.unread_count(actor)})


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


@login_required
@require_POST
def read(request: HttpRequest) -> HttpResponse:
    """Mark one notice read; with ``open`` go on to the page it is about."""
    try:
        notice = services.notice_read(actor=request_actor(request),
                                      notice_id=_int(request.POST.get("id")))
    except DomainError as err:
        show_error(request, err)
        return redirect("notices:list")
    target = notice.url
    if request.POST.get("open") and target and url_has_allowed_host_and_scheme(
            target, allowed_hosts=None) and target.startswith("/"):
        return redirect(target)
    return redirect("notices:list")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notice of the user read."""
    count = services.notices_read_all(actor=request_actor(request))
    messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": count})
    return redirect("notices:list")


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """The user's choice of mail: none, one per notice, or a daily digest."""
    actor = request_actor(request)
    if request.method == "POST":
        try:
            services.preference_set(actor=actor, choice=request.POST.get("mail", ""))
        except DomainError as err:
            show_error(request, err)
        else:
            messages.success(request, _("Đã lưu cách nhận thư thông báo."))
            return redirect("notices:settings")
    return render(request, "notices/settings.html", {
        "choices": MailChoice.choices, "current": selectors.mail_choice(actor),
        "address": getattr(request.user, "mailbox", "") or getattr(request.user, "email", "")})
