"""The account security page (R20.2, R17.1) and TOTP enrolment with a QR code."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from vanban.accounts import policy, selectors, services
from vanban.accounts.forms import CodeForm, SecurityPolicyForm, role_label
from vanban.accounts.models import User
from vanban.accounts.services.security import POLICY_KEEPERS
from vanban.accounts.views._helpers import message_of, signed_in
from vanban.core import clock
from vanban.core.errors import DomainError
from vanban.core.roles import Role


def _qr_svg(uri: str) -> str:
    """The provisioning URI as an inline SVG QR code (no image request, no external service)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2))


@never_cache
@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Start enrolment (a new secret), show it as QR code and text, confirm it with a code."""
    user = signed_in(request)
    if services.has_confirmed_device(user):
        messages.info(request, _("Xác thực hai lớp đã được bật cho tài khoản này."))
        return redirect("accounts:security")
    form = CodeForm(request.POST if request.POST.get("action") == "confirm" else None)
    if request.method == "POST" and request.POST.get("action") == "start":
        services.totp_enrol_start(user=user)
        return redirect("accounts:two_factor_enrol")
    if form.is_valid():
        try:
            services.totp_enrol_confirm(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", message_of(request, exc))
        else:
            request.session[policy.SESSION_2FA_OK] = True
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return redirect("accounts:security")
    device = selectors.totp_pending_device(user)
    context: dict[str, object] = {"form": form, "device": device,
                                  "required": policy.two_factor_required(user)}
    if device is not None:
        uri = services.provisioning_uri(device)
        context.update(qr_svg=_qr_svg(uri), secret=device.secret,
                       secret_groups=" ".join(device.secret[i:i + 4]
                                              for i in range(0, len(device.secret), 4)))
    return render(request, "accounts/two_factor_enrol.html", context)


def _can_keep_policy(user: User) -> bool:
    return user.agency_id is not None and any(user.has_role(r) for r in POLICY_KEEPERS)


def _handle_post(request: HttpRequest, user: User) -> None:
    action = request.POST.get("action")
    try:
        if action == "policy" and _can_keep_policy(user) and user.agency is not None:
            form = SecurityPolicyForm(request.POST)
            if form.is_valid():
                services.agency_security_policy_set(
                    actor=user, agency=user.agency,
                    require_2fa_roles=form.cleaned_data["require_2fa_roles"])
                messages.success(request, _("Đã lưu quy định bảo mật của cơ quan."))
        elif action == "disable":
            services.totp_disable(actor=user, user=user, code=request.POST.get("code", ""))
            messages.success(request, _("Đã tắt xác thực hai lớp."))
    except DomainError as exc:
        messages.error(request, message_of(request, exc))


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Own 2FA status and password age; the agency's 2FA policy for its head and security
    officer, with the agency's posture (R17.1)."""
    user = signed_in(request)
    if request.method == "POST":
        _handle_post(request, user)
        return redirect("accounts:security")
    required_roles = selectors.security_policy_of(user.agency_id)
    changed = user.password_changed_at
    context: dict[str, object] = {
        "two_factor_on": services.has_confirmed_device(user),
        "two_factor_required": policy.two_factor_required(user),
        "password_changed_at": changed,
        "password_age_days": (clock.now() - changed).days if changed else None,
        "password_expires_at": selectors.password_expires_at(user),
        "max_age_days": settings.VANBAN_PASSWORD_MAX_AGE_DAYS,
        "required_labels": [role_label(r) for r in required_roles],
        "can_keep_policy": _can_keep_policy(user),
        "notices": selectors.notices_of(user),
        "can_approve": user.has_role(Role.HEAD) or user.has_role(Role.PROVINCE_ADMIN),
        "pending_count": selectors.role_requests_pending(user).count(),
    }
    if _can_keep_policy(user) and user.agency is not None:
        context["policy_form"] = SecurityPolicyForm(
            initial={"require_2fa_roles": [r.value for r in required_roles]})
        context["posture"] = selectors.agency_posture(user.agency)
    return render(request, "accounts/security.html", context)
