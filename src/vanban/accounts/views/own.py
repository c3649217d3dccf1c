"""Pages of the signed-in user's own account area: API tokens (R20.2) and, for the head, the
roles waiting for approval (R20.1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from vanban.accounts import selectors, services
from vanban.accounts.forms import RoleDecisionForm, TokenForm, role_label
from vanban.accounts.views._helpers import client_ip, message_of, signed_in
from vanban.core import clock
from vanban.core.errors import DomainError
from vanban.core.roles import Role

# Session key holding a token just issued, shown once on the next page and then forgotten.
_FRESH = "vanban_fresh_token"


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: issue one (shown once), revoke, see expiry and last use."""
    user = signed_in(request)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                services.api_token_revoke(actor=user, token_id=request.POST.get("token", ""))
                messages.success(request, _("Đã thu hồi khóa API."))
            else:
                form = TokenForm(request.POST)
                label = form.cleaned_data["label"] if form.is_valid() else ""
                request.session[_FRESH] = services.api_token_issue(
                    user=user, ip=client_ip(request), label=label).clear
        except DomainError as exc:
            messages.error(request, message_of(request, exc))
        return redirect("accounts:tokens")
    return render(request, "accounts/tokens.html", {
        "tokens": selectors.api_tokens_of(user), "form": TokenForm(), "now": clock.now(),
        "fresh": request.session.pop(_FRESH, None),
    })


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """Roles that sign or register, asked for by a delegate or IT officer, waiting for the
    head's decision (R20.1)."""
    user = signed_in(request)
    if not (user.has_role(Role.HEAD) or user.has_role(Role.PROVINCE_ADMIN)):
        raise PermissionDenied
    if request.method == "POST":
        form = RoleDecisionForm(request.POST)
        if form.is_valid():
            try:
                services.role_request_decide(
                    actor=user, request_id=form.cleaned_data["request"],
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"])
            except DomainError as exc:
                messages.error(request, message_of(request, exc))
            else:
                messages.success(request, _("Đã ghi nhận quyết định."))
        return redirect("accounts:approvals")
    rows = [(r, role_label(Role(r.role))) for r in selectors.role_requests_pending(user)]
    return render(request, "accounts/approvals.html", {"rows": rows})
