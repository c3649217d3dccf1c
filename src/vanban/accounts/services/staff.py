"""Staff accounts (R20.1): agency heads and their delegates or IT officers create the accounts of
their own agency; the province administrator works on every agency and alone hands out the
province administrator role and staff mailboxes."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from vanban.accounts.models import RoleGrant, User
from vanban.accounts.services._common import (
    USER_OBJECT,
    agency_code_of,
    ensure_agency_role,
    ensure_staff_manager,
    is_system_or_province,
    parse_roles,
    refuse,
    staff_snapshot,
    validate_new_password,
)
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden, not_found
from vanban.core.roles import STAFF_MANAGERS, Role
from vanban.directory.models import Agency, Unit


class Keep(enum.Enum):
    """Marks an optional argument that leaves the stored value alone."""

    KEEP = 0


KEEP = Keep.KEEP


def _mailbox_error() -> ValidationFailed:
    return ValidationFailed("Hộp thư công vụ không hợp lệ.", "The mailbox address is invalid.",
                            code="invalid_mailbox")


def _clean_username(username: str) -> str:
    name = username.strip()
    try:
        UnicodeUsernameValidator()(name)
    except DjangoValidationError:
        name = ""
    if not name or len(name) > 150:
        raise ValidationFailed(
            "Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _ (tối đa 150 ký tự).",
            "A username has letters, digits and @ . + - _ only (at most 150 characters).",
            code="invalid_username",
        )
    return name


def _clean_mailbox(actor: User | None, mailbox: str, *, action: str, object_id: object) -> str:
    """R20.1: staff mailboxes are created by the province administrator."""
    mailbox = mailbox.strip().lower()
    if not mailbox:
        return ""
    if not is_system_or_province(actor):
        raise refuse(actor, forbidden(), action=action, object_id=object_id,
                     data={"field": "mailbox"})
    try:
        validate_email(mailbox)
    except DjangoValidationError:
        raise _mailbox_error() from None
    return mailbox


def _check_unit(unit: Unit | None, agency_id: int | None) -> None:
    if unit is not None and unit.agency_id != agency_id:
        raise ValidationFailed("Đơn vị không thuộc cơ quan này.",
                               "The unit does not belong to this agency.", code="invalid_unit")


def _check_unique(username: str, mailbox: str, *, exclude_pk: int | None = None) -> None:
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk is not None else User.objects.all()
    if username and others.filter(username__iexact=username).exists():
        raise Conflict(f"Tên đăng nhập «{username}» đã được sử dụng, hãy chọn tên khác.",
                       f"The username '{username}' is already taken; choose another.",
                       code="username_taken")
    if mailbox and others.filter(mailbox__iexact=mailbox).exists():
        raise Conflict(f"Hộp thư «{mailbox}» đã được cấp cho cán bộ khác.",
                       f"The mailbox '{mailbox}' already belongs to another staff member.",
                       code="mailbox_taken")


def _save_new(user: User) -> None:
    """Save, turning a race on the unique constraints into the same Conflict."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        _check_unique(user.username, user.mailbox)
        raise


# Roles that carry the agency's authority: only the head (or the province) hands them out.
_HEAD_ROLES = frozenset({Role.HEAD, Role.DELEGATE})


def _check_grant(actor: User | None, roles: Iterable[Role], *, action: str, object_id: object,
                 ) -> None:
    """Refuse role changes above the actor's own authority (R20.1).

    Province administration is granted by the province only; the head and delegate roles by
    the province or the agency's head, never by a delegate or an IT officer.
    """
    changed = frozenset(roles)
    if is_system_or_province(actor):
        return
    if Role.PROVINCE_ADMIN in changed:
        raise refuse(actor, forbidden(), action=action, object_id=object_id,
                     data={"role": Role.PROVINCE_ADMIN.value})
    if changed & _HEAD_ROLES and not (actor is not None and actor.has_role(Role.HEAD)):
        raise refuse(actor, forbidden(), action=action, object_id=object_id,
                     data={"roles": sorted(r.value for r in changed & _HEAD_ROLES)})


def staff_create(
    *, actor: User | None, agency: Agency, username: str, full_name: str,
    roles: Iterable[Role | str], password: str | None = None, password_hash: str | None = None,
    unit: Unit | None = None, position: str = "", mailbox: str = "",
) -> User:
    """Create a staff account of ``agency``. An admin-set password must be changed at first login.

    ``password_hash`` (a Django hash) serves the demo loader and imports; give exactly one of it
    and ``password``.
    """
    if (password is None) == (password_hash is None):
        raise ValueError("give exactly one of password and password_hash")
    action = "staff.create"
    trace = {"username": username, "agency": agency.code}
    ensure_agency_role(actor, agency.pk, STAFF_MANAGERS, action=action,
                       missing=not_found("cơ quan", "Agency"), data=trace)
    role_set = parse_roles(roles)
    _check_grant(actor, role_set, action=action, object_id="")
    mailbox = _clean_mailbox(actor, mailbox, action=action, object_id="")
    username = _clean_username(username)
    full_name = full_name.strip()
    if not full_name:
        raise ValidationFailed("Nhập họ và tên cán bộ.", "Enter the staff member's full name.",
                               code="full_name_required")
    _check_unit(unit, agency.pk)
    now = clock.now()
    user = User(username=username, full_name=full_name, agency=agency, unit=unit,
                position=position.strip(), mailbox=mailbox, password_changed_at=now,
                date_joined=now)
    if password is not None:
        validate_new_password(password, user)
        user.set_password(password)
        user.must_change_password = True
    else:
        _check_hash(password_hash or "")
        user.password = password_hash or ""
    with transaction.atomic():
        _check_unique(username, mailbox)
        _save_new(user)
        RoleGrant.objects.bulk_create(
            RoleGrant(user=user, role=role.value, granted_at=now) for role in sorted(role_set))
        user.forget_roles()
        audit_append(actor=actor, action=action, object_type=USER_OBJECT, object_id=user.pk,
                     agency_code=agency.code, after=staff_snapshot(user),
                     data={"username": username, "roles": sorted(role_set),
                           "password": "set" if password is not None else "imported"})
    return user


