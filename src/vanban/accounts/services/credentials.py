"""Passwords and sign-in (R20.2, R16.2): periodic change, lockout after repeated failures, and
an audit event for every success, failure and lockout."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from rest_framework.authtoken.models import Token

from vanban.accounts import policy
from vanban.accounts.models import User
from vanban.accounts.services import totp
from vanban.accounts.services._common import USER_OBJECT, agency_code_of, validate_new_password
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import DomainError, Forbidden, ValidationFailed


class LoginError(DomainError):
    """Wrong username, password or code. The same message whether or not the username exists."""

    status = 400
    code = "login_failed"


class AccountLockedError(DomainError):
    """Too many failures: the account refuses every sign-in until ``locked_until``."""

    status = 403
    code = "account_locked"


def _login_failed() -> LoginError:
    return LoginError("Tên đăng nhập hoặc mật khẩu không đúng.",
                       "The username or password is incorrect.")


def _locked(until: datetime) -> AccountLockedError:
    local = until.astimezone(clock.VN_TZ)
    return AccountLockedError(
        "Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần. "
        f"Vui lòng thử lại sau {local:%H:%M} ngày {local:%d/%m/%Y}.",
        "The account is temporarily locked after repeated failed sign-ins. "
        f"Try again after {local:%H:%M} on {local:%d/%m/%Y}.",
        locked_until=until.isoformat(),
    )


def lock_end(user: User) -> datetime | None:
    """When the running lockout ends, or None when the account is not locked."""
    until = user.locked_until
    return until if until is not None and until > clock.now() else None


def _audit_login(user: User | None, action: str, *, ip: str, signed_in: bool = False,
                 **data: object) -> None:
    """Sign-in events; the account is the actor only once it has proved who it is."""
    audit_append(actor=user if signed_in else None, action=action,
                 object_type=USER_OBJECT if user else "", object_id=user.pk if user else "",
                 agency_code=agency_code_of(user), data={"ip": ip, **data})


def record_login_failure(user: User, *, ip: str, reason: str) -> DomainError:
    """Count a failure; the threshold-th consecutive one locks the account. Committed at once so
    the count survives the refusal; returns the error to raise."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.failed_logins += 1
        _audit_login(locked, "login.failed", ip=ip, username=locked.username, reason=reason,
                     failures=locked.failed_logins)
        error: DomainError = _login_failed()
        if locked.failed_logins >= settings.VANBAN_LOCKOUT_THRESHOLD:
            until = clock.now() + timedelta(minutes=settings.VANBAN_LOCKOUT_MINUTES)
            _audit_login(locked, "account.locked", ip=ip, username=locked.username,
                         until=until.isoformat(), failures=locked.failed_logins)
            locked.locked_until = until
            locked.failed_logins = 0
            error = _locked(until)
        locked.save(update_fields=["failed_logins", "locked_until"])
    user.failed_logins, user.locked_until = locked.failed_logins, locked.locked_until
    return error


def login_attempt(*, username: str, password: str, ip: str) -> User:
    """Check a username and password (R20.2). Raises :class:`LoginError` or
    :class:`AccountLockedError`; a locked account refuses even the right password."""
    user = User.objects.select_related("agency").filter(username__iexact=username.strip()).first()
    if user is None:
        User().set_password(password)  # same work as a real check: no timing hint
        _audit_login(None, "login.failed", ip=ip, username=username[:150], reason="unknown")
        raise _login_failed()
    if (until := lock_end(user)) is not None:
        _audit_login(user, "login.refused_locked", ip=ip, username=user.username)
        raise _locked(until)
    if not user.check_password(password):
        raise record_login_failure(user, ip=ip, reason="password")
    if not user.is_active:
        _audit_login(user, "login.failed", ip=ip, username=user.username, reason="inactive")
        raise _login_failed()
    with transaction.atomic():
        user.failed_logins = 0
        user.locked_until = None
        user.last_login = clock.now()
        user.save(update_fields=["failed_logins", "locked_until", "last_login"])
        second = "pending" if totp.has_confirmed_device(user) else "none"
        _audit_login(user, "login.succeeded", ip=ip, signed_in=True,
                     second_factor=second)
    return user


def login_second_factor(*, user: User, code: str, ip: str) -> User:
    """Second sign-in step: a TOTP code. Wrong or replayed codes count towards the lockout."""
    user.refresh_from_db()
    if (until := lock_end(user)) is not None:
        _audit_login(user, "login.refused_locked", ip=ip, username=user.username)
        raise _locked(until)
    try:
        totp.totp_verify(user=user, code=code)
    except ValidationFailed:
        error = record_login_failure(user, ip=ip, reason="otp")
        if isinstance(error, LoginError):
            raise LoginError("Mã xác thực không đúng hoặc đã được dùng.",
                              "The code is wrong or was already used.", code="otp_invalid"
                              ) from None
        raise error from None
    with transaction.atomic():
        _audit_login(user, "login.second_factor_succeeded", ip=ip, signed_in=True)
    return user


def api_token_issue(*, user: User, ip: str) -> str:
    """The API token of a user who just signed in (one per user, kept until a password change).

    Refused while the account owes a policy step the web would force first (R20.2).
    """
    if policy.password_expired(user):
        raise Forbidden("Mật khẩu đã hết hạn hoặc phải đổi; hãy đổi mật khẩu trên trang web.",
                        "The password has expired or must be changed; change it on the web.",
                        code="password_expired")
    if policy.two_factor_required(user) and not totp.has_confirmed_device(user):
        raise Forbidden("Cơ quan yêu cầu xác thực hai lớp; hãy bật trên trang web trước.",
                        "Your agency requires two-factor authentication; enrol on the web first.",
                        code="two_factor_enrolment_required")
    with transaction.atomic():
        token, created = Token.objects.get_or_create(user=user)
        _audit_login(user, "api_token.issued", ip=ip, signed_in=True, new=created)
    return str(token.key)


def logout_record(*, user: User, ip: str) -> None:
    """Audit a sign-out, so a session's end is on record as well as its start (R16.2)."""
    with transaction.atomic():
        _audit_login(user, "logout.succeeded", ip=ip, signed_in=True)


def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The user's own password change (R20.2); resets the password age and the forced change."""
    if not user.check_password(old_password):
        raise ValidationFailed("Mật khẩu hiện tại không đúng.",
                               "The current password is incorrect.", code="wrong_password")
    if old_password == new_password:
        raise ValidationFailed("Mật khẩu mới phải khác mật khẩu hiện tại.",
                               "The new password must differ from the current one.",
                               code="password_unchanged")
    validate_new_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = clock.now()
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        Token.objects.filter(user=user).delete()
        audit_append(actor=user, action="password.changed", object_type=USER_OBJECT,
                     object_id=user.pk, agency_code=agency_code_of(user))
    return user
