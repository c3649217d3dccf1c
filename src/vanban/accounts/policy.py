"""What the account policy still requires of a signed-in user (R20.2), as a URL name or None."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from vanban.accounts.models import AgencySecurityPolicy, TOTPDevice, User
from vanban.core import clock
from vanban.core.roles import Role

SESSION_2FA_OK = "vanban_2fa_ok"


def password_expired(user: User) -> bool:
    """True when the password is older than ``VANBAN_PASSWORD_MAX_AGE_DAYS`` or must be reset."""
    if user.must_change_password:
        return True
    if user.password_changed_at is None:
        return False
    max_age = timedelta(days=settings.VANBAN_PASSWORD_MAX_AGE_DAYS)
    return clock.now() - user.password_changed_at > max_age


def two_factor_required(user: User) -> bool:
    """True when the user's agency makes a second factor compulsory for one of the user's roles."""
    if user.agency_id is None:
        return False
    policy = AgencySecurityPolicy.objects.filter(agency_id=user.agency_id).first()
    if policy is None:
        return False
    required = {Role(r) for r in policy.require_2fa_roles}
    return bool(required & user.role_set())


def has_confirmed_totp(user: User) -> bool:
    """Whether the user has enrolled a working TOTP device."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def pending_step(user: User, session: SessionBase) -> str | None:
    """The page the user must visit next, or None when the account is in good standing."""
    if has_confirmed_totp(user) and not session.get(SESSION_2FA_OK):
        return "accounts:two_factor_verify"
    if password_expired(user):
        return "accounts:password_change"
    if two_factor_required(user) and not has_confirmed_totp(user):
        return "accounts:two_factor_enrol"
    return None
