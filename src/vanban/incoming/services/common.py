"""Helpers shared by the incoming register's services: who may register, the refusal record,
the agency's one yearly register and its next arrival number, duplicate detection."""

from __future__ import annotations

from datetime import date
from typing import Any

from vanban.audit.services import audit_refusal
from vanban.core.errors import DomainError, forbidden
from vanban.core.roles import Actor, Role
from vanban.directory.models import Agency
from vanban.incoming.models import IncomingDocument
from vanban.registry.models import Register
from vanban.registry.services.documents import next_number, register_for

OBJECT_TYPE = "incoming.document"
OBJECT_DELIVERY = "exchange.delivery"
# The one series of the incoming register (Decree 30/2020 Art. 22: electronic and paper share it).
SERIES = "den"


def actor_id(actor: Actor | None) -> int | None:
    """The acting user's id (None for the console operator)."""
    return int(str(actor.pk)) if actor is not None and actor.pk is not None else None


def refused(actor: Actor | None, action: str, error: DomainError, *, object_type: str,
            object_id: object, agency: Agency, **data: Any) -> DomainError:
    """Audit a refused attempt (it survives the error's rollback) and return the error."""
    return audit_refusal(actor=actor, error=error, action=action, object_type=object_type,
                         object_id=object_id, agency_code=agency.code, data=data or None)


def is_clerk(actor: Actor | None, agency_id: int) -> bool:
    """R10.1: only the receiving agency's clerk registers (the console operator too)."""
    return actor is None or (actor.agency_id == agency_id and actor.has_role(Role.CLERK))


def require_clerk(actor: Actor | None, action: str, agency: Agency, *, object_type: str,
                  object_id: object) -> None:
    """Refuse (and audit) anyone but the agency's clerk; another agency's user is refused too."""
    if not is_clerk(actor, agency.pk):
        raise refused(actor, action, forbidden(), object_type=object_type,
                      object_id=object_id, agency=agency)


def incoming_register_of(agency: Agency, year: int) -> Register:
    """The agency's incoming register of ``year`` (created with its counter on first use)."""
    return register_for(agency=agency, year=year, series=SERIES, kind=Register.KIND_INCOMING)


def next_arrival_number(register: Register) -> int:
    """The next arrival number (row-locked counter: gapless, in commit order)."""
    return next_number(register)


def duplicate_of(*, agency: Agency, issuer: Agency | None, issuer_name: str, code_number: str,
                 code_notation: str, issued_date: date | None) -> IncomingDocument | None:
    """The first registered document with the same issuer, number, notation and date."""
    if not code_number or issued_date is None:
        return None
    found = IncomingDocument.objects.filter(
        agency=agency, code_number=code_number, code_notation=code_notation,
        issued_date=issued_date)
    if issuer is not None:
        found = found.filter(issuer=issuer) | found.filter(issuer_name=issuer_name)
    else:
        found = found.filter(issuer_name=issuer_name)
    return found.order_by("register__year", "arrival_number").first()