def _check_hash(password_hash: str) -> None:
    try:
        identify_hasher(password_hash)
    except ValueError:
        raise ValidationFailed("Chuỗi băm mật khẩu không hợp lệ.",
                               "The password hash is not recognised.",
                               code="invalid_password_hash") from None


def staff_update(
    *, actor: User | None, user: User, full_name: str | None = None,
    unit: Unit | Keep | None = KEEP, position: str | None = None, mailbox: str | None = None,
    active: bool | None = None,
) -> User:
    """Change an account's details; ``None`` (or ``KEEP`` for the unit) leaves a field alone."""
    action = "staff.update"
    ensure_staff_manager(actor, user, action=action)
    changes: dict[str, object] = {}
    if full_name is not None and full_name.strip() != user.full_name:
        if not full_name.strip():
            raise ValidationFailed("Nhập họ và tên cán bộ.",
                                   "Enter the staff member's full name.",
                                   code="full_name_required")
        changes["full_name"] = full_name.strip()
    if not isinstance(unit, Keep) and unit != user.unit:
        _check_unit(unit, user.agency_id)
        changes["unit"] = unit
    if position is not None and position.strip() != user.position:
        changes["position"] = position.strip()
    if mailbox is not None and mailbox.strip().lower() != user.mailbox:
        if not is_system_or_province(actor):
            raise refuse(actor, forbidden(), action=action, object_id=user.pk,
                         data={"field": "mailbox"})
        changes["mailbox"] = _clean_mailbox(actor, mailbox, action=action, object_id=user.pk)
    if active is not None and active != user.is_active:
        if not active and actor is not None and actor.pk == user.pk:
            raise Conflict("Bạn không thể tự khóa tài khoản của mình.",
                           "You cannot deactivate your own account.", code="self_deactivate")
        changes["is_active"] = active
    if not changes:
        return user
    with transaction.atomic():
        _check_unique("", str(changes.get("mailbox", "")), exclude_pk=user.pk)
        before = staff_snapshot(user)
        for field, value in changes.items():
            setattr(user, field, value)
        user.save()
        audit_append(actor=actor, action=action, object_type=USER_OBJECT, object_id=user.pk,
                     agency_code=agency_code_of(user), before=before, after=staff_snapshot(user),
                     data={"changed": sorted(changes)})
    return user


def staff_set_roles(*, actor: User | None, user: User, roles: Iterable[Role | str]) -> User:
    """Replace an account's roles. Granting or removing province administration is reserved."""
    action = "staff.set_roles"
    ensure_staff_manager(actor, user, action=action)
    if actor is not None and actor.pk == user.pk and not is_system_or_province(actor):
        # Nobody raises or drops their own authority; another manager must do it.
        raise refuse(actor, forbidden(), action=action, object_id=user.pk,
                     data={"reason": "own_roles"})
    wanted = parse_roles(roles)
    current = user.role_set()
    _check_grant(actor, wanted ^ current, action=action, object_id=user.pk)
    now = clock.now()
    with transaction.atomic():
        RoleGrant.objects.filter(user=user).exclude(role__in=[r.value for r in wanted]).delete()
        RoleGrant.objects.bulk_create(
            RoleGrant(user=user, role=role.value, granted_at=now)
            for role in sorted(wanted - current))
        user.forget_roles()
        audit_append(actor=actor, action=action, object_type=USER_OBJECT, object_id=user.pk,
                     agency_code=agency_code_of(user),
                     data={"before": sorted(current), "after": sorted(wanted)})
    return user


def staff_reset_password(*, actor: User | None, user: User, password: str) -> User:
    """Set a new password for someone else (it must be changed at next login); clears lockout."""
    action = "staff.reset_password"
    ensure_staff_manager(actor, user, action=action)
    validate_new_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = clock.now()
        user.must_change_password = actor is None or actor.pk != user.pk
        user.failed_logins = 0
        user.locked_until = None
        user.save()
        Token.objects.filter(user=user).delete()
        audit_append(actor=actor, action=action, object_type=USER_OBJECT, object_id=user.pk,
                     agency_code=agency_code_of(user),
                     data={"must_change": user.must_change_password})
    return user


def staff_unlock(*, actor: User | None, user: User) -> User:
    """Lift a lockout before it runs out (R20.2)."""
    action = "staff.unlock"
    ensure_staff_manager(actor, user, action=action)
    with transaction.atomic():
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])
        audit_append(actor=actor, action=action, object_type=USER_OBJECT, object_id=user.pk,
                     agency_code=agency_code_of(user))
    return user
