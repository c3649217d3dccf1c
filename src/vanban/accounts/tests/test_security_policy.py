"""An agency's own security rules (R17.1): who may set them, and what they make compulsory."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vanban.accounts import policy, selectors, services
from vanban.accounts.models import User
from vanban.accounts.tests.conftest import confirmed_device
from vanban.audit.models import AuditEvent
from vanban.core.errors import Forbidden, NotFound, ValidationFailed
from vanban.core.roles import Role
from vanban.directory.models import Agency

pytestmark = pytest.mark.django_db


def test_head_sets_policy_and_it_applies(head_x: User, clerk_x: User, agency_x: Agency) -> None:
    """R17.1: the head makes 2FA compulsory for clerks; clerks must then enrol."""
    assert not policy.two_factor_required(clerk_x)
    services.agency_security_policy_set(actor=head_x, agency=agency_x,
                                        require_2fa_roles=[Role.CLERK])
    assert policy.two_factor_required(clerk_x)
    assert not policy.two_factor_required(head_x)
    assert selectors.security_policy_of(agency_x.pk) == [Role.CLERK]
    event = AuditEvent.objects.get(action="security_policy.set")
    assert event.actor_id == head_x.pk
    assert "clerk" in event.data


def test_security_officer_and_province_admin_may_set(make_user: Callable[..., User],
                                                     agency_x: Agency,
                                                     province_admin: User) -> None:
    """R17.1: the agency's security officer, or the province administrator, keep the rules."""
    officer = make_user(agency_x, roles=[Role.SECURITY_OFFICER])
    services.agency_security_policy_set(actor=officer, agency=agency_x,
                                        require_2fa_roles=[Role.HEAD])
    services.agency_security_policy_set(actor=province_admin, agency=agency_x,
                                        require_2fa_roles=["head", "clerk"])
    assert selectors.security_policy_of(agency_x.pk) == [Role.CLERK, Role.HEAD]


def test_others_refused(clerk_x: User, head_y: User, agency_x: Agency) -> None:
    """R17.1, R1.1: a clerk is refused; another agency's head gets NotFound; both audited."""
    with pytest.raises(Forbidden):
        services.agency_security_policy_set(actor=clerk_x, agency=agency_x,
                                            require_2fa_roles=[Role.CLERK])
    with pytest.raises(NotFound):
        services.agency_security_policy_set(actor=head_y, agency=agency_x,
                                            require_2fa_roles=[Role.CLERK])
    assert selectors.security_policy_of(agency_x.pk) == []
    assert AuditEvent.objects.filter(action="security_policy.set.denied").count() == 2


def test_unknown_role_refused(head_x: User, agency_x: Agency) -> None:
    """R17.1: only real roles can be listed."""
    with pytest.raises(ValidationFailed):
        services.agency_security_policy_set(actor=head_x, agency=agency_x,
                                            require_2fa_roles=["everyone"])


def test_posture_counts(head_x: User, clerk_x: User, agency_x: Agency) -> None:
    """R17.1: the agency's posture counts 2FA use and passwords that must be changed."""
    confirmed_device(head_x)
    clerk_x.must_change_password = True
    clerk_x.save()
    posture = selectors.agency_posture(agency_x)
    assert (posture.staff, posture.with_2fa, posture.stale_passwords, posture.locked) == (
        2, 1, 1, 0)
