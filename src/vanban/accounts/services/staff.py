"""Staff accounts (R20.1): agency heads and their delegates or IT officers create the accounts of
their own agency; the province administrator works on every agency and alone hands out the
province administrator role and staff mailboxes. Who may act on whom, and which roles wait for
the head's approval, is decided by :mod:`vanban.accounts.privileges` only."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from vanban.accounts import privileges
from vanban.accounts.models import RoleGrant, RoleRequest, User
from vanban.accounts.privileges import Action, Grant
from vanban.accounts.services._common import (
    USER_OBJECT,
    actor_party,
    agency_code_of,
    ensure_agency_role,
    ensure_may,
    is_system_or_province,
    parse_roles,
    pending_roles,
    refuse,
    staff_snapshot,
    validate_new_password,
)
from vanban.accounts.services.lockout import clear_login_throttle
from vanban.accounts.services.notices import notice_send
from vanban.accounts.services.tokens import api_tokens_revoke_all
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


def _split_grants(actor: User | None, roles: Iterable[Role], *, action: str, object_id: object,
                  ) -> tuple[frozenset[Role], frozenset[Role]]:
    """The roles granted at once and those pending the head's approval; refuses (audited) a
    role above the actor's authority (R20.1)."""
    party = actor_party(actor)
    outcome = {role: privileges.grant_outcome(party, role) for role in roles}
    refused = sorted(r.value for r, o in outcome.items() if o is Grant.REFUSED)
    if refused:
        raise refuse(actor, forbidden(), action=action, object_id=object_id,
                     data={"roles": refused})
    return (frozenset(r for r, o in outcome.items() if o is Grant.GRANTED),
            frozenset(r for r, o in outcome.items() if o is Grant.PENDING))


def _request_roles(actor: User | None, user: User, roles: Iterable[Role]) -> None:
    """Record pending roles (they confer nothing until approved)."""
    now = clock.now()
    RoleRequest.objects.bulk_create(
        RoleRequest(user=user, role=role.value, requested_by=actor, requested_at=now)
        for role in sorted(roles))


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
    granted, pending = _split_grants(actor, role_set, action=action, object_id="")
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
            RoleGrant(user=user, role=role.value, granted_at=now) for role in sorted(granted))
        _request_roles(actor, user, pending)
        user.forget_roles()
        audit_append(actor=actor, action=action, object_type=USER_OBJECT, object_id=user.pk,
                     agency_code=agency.code, after=staff_snapshot(user),
                     data={"username": username, "roles": sorted(granted),
                           "pending_roles": sorted(pending),
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
    ensure_may(actor, user, Action.UPDATE, audit_action=action)
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
    """Replace an account's roles. Added signing or registering roles asked by anyone but the
    head (or the province) wait for the head's approval; removals take effect at once."""
    action = "staff.set_roles"
    ensure_may(actor, user, Action.SET_ROLES, audit_action=action)
    wanted = parse_roles(roles)
    current, asked = user.role_set(), pending_roles(user)
    _split_grants(actor, wanted ^ current, action=action, object_id=user.pk)
    granted, pending = _split_grants(actor, wanted - current, action=action, object_id=user.pk)
    now = clock.now()
    with transaction.atomic():
        RoleGrant.objects.filter(user=user).exclude(role__in=[r.value for r in wanted]).delete()
        RoleRequest.objects.filter(user=user, state=RoleRequest.State.PENDING).exclude(
            role__in=[r.value for r in pending]).update(
            state=RoleRequest.State.WITHDRAWN, decided_by=actor, decided_at=now)
        RoleGrant.objects.bulk_create(
            RoleGrant(user=user, role=role.value, granted_at=now) for role in sorted(granted))
        _request_roles(actor, user, pending - asked)
        user.forget_roles()
        audit_append(actor=actor, action=action, object_type=USER_OBJECT, object_id=user.pk,
                     agency_code=agency_code_of(user),
                     data={"before": sorted(current), "after": sorted(user.role_set()),
                           "pending": sorted(pending)})
    return user


def staff_reset_password(*, actor: User | None, user: User, password: str, reason: str = ""
                         ) -> User:
    """Set a new password for someone else (it must be changed at next login); clears lockout,
    revokes API tokens and tells the owner (R20.2). A head's or delegate's password is reset by
    the province administrator only, with a reason."""
    action = "staff.reset_password"
    reason = reason.strip()[:500]
    ensure_may(actor, user, Action.RESET_PASSWORD, audit_action=action, reason=reason)
    validate_new_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = clock.now()
        user.must_change_password = actor is None or actor.pk != user.pk
        user.failed_logins = 0
        user.locked_until = None
        user.save()
        clear_login_throttle(user)
        api_tokens_revoke_all(user=user)
        audit_append(actor=actor, action=action, object_type=USER_OBJECT, object_id=user.pk,
                     agency_code=agency_code_of(user),
                     data={"must_change": user.must_change_password, "reason": reason})
        who = actor.username if actor is not None else "console"
        notice_send(user=user, kind="password_reset",
                    vi=f"Mật khẩu tài khoản {user.username} đã được {who} đặt lại. "
                       f"Lý do: {reason or '(không ghi)'}.",
                    en=f"The password of account {user.username} was reset by {who}. "
                       f"Reason: {reason or '(none given)'}.")
    return user


def staff_unlock(*, actor: User | None, user: User) -> User:
    """Lift a lockout before it runs out (R20.2), for every client address."""
    action = "staff.unlock"
    ensure_may(actor, user, Action.UNLOCK, audit_action=action)
    with transaction.atomic():
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])
        clear_login_throttle(user)
        audit_append(actor=actor, action=action, object_type=USER_OBJECT, object_id=user.pk,
                     agency_code=agency_code_of(user))
    return user
