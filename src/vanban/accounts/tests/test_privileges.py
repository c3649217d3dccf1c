"""The privilege rules as a matrix (R20.1, R20.2): every actor role × target role × same or
other agency × action, against a table written out by hand from the regulation's order
(province administrator, head, delegate, clerk and one-stop officer, IT and security officers,
specialist), not derived from the module's own ranks."""

from __future__ import annotations

import itertools

import pytest

from vanban.accounts.privileges import (
    Action,
    Grant,
    Party,
    Refusal,
    decide,
    grant_outcome,
    may_approve,
)
from vanban.core.roles import Role

PA, HEAD, DEL, CLERK, ONE, IT, SEC, SPEC = (
    Role.PROVINCE_ADMIN, Role.HEAD, Role.DELEGATE, Role.CLERK, Role.ONESTOP, Role.IT_OFFICER,
    Role.SECURITY_OFFICER, Role.SPECIALIST)

# Who may act on whom (same agency; the province on every agency), for actions that do not
# touch credentials. Everything not listed is refused.
MAY_ACT_ON: dict[Role, set[Role]] = {
    PA: {HEAD, DEL, CLERK, ONE, IT, SEC, SPEC},
    HEAD: {DEL, CLERK, ONE, IT, SEC, SPEC},
    DEL: {CLERK, ONE, IT, SEC, SPEC},
    IT: {SPEC},
    CLERK: set(), ONE: set(), SEC: set(), SPEC: set(),
}
# Password and second-factor resets: the head's and delegate's by the province only.
MAY_RESET: dict[Role, set[Role]] = {
    PA: {HEAD, DEL, CLERK, ONE, IT, SEC, SPEC},
    HEAD: {CLERK, ONE, IT, SEC, SPEC},
    DEL: {CLERK, ONE, IT, SEC, SPEC},
    IT: {SPEC},
    CLERK: set(), ONE: set(), SEC: set(), SPEC: set(),
}
ACTOR_AGENCY, OTHER_AGENCY = 1, 2


def _party(pk: int, role: Role, agency: int) -> Party:
    return Party(pk=pk, agency_id=agency, roles=frozenset({role}))


@pytest.mark.parametrize(("actor_role", "target_role", "same_agency", "action"), list(
    itertools.product(Role, Role, (True, False), Action)))
def test_matrix(actor_role: Role, target_role: Role, same_agency: bool, action: Action) -> None:
    """R20.1, R20.2: nobody acts on an account of equal or higher privilege; the head's and
    delegate's credentials are reset by the province only (with a reason); other agencies are
    out of reach except for the province."""
    actor = _party(1, actor_role, ACTOR_AGENCY)
    target = _party(2, target_role, ACTOR_AGENCY if same_agency else OTHER_AGENCY)
    credential = action in (Action.RESET_PASSWORD, Action.RESET_2FA)
    table = MAY_RESET if credential else MAY_ACT_ON
    expected = target_role in table[actor_role] and (same_agency or actor_role is PA)
    result = decide(actor, target, action, reason="lost phone")
    assert (result is None) == expected, result
    if not same_agency and actor_role is not PA:
        assert result is Refusal.OTHER_AGENCY


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_nobody_acts_on_themselves(role: Role, action: Action) -> None:
    """R20.2: the administrative actions never apply to one's own account."""
    me = _party(1, role, ACTOR_AGENCY)
    assert decide(me, me, action, reason="x") is not None


@pytest.mark.parametrize("target_role", [HEAD, DEL])
@pytest.mark.parametrize("action", [Action.RESET_PASSWORD, Action.RESET_2FA])
def test_province_reset_needs_a_reason(target_role: Role, action: Action) -> None:
    """R20.2: a head's or delegate's credentials are reset with a reason."""
    province = _party(1, PA, 9)
    target = _party(2, target_role, ACTOR_AGENCY)
    assert decide(province, target, action, reason="  ") is Refusal.REASON_REQUIRED
    assert decide(province, target, action, reason="mất điện thoại") is None


def test_pending_roles_count_for_the_target() -> None:
    """R20.1: an IT officer cannot reset an account that waits to become a clerk."""
    it = _party(1, IT, ACTOR_AGENCY)
    pending_clerk = Party(pk=2, agency_id=ACTOR_AGENCY, roles=frozenset({SPEC, CLERK}))
    assert decide(it, pending_clerk, Action.RESET_PASSWORD) is Refusal.PRIVILEGE_ORDER


def test_console_does_everything() -> None:
    """The console operator (no actor) is the installation's root of trust."""
    target = _party(2, PA, ACTOR_AGENCY)
    assert all(decide(None, target, a) is None for a in Action)


GRANTS: dict[Role, dict[Role, Grant]] = {
    HEAD: {PA: Grant.REFUSED, HEAD: Grant.REFUSED, DEL: Grant.GRANTED, CLERK: Grant.GRANTED,
           ONE: Grant.GRANTED, IT: Grant.GRANTED, SEC: Grant.GRANTED, SPEC: Grant.GRANTED},
    DEL: {PA: Grant.REFUSED, HEAD: Grant.REFUSED, DEL: Grant.REFUSED, CLERK: Grant.PENDING,
          ONE: Grant.PENDING, IT: Grant.GRANTED, SEC: Grant.GRANTED, SPEC: Grant.GRANTED},
    IT: {PA: Grant.REFUSED, HEAD: Grant.REFUSED, DEL: Grant.REFUSED, CLERK: Grant.PENDING,
         ONE: Grant.PENDING, IT: Grant.REFUSED, SEC: Grant.REFUSED, SPEC: Grant.GRANTED},
    PA: dict.fromkeys(Role, Grant.GRANTED),
}


@pytest.mark.parametrize(("actor_role", "role"), [(a, r) for a in GRANTS for r in Role])
def test_grant_matrix(actor_role: Role, role: Role) -> None:
    """R20.1: roles that sign or register (clerk, one-stop) handed out by anyone but the head
    or the province wait for the head's approval; higher roles are refused."""
    assert grant_outcome(_party(1, actor_role, ACTOR_AGENCY), role) is GRANTS[actor_role][role]


@pytest.mark.parametrize("role", [CLERK, ONE, IT, SEC, SPEC])
def test_non_managers_grant_nothing(role: Role) -> None:
    """R20.1: a clerk or specialist hands out no role (the services refuse them earlier)."""
    for actor_role in (CLERK, ONE, SEC, SPEC):
        assert grant_outcome(_party(1, actor_role, ACTOR_AGENCY), role) is Grant.REFUSED


def test_who_approves() -> None:
    """R20.1: the head of the account's agency or the province; never the account itself."""
    target = _party(2, SPEC, ACTOR_AGENCY)
    assert may_approve(_party(1, HEAD, ACTOR_AGENCY), target)
    assert may_approve(_party(1, PA, 9), target)
    assert not may_approve(_party(1, HEAD, OTHER_AGENCY), target)
    assert not may_approve(_party(1, DEL, ACTOR_AGENCY), target)
    assert not may_approve(_party(1, IT, ACTOR_AGENCY), target)
    head = _party(3, HEAD, ACTOR_AGENCY)
    assert not may_approve(head, head)
