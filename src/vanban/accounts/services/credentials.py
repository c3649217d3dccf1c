"""Passwords and sign-in (R20.2, R16.2): periodic change, throttling of repeated failures per
account and client address (:mod:`.lockout`), and an audit event for every success, failure and
lock. Unknown username, wrong password and a paused sign-in get the same message and cost the
same password hash, so neither the answer nor its timing tells which usernames exist."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction

from vanban.accounts import policy
from vanban.accounts.models import User
from vanban.accounts.services import lockout, totp
from vanban.accounts.services._common import USER_OBJECT, agency_code_of, validate_new_password
from vanban.accounts.services.tokens import IssuedToken, api_token_create, api_tokens_revoke_all
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
    """One answer for an unknown username, a wrong password and a paused sign-in."""
    return LoginError(
        "Tên đăng nhập hoặc mật khẩu không đúng, hoặc đăng nhập từ máy này đang tạm dừng do "
        "nhập sai nhiều lần. Vui lòng kiểm tra và thử lại sau.",
        "The username or password is incorrect, or sign-in from this address is paused after "
        "repeated failures. Check and try again later.")


def locked_error(until: datetime, *, what_vi: str = "đăng nhập",
                 what_en: str = "sign-ins") -> AccountLockedError:
    """The bilingual 'account locked until …' refusal, with ``locked_until`` for API clients;
    ``what`` says what failed (sign-ins, signing confirmations)."""
    local = until.astimezone(clock.VN_TZ)
    return AccountLockedError(
        f"Tài khoản tạm thời bị khóa do {what_vi} sai nhiều lần. "
        f"Vui lòng thử lại sau {local:%H:%M} ngày {local:%d/%m/%Y}.",
        f"The account is temporarily locked after repeated failed {what_en}. "
        f"Try again after {local:%H:%M} on {local:%d/%m/%Y}.",
        locked_until=until.isoformat(),
    )


def lock_end(user: User) -> datetime | None:
    """When the latest lock of ``user`` from some address ends, or None (shown to managers)."""
    until = user.locked_until
    return until if until is not None and until > clock.now() else None


def _audit_login(user: User | None, action: str, *, ip: str, signed_in: bool = False,
                 **data: object) -> None:
    """Sign-in events; the account is the actor only once it has proved who it is."""
    audit_append(actor=user if signed_in else None, action=action,
                 object_type=USER_OBJECT if user else "", object_id=user.pk if user else "",
                 agency_code=agency_code_of(user), data={"ip": ip, **data})


def record_login_failure(user: User, *, ip: str, reason: str) -> DomainError:
    """Count a failure of a known account from ``ip`` (a wrong code, a wrong step-up password);
    returns the error to raise: :class:`AccountLockedError` when this failure locked the pair."""
    until = _count_failure(user, username=user.username, ip=ip, reason=reason)
    return locked_error(until) if until is not None else _login_failed()


def _count_failure(user: User | None, *, username: str, ip: str, reason: str
                   ) -> datetime | None:
    """Count a failure for (username, ip) and ip, committed at once so the count survives the
    refusal; returns the end of the lock it set on the pair, if any."""
    with transaction.atomic():
        until = lockout.failure_record(username, ip)
        _audit_login(user, "login.failed", ip=ip, username=username[:150], reason=reason)
        if until is not None:
            _audit_login(user, "account.locked", ip=ip, username=username[:150],
                         until=until.isoformat())
            if user is not None:
                User.objects.filter(pk=user.pk).update(locked_until=until)
                user.locked_until = until
    return until


def login_attempt(*, username: str, password: str, ip: str) -> User:
    """Check a username and password (R20.2); raises :class:`LoginError` with one message for
    every failure. A paused (username, address) pair refuses even the right password."""
    user = User.objects.select_related("agency").filter(username__iexact=username.strip()).first()
    if lockout.blocked_until(username, ip) is not None:
        make_password(password)  # same work as a real check: no timing hint
        _audit_login(user, "login.refused_locked", ip=ip, username=username[:150])
        raise _login_failed()
    if user is None:
        make_password(password)
        _count_failure(None, username=username, ip=ip, reason="unknown")
        raise _login_failed()
    if not user.check_password(password):
        _count_failure(user, username=username, ip=ip, reason="password")
        raise _login_failed()
    if not user.is_active:
        _audit_login(user, "login.failed", ip=ip, username=user.username, reason="inactive")
        raise _login_failed()
    with transaction.atomic():
        lockout.success_record(username, ip)
        user.failed_logins = 0
        user.last_login = clock.now()
        user.save(update_fields=["failed_logins", "last_login"])
        second = "pending" if totp.has_confirmed_device(user) else "none"
        _audit_login(user, "login.succeeded", ip=ip, signed_in=True,
                     second_factor=second)
    return user


def login_second_factor(*, user: User, code: str, ip: str) -> User:
    """Second sign-in step: a TOTP code. Wrong or replayed codes count towards the lockout."""
    user.refresh_from_db()
    if (until := lockout.blocked_until(user.username, ip)) is not None:
        _audit_login(user, "login.refused_locked", ip=ip, username=user.username)
        raise locked_error(until)
    try:
        totp.totp_verify(user=user, code=code)
    except ValidationFailed:
        until = _count_failure(user, username=user.username, ip=ip, reason="otp")
        if until is not None:  # the password was right: the lock may be named
            raise locked_error(until) from None
        raise LoginError("Mã xác thực không đúng hoặc đã được dùng.",
                          "The code is wrong or was already used.", code="otp_invalid"
                          ) from None
    with transaction.atomic():
        _audit_login(user, "login.second_factor_succeeded", ip=ip, signed_in=True)
    return user


def api_token_issue(*, user: User, ip: str, label: str = "") -> IssuedToken:
    """A new API token for a user who just signed in, returned in clear this once; it expires
    after ``VANBAN_API_TOKEN_DAYS`` and dies with a password change (R20.2).

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
        issued = api_token_create(user=user, ip=ip, label=label)
        _audit_login(user, "api_token.issued", ip=ip, signed_in=True,
                     token=issued.record.prefix, expires=issued.record.expires_at.isoformat())
    return issued


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
        api_tokens_revoke_all(user=user)
        audit_append(actor=user, action="password.changed", object_type=USER_OBJECT,
                     object_id=user.pk, agency_code=agency_code_of(user))
    return user
