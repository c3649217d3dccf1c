"""Helpers shared by the account services: permission checks that audit refusals, role parsing,
password validation with messages in both languages, and the audit snapshot of a staff member."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation

from vanban.accounts import privileges
from vanban.accounts.models import RoleRequest, User
from vanban.accounts.privileges import Action, Party, Refusal
from vanban.audit.services import audit_refusal
from vanban.core.errors import (
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
    forbidden,
    not_found,
)
from vanban.core.roles import Role

USER_OBJECT = "accounts.user"


def is_system_or_province(actor: User | None) -> bool:
    """The console operator (``None``) and the province administrator act on every agency."""
    return actor is None or actor.has_role(Role.PROVINCE_ADMIN)


def agency_code_of(user: User | None) -> str:
    """The agency code stamped on an audit event (empty for the console and superusers)."""
    if user is None or user.agency_id is None or user.agency is None:
        return ""
    return user.agency.code


def refuse(
    actor: User | None, error: DomainError, *, action: str, object_id: object = "",
    data: Mapping[str, Any] | None = None,
) -> DomainError:
    """Record a refused attempt (R16.2) and return the error for the caller to raise.

    Called before the service opens its own transaction, so the record survives the refusal.
    """
    return audit_refusal(actor=actor, error=error, action=action, object_type=USER_OBJECT,
                         object_id=object_id, agency_code=agency_code_of(actor), data=data)


def ensure_agency_role(
    actor: User | None, agency_id: int | None, roles: Iterable[Role], *, action: str,
    missing: NotFound, object_id: object = "", data: Mapping[str, Any] | None = None,
) -> None:
    """Allow the console, the province administrator, or a holder of ``roles`` in the agency.

    Another agency gets ``missing`` (R1.1: no hint that the object exists); the right agency
    without the role gets :func:`forbidden`. Both are audited.
    """
    if actor is None or actor.has_role(Role.PROVINCE_ADMIN):
        return
    if agency_id is None or actor.agency_id != agency_id:
        raise refuse(actor, missing, action=action, object_id=object_id, data=data)
    if not any(actor.has_role(role) for role in roles):
        raise refuse(actor, forbidden(), action=action, object_id=object_id, data=data)


def actor_party(actor: User | None) -> Party | None:
    """The actor as the privilege rules see it: its approved roles only."""
    if actor is None:
        return None
    roles = actor.role_set() if actor.is_active else frozenset()
    return Party(pk=actor.pk, agency_id=actor.agency_id, roles=roles)


def pending_roles(user: User) -> frozenset[Role]:
    """Roles asked for ``user`` that wait for the head's approval."""
    if user.pk is None:
        return frozenset()
    return frozenset(Role(r) for r in RoleRequest.objects.filter(
        user=user, state=RoleRequest.State.PENDING).values_list("role", flat=True))


def target_party(user: User) -> Party:
    """The target as the privilege rules see it: approved and pending roles."""
    return Party(pk=user.pk, agency_id=user.agency_id,
                 roles=user.role_set() | pending_roles(user))


def refusal_error(refusal: Refusal) -> DomainError:
    """The bilingual error of one privilege refusal."""
    match refusal:
        case Refusal.OTHER_AGENCY:
            return staff_not_found()
        case Refusal.NOT_MANAGER:
            return forbidden()
        case Refusal.OWN_ACCOUNT:
            return Forbidden(
                "Không ai tự thực hiện thao tác quản trị trên tài khoản của chính mình; "
                "hãy nhờ người quản lý khác.",
                "Nobody performs administrative actions on their own account; ask another "
                "manager.", code="own_account")
        case Refusal.PRIVILEGE_ORDER:
            return Forbidden(
                "Bạn không thể thao tác trên tài khoản có quyền bằng hoặc cao hơn quyền của bạn.",
                "You cannot act on an account with privileges equal to or higher than yours.",
                code="privilege_order")
        case Refusal.PROVINCE_ONLY:
            return Forbidden(
                "Mật khẩu và xác thực hai lớp của thủ trưởng hoặc người được ủy quyền chỉ do quản "
                "trị cấp tỉnh đặt lại.",
                "Only the province administrator resets the password or second factor of a head "
                "or delegate.", code="province_reset_only")
        case Refusal.REASON_REQUIRED:
            return ValidationFailed("Nhập lý do đặt lại.", "Enter the reason for the reset.",
                                    code="reason_required")


def ensure_may(actor: User | None, user: User, action: Action, *, audit_action: str,
               reason: str = "", data: Mapping[str, Any] | None = None) -> None:
    """Ask the privilege rules (:mod:`vanban.accounts.privileges`) whether ``actor`` may perform
    ``action`` on ``user``; a refusal is audited (R16.2) and raised."""
    refusal = privileges.decide(actor_party(actor), target_party(user), action, reason=reason)
    if refusal is None:
        return
    if refusal is Refusal.REASON_REQUIRED:
        raise refusal_error(refusal)
    raise refuse(actor, refusal_error(refusal), action=audit_action,
                 object_id=user.pk, data={**(data or {}), "refusal": refusal.value})


def staff_not_found() -> NotFound:
    """The standard 'no such staff member' error."""
    return not_found("cán bộ", "Staff member")


def parse_roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    """Turn role names into roles, refusing unknown ones."""
    out = set()
    for value in roles:
        try:
            out.add(Role(value))
        except ValueError:
            raise ValidationFailed(
                f"Vai trò không hợp lệ: {value}.", f"Unknown role: {value}.", code="invalid_role"
            ) from None
    return frozenset(out)


def validate_new_password(password: str, user: User) -> None:
    """Run Django's validators (R20.2) and raise one error carrying both languages."""
    messages: dict[str, str] = {}
    for language in ("vi", "en"):
        with translation.override(language):
            try:
                password_validation.validate_password(password, user)
            except DjangoValidationError as exc:
                messages[language] = " ".join(exc.messages)
    if messages:
        raise ValidationFailed(messages["vi"], messages["en"], code="weak_password")


def staff_snapshot(user: User) -> dict[str, Any]:
    """What an audit event records of an account: never any password material."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "agency_id": user.agency_id,
        "unit_id": user.unit_id,
        "position": user.position,
        "mailbox": user.mailbox,
        "active": user.is_active,
        "roles": sorted(r.value for r in user.role_set()) if user.pk else [],
    }
