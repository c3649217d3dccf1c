"""Enforce the account policy on every page (R20.2): an expired or admin-set password must be
changed, and a role the agency protects with 2FA must enrol and pass it, before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from vanban.accounts import policy

# Pages that must stay reachable while a policy step is pending.
_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/api/")


class AccountPolicyMiddleware:
    """Redirect a logged-in user to the step the policy still requires."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(_EXEMPT_PREFIXES):
            step = policy.pending_step(user, request.session)  # type: ignore[arg-type]
            if step is not None:
                return redirect(step)
        return self.get_response(request)
