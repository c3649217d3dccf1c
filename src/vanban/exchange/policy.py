"""Who reads what arrived for an agency (R16.2, R16.5: need-to-know inside the agency).

What the hub delivers is read first by the agency's register keepers — its clerks, head and
delegates (``core.roles.REGISTER_KEEPERS``) — who verify and register it. The rest of the staff
reach a received document once it is registered and assigned to them, through the incoming
register (``vanban.incoming.policy``), not through the hub's inbox. A refusal is audited here.
"""

from __future__ import annotations

from vanban.audit.services import audit_refusal
from vanban.core.errors import forbidden
from vanban.core.roles import Actor, keeps_register


def reads_arrivals(actor: Actor | None) -> bool:
    """A register keeper of its own agency (or the console operator)."""
    return keeps_register(actor, actor.agency_id if actor is not None else None)


def arrivals_allowed(actor: Actor | None, *, action: str = "exchange.inbox_view") -> None:
    """Refuse (403, audited as ``<action>.denied``) anyone but the register keepers."""
    if not reads_arrivals(actor):
        agency = getattr(actor, "agency", None)
        raise audit_refusal(actor=actor, error=forbidden(), action=action,
                            object_type="exchange.inbox",
                            agency_code=str(getattr(agency, "code", "") or ""))
