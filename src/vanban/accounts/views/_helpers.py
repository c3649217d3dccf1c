"""Small helpers shared by the account pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from vanban.accounts.models import User
from vanban.core.errors import DomainError


def client_ip(request: HttpRequest) -> str:
    """The address the request came from (the reverse proxy sets REMOTE_ADDR)."""
    return str(request.META.get("REMOTE_ADDR", ""))


def safe_next(request: HttpRequest, target: str | None) -> str:
    """``target`` when it stays on this site, else the default landing page."""
    if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def message_of(request: HttpRequest, error: DomainError) -> str:
    """An error's message in the page's language."""
    return error.message(getattr(request, "LANGUAGE_CODE", "vi"))


def signed_in(request: HttpRequest) -> User:
    """The signed-in staff member (views are wrapped in ``login_required``)."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("login_required must wrap this view")
    return user
