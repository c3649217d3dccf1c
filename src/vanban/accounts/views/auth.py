"""Sign-in (two steps when the account has a second factor), sign-out, password change.

Security as Django's ``LoginView``: CSRF protection, no caching, sensitive fields kept out of
error reports, and ``next`` followed only when it stays on this site.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from vanban.accounts import policy, services
from vanban.accounts.forms import CodeForm, LoginForm, PasswordChangeForm
from vanban.accounts.models import User
from vanban.accounts.views._helpers import client_ip, message_of, safe_next, signed_in
from vanban.core import clock
from vanban.core.errors import DomainError

# Session key of a sign-in that passed the password and waits for its code.
PENDING_KEY = "vanban_2fa_pending"
PENDING_SECONDS = 300
_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _finish(request: HttpRequest, user: User, target: str | None, *, two_factor: bool
            ) -> HttpResponse:
    auth_login(request, user, backend=_BACKEND)
    request.session.pop(PENDING_KEY, None)
    if two_factor:
        request.session[policy.SESSION_2FA_OK] = True
    return redirect(safe_next(request, target))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """First step: username and password, through ``login_attempt`` (lockout, audit)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(safe_next(request, target))
    form = LoginForm(request.POST if request.method == "POST" else None)
    error = None
    if form.is_valid():
        try:
            user = services.login_attempt(username=form.cleaned_data["username"],
                                          password=form.cleaned_data["password"],
                                          ip=client_ip(request))
        except DomainError as exc:
            error = message_of(request, exc)
        else:
            if not services.has_confirmed_device(user):
                return _finish(request, user, target, two_factor=False)
            if request.user.is_authenticated:
                auth_logout(request)
            request.session[PENDING_KEY] = {"user": user.pk, "next": target,
                                            "at": clock.now().timestamp()}
            return redirect("accounts:two_factor_verify")
    return render(request, "accounts/login.html",
                  {"form": form, "error": error, "next": target})


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    pending: dict[str, Any] | None = request.session.get(PENDING_KEY)
    if not pending or clock.now().timestamp() - float(pending["at"]) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, ""
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return user, str(pending.get("next", ""))


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Second step: a TOTP code, for a pending sign-in or a session that has not passed 2FA."""
    session_user = request.user if isinstance(request.user, User) else None
    if session_user is not None:
        user, target = session_user, request.GET.get("next", "")
        if request.session.get(policy.SESSION_2FA_OK):
            return redirect(safe_next(request, target))
    else:
        pending, target = _pending_user(request)
        if pending is None:
            messages.warning(request, _("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại."))
            return redirect("accounts:login")
        user = pending
    form = CodeForm(request.POST if request.method == "POST" else None)
    error = None
    if form.is_valid():
        try:
            services.login_second_factor(user=user, code=form.cleaned_data["code"],
                                         ip=client_ip(request))
        except services.AccountLockedError as exc:
            request.session.pop(PENDING_KEY, None)
            if session_user is not None:
                auth_logout(request)
            messages.error(request, message_of(request, exc))
            return redirect("accounts:login")
        except DomainError as exc:
            error = message_of(request, exc)
        else:
            if session_user is None:
                return _finish(request, user, target, two_factor=True)
            request.session[policy.SESSION_2FA_OK] = True
            return redirect(safe_next(request, target))
    return render(request, "accounts/two_factor_verify.html",
                  {"form": form, "error": error, "pending_user": user})


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so a link on another site cannot sign anyone out)."""
    if isinstance(request.user, User):
        services.logout_record(user=request.user, ip=client_ip(request))
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@csrf_protect
@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; shown as a required step when it expired or was admin-set."""
    user = signed_in(request)
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.password_change(user=user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password1"])
        except DomainError as exc:
            field = "old_password" if exc.code == "wrong_password" else "new_password1"
            form.add_error(field, message_of(request, exc))
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Đã đổi mật khẩu."))
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/password_change.html", {
        "form": form,
        "forced": user.must_change_password,
        "expired": policy.password_expired(user) and not user.must_change_password,
        "max_age_days": settings.VANBAN_PASSWORD_MAX_AGE_DAYS,
        "help_texts": password_validation.password_validators_help_texts(),
    })
