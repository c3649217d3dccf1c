"""Who may do what in the directory (R1.1, R20.1). Uses only the actor protocol."""

from __future__ import annotations

from vanban.core.roles import STAFF_MANAGERS, Actor, Role


def is_province_admin(actor: Actor | None) -> bool:
    """The province administrator (Sở TT&TT); ``None`` is the operator at the console."""
    return actor is None or actor.has_role(Role.PROVINCE_ADMIN)


def can_manage_agencies(actor: Actor | None) -> bool:
    """R20.1: only the province administrator creates and changes agencies and their mailboxes."""
    return is_province_admin(actor)


def is_member(actor: Actor | None, agency_id: int) -> bool:
    """Whether the actor belongs to the agency (the console operator belongs everywhere)."""
    return actor is None or actor.agency_id == agency_id


def can_see_units(actor: Actor | None, agency_id: int) -> bool:
    """R1.1: an agency's units are visible to its own staff and the province administrator."""
    return is_province_admin(actor) or is_member(actor, agency_id)


def can_manage_units(actor: Actor | None, agency_id: int) -> bool:
    """The province administrator, or the agency's head, delegate or IT officer."""
    if actor is None or actor.has_role(Role.PROVINCE_ADMIN):
        return True
    return actor.agency_id == agency_id and any(actor.has_role(r) for r in STAFF_MANAGERS)
