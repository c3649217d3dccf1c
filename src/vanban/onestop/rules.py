"""Who may do what at the one-stop desk. Uses only the actor protocol and ids.

- The **one-stop officer** (cán bộ một cửa) of the desk's agency receives, checks, asks for
  supplements, refuses, accepts, transfers, hands over, returns, records withdrawals and issues
  forms 01–05 (onestop.md §3).
- A **handling officer** acts on a dossier while a step is held by them, or — a specialist or
  a leader — by their unit (no holder named yet) or by their agency (no unit named): joint
  (liên thông) steps give another agency's staff the dossier for their step, without a hub
  message inside one installation.
- The **approving leader** is the head or a delegate of the deciding agency (the procedure's);
  they approve, refuse after appraisal and issue Mẫu 04.
- The **province administrator** reads every desk, changes nothing.
- ``None`` is the operator at the console.
"""

from __future__ import annotations

from dataclasses import dataclass

from vanban.core.roles import Actor, Role

LEADERS = frozenset({Role.HEAD, Role.DELEGATE})
# Who may take up a step no one is named on: a specialist or a leader of its agency (or unit);
# a clerk, an IT or security officer of that agency acts only when named.
HANDLING = LEADERS | {Role.SPECIALIST}
APPROVING = "approving"  # the value of ``StepRole.APPROVING`` (the policy imports no model)


@dataclass(frozen=True)
class Holding:
    """Who holds a step: an agency, maybe a unit, maybe a person; and what the step is for."""

    agency_id: int
    unit_id: int | None
    holder_id: int | None
    role: str = ""


def _pk(actor: Actor) -> int | None:
    return int(str(actor.pk)) if actor.pk is not None else None


def _unit_id(actor: Actor) -> int | None:
    value = getattr(actor, "unit_id", None)
    return int(value) if value is not None else None


def is_officer(actor: Actor | None, desk_id: int) -> bool:
    """The desk agency's one-stop officer (or the console operator)."""
    return actor is None or (actor.agency_id == desk_id and actor.has_role(Role.ONESTOP))


def is_leader(actor: Actor | None, agency_id: int) -> bool:
    """The head or a delegate of ``agency_id`` (or the console operator)."""
    return actor is None or (actor.agency_id == agency_id
                             and any(actor.has_role(r) for r in LEADERS))


def is_province_admin(actor: Actor | None) -> bool:
    """Reads every desk's dossiers and statistics, changes nothing."""
    return actor is not None and actor.has_role(Role.PROVINCE_ADMIN)


def holds(actor: Actor | None, step: Holding | None) -> bool:
    """Whether ``actor`` holds the open step: named, or — a specialist or leader — of its unit,
    or of its agency when no unit is named."""
    if actor is None:
        return True
    if step is None or actor.agency_id != step.agency_id:
        return False
    if step.holder_id is not None:
        return _pk(actor) == step.holder_id
    if not is_handler(actor):
        return False
    return step.unit_id is None or _unit_id(actor) == step.unit_id


def is_handler(actor: Actor) -> bool:
    """A specialist or a leader: may take up a step held by their unit or agency."""
    return any(actor.has_role(r) for r in HANDLING)


def may_forward(actor: Actor | None, desk_id: int) -> bool:
    """Send a dossier to another agency's desk, or take in or send back one another desk sent
    (R11.1a, R11.2): the desk's one-stop officer."""
    return is_officer(actor, desk_id)


def may_configure(actor: Actor | None, agency_id: int) -> bool:
    """Edit, import or export an agency's procedures (R11.3): its officer or its leader."""
    return is_officer(actor, agency_id) or is_leader(actor, agency_id)


def may_see(actor: Actor | None, *, desk_id: int, deciding_id: int,
            step_agency_ids: frozenset[int]) -> bool:
    """Read a dossier: the desk, the deciding agency's leaders, any agency a step goes to, the
    province administrator."""
    if actor is None or is_province_admin(actor):
        return True
    if is_officer(actor, desk_id) or is_leader(actor, deciding_id):
        return True
    return actor.agency_id is not None and actor.agency_id in step_agency_ids


def may_handle(actor: Actor | None, *, desk_id: int, step: Holding | None) -> bool:
    """Hand over, ask for an appraisal supplement or fees, mark the result ready: whoever holds
    the open step, or the desk's officer who moves the papers."""
    return holds(actor, step) or is_officer(actor, desk_id)


def may_approve(actor: Actor | None, *, deciding_id: int, step: Holding | None) -> bool:
    """Approve, refuse after appraisal or issue Mẫu 04: the deciding agency's leader, or whoever
    holds an *approving* step assigned to them by name — a specialist named on a handling step
    handles, and does not decide."""
    if is_leader(actor, deciding_id):
        return True
    return (step is not None and step.role == APPROVING and step.holder_id is not None
            and holds(actor, step))
