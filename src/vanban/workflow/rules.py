"""Who may do what with the work on an incoming document (R8.1, R12.1, R14.2).

* The agency's head or a delegate (the *directors*) assign, see every incoming document and the
  overdue list, and may start and complete any document.
* A unit has no head of its own in the staff model; a *unit leader* is a staff member of that
  unit who holds the head or delegate role (the agency grants the delegate role to the trưởng
  phòng it authorises). Unit leaders pass the unit's line on to specialists.
* A line's *holders* are its person, or every member of its unit.
* The *lead holders* of a document (who start and complete it) are the holders of the lead line
  of its current (latest) top-level assignment and of every lead line it was passed on to.
* A line withdrawn by a re-assignment is held by nobody: its former holder can no longer start,
  complete, pass on or report it done (the line stays on the page as history).
* Clerks see every incoming document of their agency (they registered them); everybody else sees
  the documents they hold a line of.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from vanban.core.roles import Actor, Role
from vanban.workflow.models import AssignmentLine, LineRole

DIRECTORS = frozenset({Role.HEAD, Role.DELEGATE})


def unit_of(actor: Actor | None) -> int | None:
    """The actor's unit id (the protocol does not carry it; the user model does)."""
    value = getattr(actor, "unit_id", None)
    return int(value) if value is not None else None


def is_director(actor: Actor | None, agency_id: int) -> bool:
    """The agency's head or a delegate (the console operator too)."""
    return actor is None or (actor.agency_id == agency_id
                             and any(actor.has_role(r) for r in DIRECTORS))


def is_unit_leader(actor: Actor | None, unit_id: int) -> bool:
    """A member of the unit holding the head or delegate role."""
    return actor is not None and unit_of(actor) == unit_id and any(
        actor.has_role(r) for r in DIRECTORS)


def holds(actor: Actor | None, line: AssignmentLine) -> bool:
    """The line's person, or a member of its unit (nobody once the line is withdrawn)."""
    if actor is None or line.withdrawn_at is not None:
        return False
    if line.user_id is not None:
        return str(line.user_id) == str(actor.pk)
    return line.unit_id is not None and unit_of(actor) == line.unit_id


def may_forward(actor: Actor | None, line: AssignmentLine, agency_id: int) -> bool:
    """A unit's leader passes the unit's line on; the agency's directors may pass any line on
    (a deputy assigned in person passes their own line to a specialist)."""
    if line.done_at is not None or line.withdrawn_at is not None or line.role == LineRole.INFORM:
        return False
    if actor is not None and actor.agency_id != agency_id:
        return False
    if is_director(actor, agency_id):
        return True
    return line.unit_id is not None and is_unit_leader(actor, line.unit_id)


def current_lines(lines: Iterable[AssignmentLine]) -> list[AssignmentLine]:
    """The lines not withdrawn by a re-assignment."""
    return [x for x in lines if x.withdrawn_at is None]


def current_top(lines: Iterable[AssignmentLine]) -> int | None:
    """The id of the document's current top-level assignment: the latest one that still has a
    line not withdrawn (None: not assigned, or everything withdrawn)."""
    top = [x for x in current_lines(lines) if x.assignment.parent_id is None]
    if not top:
        return None
    return max(top, key=lambda x: (x.assignment.assigned_at, x.assignment_id)).assignment_id


def lead_lines(lines: Iterable[AssignmentLine]) -> list[AssignmentLine]:
    """The current top-level lead line and every lead line passed on from a lead line (lines
    withdrawn by a re-assignment, and the lines of an earlier assignment, are not leads)."""
    all_lines = current_lines(lines)
    top = current_top(all_lines)
    leads = [x for x in all_lines if x.role == LineRole.LEAD and x.assignment.parent_id is None
             and x.assignment_id == top]
    known = {x.pk for x in leads}
    changed = True
    while changed:
        changed = False
        for line in all_lines:
            if (line.role == LineRole.LEAD and line.pk not in known
                    and line.assignment.parent_id in known):
                leads.append(line)
                known.add(line.pk)
                changed = True
    return leads


def handling_deadline(lines: Iterable[AssignmentLine]) -> date | None:
    """The document's handling deadline now: the current top-level lead line's (a deadline a
    re-assignment withdrew is history, not the deadline shown in the header)."""
    leads = [x for x in lead_lines(lines) if x.assignment.parent_id is None]
    return leads[0].deadline if leads else None


def is_lead_holder(actor: Actor | None, lines: Iterable[AssignmentLine]) -> bool:
    """Whether the actor holds the document's lead (directly or passed on to them)."""
    return any(holds(actor, line) for line in lead_lines(lines))


def actor_pk(actor: Actor) -> int:
    """The acting user's id as an int (the protocol types it as ``object``)."""
    return int(str(actor.pk))
