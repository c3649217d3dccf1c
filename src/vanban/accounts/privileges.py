"""Who may act on whose account (R20.1, R20.2): one privilege order and one decision function.

Every account service (staff pages, API, TOTP reset, unlock) asks :func:`decide` before it
changes another person's account, and :func:`grant_outcome` before it hands out a role. Pure
Python, no Django import: the rules are tested as a full matrix of actor role × target role ×
agency × action without a database.

The order is explicit (``RANK``): the province administrator is at the top, then the agency's
head, the delegate, the roles that sign or register on the agency's behalf (clerk, one-stop
officer), the IT and security officers, and the specialist. Nobody acts on an account of equal
or higher rank, nobody acts on their own account through these actions, and the credentials of
a head or delegate (password, second factor) are reset only by the province administrator with
a reason. A role that signs or registers, handed out by anyone but the head or the province,
stays pending until the head approves it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from vanban.core.roles import STAFF_MANAGERS, Role

RANK: dict[Role, int] = {
    Role.PROVINCE_ADMIN: 100,
    Role.HEAD: 80,
    Role.DELEGATE: 60,
    Role.CLERK: 40,  # holds the agency's certificate and registers
    Role.ONESTOP: 40,  # registers citizens' dossiers
    Role.IT_OFFICER: 30,
    Role.SECURITY_OFFICER: 30,
    Role.SPECIALIST: 10,
}
# Roles whose holders act on other accounts at all.
MANAGER_ROLES = STAFF_MANAGERS | {Role.PROVINCE_ADMIN}
# Credentials of these roles are reset by the province administrator only, with a reason.
PROVINCE_RESET_ROLES = frozenset({Role.HEAD, Role.DELEGATE})
# Roles that sign or register in the agency's name: granted by the head, or approved by it.
APPROVAL_ROLES = frozenset({Role.HEAD, Role.DELEGATE, Role.CLERK, Role.ONESTOP})


class Action(enum.StrEnum):
    """An administrative action on another person's account."""

    UPDATE = "update"  # details, activation
    SET_ROLES = "set_roles"
    RESET_PASSWORD = "reset_password"  # noqa: S105  (an action's name, not a password)
    RESET_2FA = "reset_2fa"
    UNLOCK = "unlock"


CREDENTIAL_ACTIONS = frozenset({Action.RESET_PASSWORD, Action.RESET_2FA})


class Refusal(enum.StrEnum):
    """Why an action is refused; each maps to one bilingual error in the services."""

    OTHER_AGENCY = "other_agency"  # shown as 'not found' (R1.1)
    NOT_MANAGER = "not_manager"
    OWN_ACCOUNT = "own_account"
    PRIVILEGE_ORDER = "privilege_order"
    PROVINCE_ONLY = "province_only"
    REASON_REQUIRED = "reason_required"


class Grant(enum.StrEnum):
    """What happens to one role an actor hands out."""

    GRANTED = "granted"
    PENDING = "pending"  # waits for the head's approval, confers nothing until then
    REFUSED = "refused"


@dataclass(frozen=True)
class Party:
    """An account as the rules see it. For an actor, ``roles`` are its approved roles; for a
    target, its approved and pending roles (a pending clerk is already out of reach)."""

    pk: object
    agency_id: int | None
    roles: frozenset[Role]


def rank(roles: Iterable[Role]) -> int:
    """An account's rank: its highest role's (0 without roles)."""
    return max((RANK[r] for r in roles), default=0)


def manager_rank(roles: Iterable[Role]) -> int:
    """The rank an actor acts with: its highest managing role's (0 when it manages nobody)."""
    return rank(r for r in roles if r in MANAGER_ROLES)


def is_province(actor: Party | None) -> bool:
    """The console (``None``) and the province administrator act on every agency."""
    return actor is None or Role.PROVINCE_ADMIN in actor.roles


def decide(actor: Party | None, target: Party, action: Action, *, reason: str = ""
           ) -> Refusal | None:
    """``None`` when ``actor`` may perform ``action`` on ``target``, else why not: the first
    rule that refuses, in a fixed order.

    The console (``actor is None``) may do everything: it is the operator of the installation.
    """
    if actor is None:
        return None
    province = Role.PROVINCE_ADMIN in actor.roles
    protected = action in CREDENTIAL_ACTIONS and bool(target.roles & PROVINCE_RESET_ROLES)
    rules = (
        (not province and (target.agency_id is None or actor.agency_id != target.agency_id),
         Refusal.OTHER_AGENCY),
        (manager_rank(actor.roles) == 0, Refusal.NOT_MANAGER),
        (actor.pk == target.pk, Refusal.OWN_ACCOUNT),
        (protected and not province, Refusal.PROVINCE_ONLY),
        (protected and not reason.strip(), Refusal.REASON_REQUIRED),
        (manager_rank(actor.roles) <= rank(target.roles), Refusal.PRIVILEGE_ORDER),
    )
    return next((refusal for refused, refusal in rules if refused), None)


def grant_outcome(actor: Party | None, role: Role) -> Grant:
    """What handing out (or taking away) ``role`` by ``actor`` does.

    The province (and the console) grant every role. Otherwise the province administrator role
    and the head role are refused; the delegate role is the head's to give; a signing or
    registering role is granted by the head and pending when another manager asks for it; any
    other role must rank below the actor.
    """
    if actor is None or Role.PROVINCE_ADMIN in actor.roles:
        return Grant.GRANTED
    if role in (Role.PROVINCE_ADMIN, Role.HEAD):
        return Grant.REFUSED
    is_head = Role.HEAD in actor.roles
    if role in APPROVAL_ROLES:
        if is_head:
            return Grant.GRANTED
        if role is Role.DELEGATE or manager_rank(actor.roles) == 0:
            return Grant.REFUSED
        return Grant.PENDING
    return Grant.GRANTED if RANK[role] < manager_rank(actor.roles) else Grant.REFUSED


def may_approve(actor: Party | None, target: Party) -> bool:
    """Whether ``actor`` decides on ``target``'s pending roles: the head of the target's agency,
    or the province; never the target itself."""
    if actor is not None and actor.pk == target.pk:
        return False
    if actor is None or Role.PROVINCE_ADMIN in actor.roles:
        return True
    return Role.HEAD in actor.roles and actor.agency_id == target.agency_id
