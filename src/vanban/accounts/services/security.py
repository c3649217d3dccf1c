"""An agency's own security rules (R17.1): which roles must sign in with a second factor."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from vanban.accounts.models import AgencySecurityPolicy, User
from vanban.accounts.services._common import ensure_agency_role, parse_roles
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import not_found
from vanban.core.roles import Role
from vanban.directory.models import Agency

POLICY_KEEPERS = frozenset({Role.HEAD, Role.SECURITY_OFFICER})


def agency_security_policy_set(
    *, actor: User | None, agency: Agency, require_2fa_roles: Iterable[Role | str]
) -> AgencySecurityPolicy:
    """Set the roles that must use 2FA in ``agency``: its head or security officer, or the
    province administrator."""
    action = "security_policy.set"
    ensure_agency_role(actor, agency.pk, POLICY_KEEPERS, action=action,
                       missing=not_found("cơ quan", "Agency"), data={"agency": agency.code})
    roles = sorted(r.value for r in parse_roles(require_2fa_roles))
    with transaction.atomic():
        policy = AgencySecurityPolicy.objects.select_for_update().filter(agency=agency).first()
        before = sorted(policy.require_2fa_roles) if policy else []
        if policy is None:
            policy = AgencySecurityPolicy(agency=agency)
        policy.require_2fa_roles = roles
        policy.updated_at = clock.now()
        policy.save()
        audit_append(actor=actor, action=action, object_type="accounts.agencysecuritypolicy",
                     object_id=policy.pk, agency_code=agency.code,
                     before={"require_2fa_roles": before}, after={"require_2fa_roles": roles},
                     data={"before": before, "after": roles})
    return policy
