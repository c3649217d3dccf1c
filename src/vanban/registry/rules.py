"""Who may do what with outgoing documents. Uses only the actor protocol.

A document is visible to the staff of its own agency only (R1.1). Specialists, heads, delegates
and clerks draft; only the clerk (văn thư) registers, uploads, signs, marks ready and cancels
(Decree 30/2020 Art. 15–16: the clerk numbers, registers and issues). ``None`` is the operator
at the console.
"""

from __future__ import annotations

from vanban.core.roles import Actor, Role

DRAFTERS = frozenset({Role.SPECIALIST, Role.HEAD, Role.DELEGATE, Role.CLERK})


def is_member(actor: Actor | None, agency_id: int) -> bool:
    """Staff of the agency (or the console operator)."""
    return actor is None or actor.agency_id == agency_id


def can_draft(actor: Actor | None, agency_id: int) -> bool:
    """Create and edit drafts."""
    if actor is None:
        return True
    return actor.agency_id == agency_id and any(actor.has_role(r) for r in DRAFTERS)


def is_clerk(actor: Actor | None, agency_id: int) -> bool:
    """Register, upload, sign, mark ready, cancel."""
    return actor is None or (actor.agency_id == agency_id and actor.has_role(Role.CLERK))


APPROVERS = frozenset({Role.HEAD, Role.DELEGATE})


def can_submit(actor: Actor | None, agency_id: int) -> bool:
    """Submit a draft for approval (trình ký): whoever drafts."""
    return can_draft(actor, agency_id)


def can_approve(actor: Actor | None, agency_id: int) -> bool:
    """Approve, return, write the head's notes: the head or a delegate who signs in its name
    (the console operator too)."""
    if actor is None:
        return True
    return actor.agency_id == agency_id and any(actor.has_role(r) for r in APPROVERS)
