"""Second factor by TOTP (RFC 6238, R20.2): enrolment, confirmation, verification that refuses a
code whose time step was already used, and removal. Every step is audited."""

from __future__ import annotations

import hmac

import pyotp
from django.db import transaction

from vanban.accounts.models import TOTPDevice, User
from vanban.accounts.privileges import Action
from vanban.accounts.services._common import (
    USER_OBJECT,
    agency_code_of,
    ensure_may,
)
from vanban.accounts.services.notices import notice_send
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed

ISSUER = "vanban"
VALID_WINDOW = 1  # accept the previous and next 30-second step: phones drift


def has_confirmed_device(user: User) -> bool:
    """Whether ``user`` signs in with a second factor."""
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def provisioning_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.username, issuer_name=ISSUER)


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (within the window) whose code equals ``code``, or None."""
    code = code.replace(" ", "").strip()
    totp = pyotp.TOTP(secret)
    if not (code.isdigit() and len(code) == totp.digits):
        return None
    current = totp.timecode(clock.now())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _bad_code() -> ValidationFailed:
    return ValidationFailed("Mã xác thực không đúng hoặc đã được dùng.",
                            "The code is wrong or was already used.", code="otp_invalid")


def _audit(actor: User | None, user: User, action: str, **data: object) -> None:
    audit_append(actor=actor, action=action, object_type=USER_OBJECT, object_id=user.pk,
                 agency_code=agency_code_of(user), data=data or None)


def _use_code(device: TOTPDevice, code: str) -> str | None:
    """Consume ``code``: store its step so it cannot be replayed. Returns why it failed."""
    step = _matching_step(device.secret, code)
    if step is None:
        return "wrong"
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if step <= locked.last_step:
        return "replay"
    locked.last_step = device.last_step = step
    locked.save(update_fields=["last_step"])
    return None


def totp_enrol_start(*, user: User) -> TOTPDevice:
    """Give the user a fresh, unconfirmed secret (replacing an unconfirmed one)."""
    if has_confirmed_device(user):
        raise Conflict("Xác thực hai lớp đã được bật. Hãy tắt trước khi đăng ký lại.",
                       "Two-factor authentication is already on; turn it off first.",
                       code="totp_already_enabled")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice(user=user, created_at=clock.now())
        device.secret = pyotp.random_base32()  # sealed under the master key (R14.3)
        device.save()
        _audit(user, user, "totp.enrol_started")
    return device


def totp_enrol_confirm(*, user: User, code: str) -> TOTPDevice:
    """Turn the second factor on once the user proves the app shows the right codes."""
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise Conflict("Chưa bắt đầu đăng ký xác thực hai lớp.",
                       "Two-factor enrolment has not been started.", code="totp_not_started")
    with transaction.atomic():
        failure = _use_code(device, code)
        if failure is None:
            device.confirmed_at = clock.now()
            device.save(update_fields=["confirmed_at"])
            _audit(user, user, "totp.enrolled")
    if failure is not None:
        _audit(user, user, "totp.failed", during="enrol", reason=failure)
        raise _bad_code()
    return device


def totp_verify(*, user: User, code: str) -> None:
    """Check a code of the confirmed device; a code of an already used time step is refused."""
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise Conflict("Tài khoản chưa bật xác thực hai lớp.",
                       "Two-factor authentication is not on for this account.",
                       code="totp_not_enabled")
    with transaction.atomic():
        failure = _use_code(device, code)
        if failure is None:
            _audit(user, user, "totp.verified")
    if failure is not None:
        _audit(user, user, "totp.failed", during="verify", reason=failure)
        raise _bad_code()


def totp_disable(*, actor: User | None, user: User, code: str | None = None, reason: str = ""
                 ) -> None:
    """Turn the second factor off: by the user with a current code, or by a manager allowed by
    the privilege rules; a head's or delegate's only by the province with a reason (R20.2).
    A reset by someone else is told to the owner."""
    by_self = actor is not None and actor.pk == user.pk
    reason = reason.strip()[:500]
    if by_self:
        if has_confirmed_device(user):
            totp_verify(user=user, code=code or "")
    else:
        ensure_may(actor, user, Action.RESET_2FA, audit_action="totp.disable", reason=reason)
    with transaction.atomic():
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        _audit(actor, user, "totp.disabled", by_self=by_self, had_device=bool(deleted),
               reason=reason)
        if not by_self:
            who = actor.username if actor is not None else "console"
            notice_send(user=user, kind="totp_reset",
                        vi=f"Xác thực hai lớp của tài khoản {user.username} đã được {who} tắt. "
                           f"Lý do: {reason or '(không ghi)'}.",
                        en=f"Two-factor authentication of account {user.username} was turned "
                           f"off by {who}. Reason: {reason or '(none given)'}.")
