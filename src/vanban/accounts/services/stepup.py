"""Step-up confirmation (R14.3, R21.1): before an action that speaks for the agency — a PAdES
signature with the agency certificate — the signed-in person proves again that it is them.

A session cookie or an API token alone is not enough to sign: whoever sits at an unlocked
screen or holds a stolen token must also know the password, hold the TOTP device or, for a key
on a PKCS#11 token, know the token's PIN. The proof is a short-lived :class:`StepUp` that the
signing service checks (:func:`stepup_require`) and whose method its audit event records; the
secret itself is never stored nor logged.

A wrong password, code or PIN counts towards the lockout of the account from that address like
a failed sign-in, so the confirmation cannot be used to guess the password without limit; every
refusal is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from vanban.accounts.models import User
from vanban.accounts.services.credentials import (
    AccountLockedError,
    locked_error,
    record_login_failure,
)
from vanban.accounts.services.lockout import blocked_until
from vanban.accounts.services.totp import totp_verify
from vanban.audit.services import audit_append, audit_refusal
from vanban.core import clock
from vanban.core.errors import Conflict, DomainError, ValidationFailed
from vanban.core.roles import Actor

# How long a confirmation stays good for the action it was asked for (signing may wait for the
# time-stamp authority, but a confirmation is never kept for a later action).
MAX_AGE = timedelta(minutes=5)
OBJECT_TYPE = "accounts.user"
SIGN_PURPOSE = "sign"


class StepUpMethod(StrEnum):
    """How the person confirmed. Stored in audit events; never rename a value."""

    PASSWORD = "password"  # noqa: S105 - a method name, not a secret
    TOTP = "totp"
    TOKEN_PIN = "token_pin"  # noqa: S105 - a method name, not a secret


class StepUpFailed(DomainError):
    """The confirmation was missing, wrong, stale or someone else's."""

    status = 403
    code = "stepup_failed"


@dataclass(frozen=True)
class StepUp:
    """A successful confirmation: who, how, when. Carries no secret."""

    user_id: int
    username: str
    method: StepUpMethod
    purpose: str
    at: datetime

    def audit_data(self) -> dict[str, Any]:
        """What the action's audit event says about the confirmation (method, never secret)."""
        return {"confirmed_by": self.username, "confirmation": self.method.value,
                "confirmed_at": self.at.isoformat()}


def _missing() -> StepUpFailed:
    return StepUpFailed(
        "Hãy xác nhận bằng mật khẩu, mã xác thực (TOTP) hoặc mã PIN của thiết bị ký trước khi ký.",
        "Confirm with your password, an authenticator (TOTP) code or the signing token's PIN "
        "before signing.", code="stepup_required")


def _wrong() -> StepUpFailed:
    return StepUpFailed("Thông tin xác nhận không đúng.", "The confirmation is incorrect.")


def _agency_code(user: User) -> str:
    agency = user.agency if user.agency_id is not None else None
    return agency.code if agency is not None else ""


def _refuse(user: User, error: DomainError, *, method: str, purpose: str) -> DomainError:
    return audit_refusal(actor=user, error=error, action="accounts.stepup",
                         object_type=OBJECT_TYPE, object_id=user.pk,
                         agency_code=_agency_code(user),
                         data={"method": method, "purpose": purpose})


def _failed(user: User, *, method: StepUpMethod, purpose: str, ip: str) -> DomainError:
    """Count a wrong password or code towards the lockout; the error to raise (audited)."""
    counted = record_login_failure(user, ip=ip, reason=f"stepup_{method.value}")
    error: DomainError = counted if isinstance(counted, AccountLockedError) else _wrong()
    return _refuse(user, error, method=method.value, purpose=purpose)


def _check(user: User, *, password: str, totp: str, pin: str,
           pin_check: Callable[[str], bool] | None, purpose: str, ip: str) -> StepUpMethod:
    """The method that succeeded; raises an audited error otherwise."""
    if totp.strip():
        try:
            totp_verify(user=user, code=totp)
        except Conflict as err:
            raise _refuse(user, StepUpFailed(err.vi, err.en, code="totp_not_enabled"),
                          method="totp", purpose=purpose) from None
        except ValidationFailed:
            raise _failed(user, method=StepUpMethod.TOTP, purpose=purpose, ip=ip) from None
        return StepUpMethod.TOTP
    if password:
        if not user.check_password(password):
            raise _failed(user, method=StepUpMethod.PASSWORD, purpose=purpose, ip=ip)
        return StepUpMethod.PASSWORD
    if pin and pin_check is not None:
        if not pin_check(pin):
            raise _failed(user, method=StepUpMethod.TOKEN_PIN, purpose=purpose, ip=ip)
        return StepUpMethod.TOKEN_PIN
    raise _refuse(user, _missing(), method="", purpose=purpose)


def stepup_confirm(*, user: User, password: str = "", totp: str = "", pin: str = "",
                   pin_check: Callable[[str], bool] | None = None, purpose: str = SIGN_PURPOSE,
                   ip: str = "") -> StepUp:
    """Confirm that the signed-in ``user`` is present, by one of: a TOTP code (tried first when
    given), the password, or the PIN of the signing token (``pin_check`` opens the token with
    it; only offered when the key lives on a PKCS#11 token).

    Returns the :class:`StepUp` to hand to the service, or raises :class:`StepUpFailed` /
    the lockout error, audited as ``accounts.stepup.denied``. While the account is locked from
    this address (``lockout``), nothing confirms.
    """
    user.refresh_from_db(fields=["is_active"])
    until = blocked_until(user.username, ip)
    if not user.is_active or until is not None:
        error: DomainError = (_wrong() if until is None else
                              locked_error(until, what_vi="xác nhận", what_en="confirmations"))
        raise _refuse(user, error, method="", purpose=purpose)
    method = _check(user, password=password, totp=totp, pin=pin, pin_check=pin_check,
                    purpose=purpose, ip=ip)
    confirmed = StepUp(user_id=int(user.pk), username=user.username, method=method,
                       purpose=purpose, at=clock.now())
    audit_append(actor=user, action="accounts.stepup.confirmed", object_type=OBJECT_TYPE,
                 object_id=user.pk, agency_code=_agency_code(user),
                 data={"method": method.value, "purpose": purpose, "ip": ip})
    return confirmed


def stepup_require(*, actor: Actor | None, confirmation: StepUp | None, purpose: str,
                   action: str, agency_code: str) -> StepUp | None:
    """The service-side check: ``confirmation`` is the actor's own, for ``purpose``, and recent.

    The console operator (``actor`` None, e.g. ``vanban pdf sign``) needs none. A refusal is
    audited as ``<action>.denied`` with the reason ``stepup_required``.
    """
    if actor is None:
        return confirmation
    fresh = (confirmation is not None and str(confirmation.user_id) == str(actor.pk)
             and confirmation.purpose == purpose
             and clock.now() - confirmation.at <= MAX_AGE)
    if not fresh:
        raise audit_refusal(actor=actor, error=_missing(), action=action,
                            agency_code=agency_code)
    return confirmation
