"""API token authentication (R20.2): hashed, expiring, revocable tokens, and the account
policy (expired password, compulsory 2FA) applied to every call."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from vanban.accounts import policy
from vanban.accounts.models import ApiToken
from vanban.accounts.services.tokens import api_token_authenticate

KEYWORD = "Token"
# RFC 6750's scheme name is accepted too, for clients that only know "Bearer".
KEYWORDS = frozenset({b"token", b"bearer"})


class PolicyTokenAuthentication(BaseAuthentication):
    """``Authorization: Token …`` (or ``Bearer …``): the token's SHA-256 must match a live
    token (not expired, not revoked) of an active account; refused for expired passwords and
    for accounts their agency requires to use 2FA that have not enrolled (R20.2, R17.1).

    A sign-in lockout does not stop a valid token: the lockout is per client address and
    guards passwords, and a token is already proof of a past sign-in.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        """The token's user and record, None without a token header, or a refusal."""
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Tiêu đề Authorization không hợp lệ. / Invalid Authorization header.")
        try:
            clear = parts[1].decode("ascii")
        except UnicodeDecodeError:
            clear = ""
        token = api_token_authenticate(clear) if clear else None
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                "Khóa API không hợp lệ, đã hết hạn hoặc đã bị thu hồi. / "
                "The API token is invalid, expired or revoked.")
        user = token.user
        if policy.password_expired(user):
            raise exceptions.AuthenticationFailed(
                "Mật khẩu đã hết hạn, hãy đổi mật khẩu. / The password has expired; change it."
            )
        if policy.two_factor_required(user) and not policy.has_confirmed_totp(user):
            raise exceptions.AuthenticationFailed(
                "Cơ quan yêu cầu xác thực hai lớp; hãy bật trên trang web. / "
                "Your agency requires two-factor authentication; enrol on the web."
            )
        return user, token

    def authenticate_header(self, request: Request) -> str:
        """Makes a missing token a 401 with ``WWW-Authenticate`` naming both schemes."""
        return 'Token realm="vanban", Bearer realm="vanban"'


class PolicyTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describes the token header in the OpenAPI schema."""

    target_class = "vanban.accounts.api_auth.PolicyTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        """``Authorization: Token <token>`` (or ``Bearer <token>``) from
        ``POST /api/v1/auth/token/``."""
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token <token> or Bearer <token> (POST /api/v1/auth/token/); "
                               "hashed, expiring, revocable (DELETE /api/v1/me/tokens/{id}/)."}


class TokenRateThrottle(SimpleRateThrottle):
    """Per-token rate limit (issue 15): ``VANBAN_API_TOKEN_RATE`` calls per period for each
    API token ("600/min" by default, "" for none); over it, a 429 problem with
    ``Retry-After``. Session (browser) calls are not counted: the limit is for integrations."""

    scope = "api_token"

    def get_rate(self) -> str | None:
        """Read from the settings at each request (operators and tests change it)."""
        return getattr(settings, "VANBAN_API_TOKEN_RATE", "600/min") or None

    def allow_request(self, request: Any, view: Any) -> bool:
        """Without a rate nothing is limited."""
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        """One bucket per token; calls without a token are not throttled here."""
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
