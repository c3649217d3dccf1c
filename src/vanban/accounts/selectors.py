"""Permission-scoped reads of accounts (R1.1): staff of one's own agency only, except for the
province administrator, who sees every agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from vanban.accounts.models import (
    AccountNotice,
    AgencySecurityPolicy,
    ApiToken,
    RoleRequest,
    TOTPDevice,
    User,
)
from vanban.core import clock
from vanban.core.errors import not_found
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit


def _is_province_admin(actor: User) -> bool:
    return actor.has_role(Role.PROVINCE_ADMIN)


def agency_for(actor: User, code: str | None = None) -> Agency:
    """The agency ``actor`` works on: its own, or (province administrator) the one named."""
    if code and code != getattr(actor.agency, "code", None):
        if not _is_province_admin(actor):
            raise not_found("cơ quan", "Agency")
        agency = Agency.objects.filter(code=code).first()
    else:
        agency = actor.agency
    if agency is None:
        raise not_found("cơ quan", "Agency")
    return agency


def agencies_for(actor: User) -> QuerySet[Agency]:
    """Agencies ``actor`` may pick for staff management."""
    if _is_province_admin(actor):
        return Agency.objects.filter(active=True)
    if actor.agency_id is None:
        return Agency.objects.none()
    return Agency.objects.filter(pk=actor.agency_id)


def staff_for(actor: User, agency: Agency | None = None) -> QuerySet[User]:
    """Staff of ``agency`` (default: the actor's own), with agency, unit and roles loaded."""
    if agency is not None and agency.pk != actor.agency_id and not _is_province_admin(actor):
        raise not_found("cơ quan", "Agency")
    agency_id = agency.pk if agency is not None else actor.agency_id
    if agency_id is None:
        return User.objects.none()
    return (User.objects.filter(agency_id=agency_id)
            .select_related("agency", "unit", "totp").prefetch_related("roles")
            .order_by("username"))


def staff_get(actor: User, pk: object) -> User:
    """One staff member; another agency's (or an unknown id) is NotFound alike (R1.1)."""
    qs = User.objects.select_related("agency", "unit").filter(agency__isnull=False)
    if not _is_province_admin(actor):
        if actor.agency_id is None:
            raise not_found("cán bộ", "Staff member")
        qs = qs.filter(agency_id=actor.agency_id)
    try:
        user = qs.filter(pk=int(str(pk))).first()
    except ValueError:
        user = None
    if user is None:
        raise not_found("cán bộ", "Staff member")
    return user


def units_of(agency: Agency | None) -> QuerySet[Unit]:
    """Active units of an agency, for choosing a staff member's unit."""
    if agency is None:
        return Unit.objects.none()
    return Unit.objects.filter(agency=agency, active=True).order_by("code")


def security_policy_of(agency_id: int | None) -> list[Role]:
    """Roles the agency makes use a second factor (R17.1)."""
    if agency_id is None:
        return []
    policy = AgencySecurityPolicy.objects.filter(agency_id=agency_id).first()
    return [Role(r) for r in policy.require_2fa_roles] if policy else []


def password_expires_at(user: User) -> datetime | None:
    """When the user's password ages out (R20.2)."""
    if user.password_changed_at is None:
        return None
    return user.password_changed_at + timedelta(days=settings.VANBAN_PASSWORD_MAX_AGE_DAYS)


@dataclass(frozen=True)
class Posture:
    """An agency's account security at a glance (R17.1)."""

    staff: int
    with_2fa: int
    stale_passwords: int
    locked: int


def agency_posture(agency: Agency) -> Posture:
    """Counts of active staff, 2FA users, passwords past their age and running lockouts."""
    now = clock.now()
    oldest = now - timedelta(days=settings.VANBAN_PASSWORD_MAX_AGE_DAYS)
    counts = User.objects.filter(agency=agency, is_active=True).aggregate(
        staff=Count("pk"),
        with_2fa=Count("pk", filter=Q(totp__confirmed_at__isnull=False)),
        stale=Count("pk", filter=Q(password_changed_at__lt=oldest) | Q(must_change_password=True)),
        locked=Count("pk", filter=Q(locked_until__gt=now)),
    )
    return Posture(staff=counts["staff"], with_2fa=counts["with_2fa"],
                   stale_passwords=counts["stale"], locked=counts["locked"])


def totp_pending_device(user: User) -> TOTPDevice | None:
    """The user's enrolment in progress (secret issued, not yet confirmed)."""
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).first()


def role_requests_pending(actor: User) -> QuerySet[RoleRequest]:
    """Pending roles waiting for ``actor``'s decision (R20.1): the head sees its agency's, the
    province administrator every agency's; never a request about the actor's own account."""
    qs = (RoleRequest.objects.select_related("user", "user__agency", "requested_by")
          .filter(state=RoleRequest.State.PENDING).exclude(user_id=actor.pk))
    if _is_province_admin(actor):
        return qs
    if actor.agency_id is None or not actor.has_role(Role.HEAD):
        return RoleRequest.objects.none()
    return qs.filter(user__agency_id=actor.agency_id)


def role_requests_of(user: User) -> QuerySet[RoleRequest]:
    """Every role request about ``user``, pending first (the staff page shows them)."""
    return RoleRequest.objects.select_related("requested_by", "decided_by").filter(
        user=user).order_by("-requested_at", "-pk")


def notices_of(user: User, limit: int = 20) -> list[AccountNotice]:
    """The latest notices about the user's own account."""
    return list(AccountNotice.objects.filter(user=user)[:limit])


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's API tokens, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user)
