"""Helpers shared by the account services: permission checks that audit refusals, role parsing,
password validation with messages in both languages, and the audit snapshot of a staff member."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation

from vanban.accounts.models import User
from vanban.audit.services import audit_refusal
from vanban.core.errors import DomainError, NotFound, ValidationFailed, forbidden, not_found
from vanban.core.roles import STAFF_MANAGERS, Role

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


def ensure_staff_manager(
    actor: User | None, user: User, *, action: str, data: Mapping[str, Any] | None = None
) -> None:
    """Permission to manage ``user``'s account (R20.1); province admins only by their peers."""
    ensure_agency_role(actor, user.agency_id, STAFF_MANAGERS, action=action,
                       missing=staff_not_found(), object_id=user.pk, data=data)
    if user.has_role(Role.PROVINCE_ADMIN) and not is_system_or_province(actor):
        raise refuse(actor, forbidden(), action=action, object_id=user.pk, data=data)


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
