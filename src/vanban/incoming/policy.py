"""Need-to-know for incoming documents inside an agency (R16.2, R16.5). The one rule every page,
API action and file link of the incoming side (and the workflow above it) asks.

* The *register keepers* of an agency — its clerks, its head and delegates
  (``core.roles.REGISTER_KEEPERS``) — see what arrives (deliveries), the incoming register and
  every incoming document with its file.
* Anyone else of the agency sees an incoming document, and downloads its file, only while or
  after holding a work line on it: the line's person, or a member of the line's unit. A line
  withdrawn by a re-assignment still counts (its former holder keeps reading what they worked
  on; they can no longer act on it — that is the workflow's rule).
* Another agency sees nothing (R1.1: "not found"). The console operator (``None``) sees all.

Refusals inside the agency are 403 and audited (``<action>.denied``) here, so each caller need
not remember to. Work lines belong to the workflow app, which sits above this one: it tells this
policy who holds what through :func:`holdings_register` when it starts (no upward import).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from vanban.audit.services import audit_refusal
from vanban.core.errors import forbidden, not_found
from vanban.core.roles import Actor, Role, keeps_register
from vanban.incoming.models import IncomingDocument

OBJECT_TYPE = "incoming.document"
# Given an actor, a query of the ids of the incoming documents they hold or held a line of.
Holdings = Callable[[Actor], "QuerySet[Any]"]
_holdings: list[Holdings] = []


def holdings_register(holdings: Holdings) -> None:
    """Called by the workflow app when it starts: where the work lines are."""
    if holdings not in _holdings:
        _holdings.append(holdings)


def may_assign(actor: Actor | None, agency_id: int) -> bool:
    """The agency's head or a delegate: who assigns its incoming documents (the workflow's
    rule, ``workflow.rules.is_director``), so the register's pages offer the assignment page."""
    return actor is not None and actor.agency_id == agency_id and any(
        actor.has_role(role) for role in (Role.HEAD, Role.DELEGATE))


def visible(actor: Actor | None) -> QuerySet[IncomingDocument]:
    """The incoming documents ``actor`` may see (module docstring)."""
    documents = IncomingDocument.objects.all()
    if actor is None:
        return documents
    if actor.agency_id is None:
        return documents.none()
    documents = documents.filter(agency_id=actor.agency_id)
    if keeps_register(actor, actor.agency_id):
        return documents
    if not _holdings:
        return documents.none()
    held = _holdings[0](actor)
    for more in _holdings[1:]:
        held = held.union(more(actor))
    return documents.filter(pk__in=held)


def may_see(actor: Actor | None, document: IncomingDocument) -> bool:
    """Whether ``actor`` may see ``document`` and download its file."""
    return visible(actor).filter(pk=document.pk).exists()


def document_allowed(actor: Actor | None, document: IncomingDocument | None, *,
                     action: str) -> IncomingDocument:
    """``document`` when the actor may see it. Missing or another agency's: ``NotFound`` (R1.1);
    the actor's own agency without need-to-know: ``Forbidden``, audited."""
    if document is None or (actor is not None and document.agency_id != actor.agency_id):
        raise not_found("văn bản đến", "Incoming document")
    if not may_see(actor, document):
        raise audit_refusal(actor=actor, error=forbidden(), action=action,
                            object_type=OBJECT_TYPE, object_id=document.pk,
                            agency_code=_agency_code(document))
    return document


def register_allowed(actor: Actor | None, *, action: str) -> None:
    """The inbox of arrivals and the incoming register are the keepers' (refusal audited)."""
    if actor is not None and not keeps_register(actor, actor.agency_id):
        raise audit_refusal(actor=actor, error=forbidden(), action=action,
                            object_type="incoming.register", agency_code=_agency_code(actor))


def _agency_code(owner: object) -> str:
    """The agency code of a document or an actor (the protocol does not carry the agency)."""
    agency = getattr(owner, "agency", None)
    return str(getattr(agency, "code", "") or "")
