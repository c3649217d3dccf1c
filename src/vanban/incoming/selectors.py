"""Reads of the incoming register, scoped to the actor's agency (R1.1: another agency's
delivery or entry is "not found"): the clerk's inbox of waiting deliveries and the register.

Both are read a page at a time (LIMIT, keyset on the arrival number), on indexes, so the pages
stay fast with a hundred thousand documents in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from vanban.core import clock
from vanban.core.errors import not_found
from vanban.core.roles import Actor
from vanban.exchange.core.states import State
from vanban.exchange.models import Delivery
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services.common import SERIES
from vanban.registry.models import Register

PAGE = 50


def _agency_id(actor: Actor | None, agency_id: int | None = None) -> int:
    return (agency_id if actor is None else actor.agency_id) or 0


def waiting(actor: Actor | None, *, agency_id: int | None = None) -> QuerySet[Delivery]:
    """Deliveries that arrived and wait for the clerk (neither registered nor rejected yet),
    newest first."""
    return (Delivery.objects.filter(recipient_id=_agency_id(actor, agency_id),
                                    state=State.ARRIVED, received_at__isnull=False)
            .select_related("transmission__sender", "recipient")
            .order_by("-received_at", "-id"))


def delivery_get(actor: Actor | None, uid: str) -> Delivery:
    """One delivery of the actor's agency (any state), for its verification page."""
    found = (Delivery.objects.select_related("transmission__sender", "transmission__document",
                                             "recipient")
             .filter(uid=uid, received_at__isnull=False))
    if actor is not None:
        found = found.filter(recipient_id=actor.agency_id or 0)
    delivery = found.first()
    if delivery is None:
        raise not_found("văn bản đến", "Delivery")
    return delivery


def entry_of_delivery(delivery: Delivery) -> IncomingDocument | None:
    """The register line made from this delivery, if it was registered."""
    return IncomingDocument.objects.filter(delivery=delivery).first()


def entries(actor: Actor | None, *, agency_id: int | None = None) -> QuerySet[IncomingDocument]:
    """Every line of the agency's incoming registers."""
    return (IncomingDocument.objects.filter(agency_id=_agency_id(actor, agency_id))
            .select_related("register", "recipient_unit", "recipient_user", "registered_by",
                            "duplicate_of"))


def entry_get(actor: Actor | None, pk: int) -> IncomingDocument:
    """One line of the agency's register."""
    found = entries(actor).select_related("delivery", "verification").filter(pk=pk).first()
    if found is None:
        raise not_found("văn bản đến", "Incoming document")
    return found


def register_of(actor: Actor | None, year: int, *,
                agency_id: int | None = None) -> Register | None:
    """The agency's incoming register of ``year`` (None before its first entry)."""
    return Register.objects.filter(agency_id=_agency_id(actor, agency_id), year=year,
                                   series=SERIES, kind=Register.KIND_INCOMING).first()


def register_years(actor: Actor | None) -> list[int]:
    """Years that have an incoming register, newest first (the current year always)."""
    years = set(Register.objects.filter(agency_id=_agency_id(actor), series=SERIES,
                                        kind=Register.KIND_INCOMING)
                .values_list("year", flat=True))
    years.add(clock.local_now().year)
    return sorted(years, reverse=True)


@dataclass(frozen=True)
class RegisterPage:
    """One page of the register: newest arrival number first, with the keyset to go on."""

    year: int
    register: Register | None
    rows: list[IncomingDocument]
    next_before: int | None
    total: int


def register_page(actor: Actor | None, *, year: int | None = None, search: str = "",
                  before: int | None = None, limit: int = PAGE) -> RegisterPage:
    """The register of ``year`` (default: this year), filtered by ``search`` (subject, issuer,
    number or notation), ``limit`` lines with an arrival number below ``before``."""
    year = year or clock.local_now().year
    register = register_of(actor, year)
    if register is None:
        return RegisterPage(year=year, register=None, rows=[], next_before=None, total=0)
    found = entries(actor).filter(register=register)
    text = " ".join(search.split())
    if text:
        found = found.filter(Q(subject__icontains=text) | Q(issuer_name__icontains=text)
                             | Q(code_notation__icontains=text) | Q(code_number=text)
                             | Q(note__icontains=text))
    if before is not None:
        found = found.filter(arrival_number__lt=before)
    rows = list(found.order_by("-arrival_number")[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    total = register.counter.last_number if hasattr(register, "counter") else 0
    return RegisterPage(year=year, register=register, rows=rows,
                        next_before=rows[-1].arrival_number if more else None, total=total)


def register_all(actor: Actor | None, register: Register) -> list[IncomingDocument]:
    """Every line of one register in number order (for the printed register)."""
    return list(entries(actor).filter(register=register).order_by("arrival_number"))
