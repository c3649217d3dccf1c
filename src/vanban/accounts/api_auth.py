"""API token authentication that honours the account policy (lockout, expired password)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request

from vanban.accounts import policy
from vanban.accounts.models import User
from vanban.core import clock


class PolicyTokenAuthentication(TokenAuthentication):
    """``Authorization: Token …``; refused for locked accounts, expired passwords, and accounts
    their agency requires to use 2FA that have not enrolled (R20.2, R17.1)."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        """Authenticate, then apply the account policy."""
        result = super().authenticate(request)
        if result is None:
            return None
        user: User = result[0]
        if user.locked_until is not None and user.locked_until > clock.now():
            raise exceptions.AuthenticationFailed(
                "Tài khoản đang bị khóa tạm thời. / The account is temporarily locked."
            )
        if policy.password_expired(user):
            raise exceptions.AuthenticationFailed(
                "Mật khẩu đã hết hạn, hãy đổi mật khẩu. / The password has expired; change it."
            )
        if policy.two_factor_required(user) and not policy.has_confirmed_totp(user):
            raise exceptions.AuthenticationFailed(
                "Cơ quan yêu cầu xác thực hai lớp; hãy bật trên trang web. / "
                "Your agency requires two-factor authentication; enrol on the web."
            )
        return result
