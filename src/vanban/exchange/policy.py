"""Who reads what arrived for an agency (R16.2, R16.5: need-to-know inside the agency).

What the hub delivers is read first by the agency's register keepers — its clerks, head and
delegates (``core.roles.REGISTER_KEEPERS``) — who verify and register it. The rest of the staff
reach a received document once it is registered and assigned to them, through the incoming
register (``vanban.incoming.policy``), not through the hub's inbox. A refusal is audited here.
"""

from __future__ import annotations

from vanban.audit.services import audit_refusal
from vanban.core.errors import forbidden
from vanban.core.roles import REGISTER_KEEPERS, Actor


def reads_arrivals(actor: Actor | None) -> bool:
    """A register keeper of an agency (or the console operator)."""
    return actor is None or (actor.agency_id is not None
                             and any(actor.has_role(role) for role in REGISTER_KEEPERS))


def arrivals_allowed(actor: Actor | None, *, action: str = "exchange.inbox_view") -> None:
    """Refuse (403, audited as ``<action>.denied``) anyone but the register keepers."""
    if not reads_arrivals(actor):
        agency = getattr(actor, "agency", None)
        raise audit_refusal(actor=actor, error=forbidden(), action=action,
                            object_type="exchange.inbox",
                            agency_code=str(getattr(agency, "code", "") or ""))
