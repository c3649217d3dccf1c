"""Enforce the account policy on every page (R20.2): an expired or admin-set password must be
changed, and a role the agency protects with 2FA must enrol and pass it, before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from vanban.accounts import policy
from vanban.accounts.models import User

# Always reachable: the language switch, static files, signing out.
_ALWAYS = ("/i18n/", "/static/")
_API = "/api/"
# The API's sign-in endpoint issues tokens; its own checks apply.
_API_SIGN_IN_SUFFIX = "/auth/token/"


def _api_refusal() -> HttpResponse:
    """A problem-details refusal for a session whose account still owes a policy step."""
    vi = "Tài khoản cần hoàn tất bước bảo mật (đổi mật khẩu hoặc xác thực hai lớp) trên trang web."
    en = "Finish the pending security step (password change or two-factor) on the web first."
    body = {"type": "https://vanban.invalid/problems/account_policy_pending",
            "title": "account policy pending", "status": 403, "detail": vi,
            "detail_vi": vi, "detail_en": en, "code": "account_policy_pending"}
    return JsonResponse(body, status=403, content_type="application/problem+json",
                        json_dumps_params={"ensure_ascii": False})


class AccountPolicyMiddleware:
    """Redirect a signed-in user to the step the policy still requires.

    Only that step's page and signing out stay open; a session used on the API gets a 403
    problem instead (token clients are checked by ``api_auth``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (isinstance(user, User) and user.is_authenticated
                and not request.path.startswith(_ALWAYS)):
            step = policy.pending_step(user, request.session)
            if step is not None:
                allowed = {reverse(step), reverse("accounts:logout")}
                if request.path.startswith(_API):
                    if not request.path.endswith(_API_SIGN_IN_SUFFIX):
                        return _api_refusal()
                elif request.path not in allowed:
                    return redirect(step)
        return self.get_response(request)
