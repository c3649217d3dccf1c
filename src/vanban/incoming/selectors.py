"""Reads of the incoming register, scoped to the actor's agency (R1.1: another agency's
delivery or entry is "not found") and, inside it, by need-to-know (:mod:`.policy`, R16.2,
R16.5): the keepers' inbox of waiting deliveries and the register, and the documents a person
may see.

Both are read a page at a time (LIMIT, keyset on the arrival number), on indexes, so the pages
stay fast with a hundred thousand documents in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from vanban.core import clock
from vanban.core.errors import not_found
from vanban.core.roles import Actor
from vanban.core.searchable import search_matching
from vanban.exchange.core.states import State
from vanban.exchange.models import INBOUND, Delivery
from vanban.incoming import policy
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services.common import SERIES
from vanban.registry.models import Register

PAGE = 50


def _agency_id(actor: Actor | None, agency_id: int | None = None) -> int:
    return (agency_id if actor is None else actor.agency_id) or 0


def waiting(actor: Actor | None, *, agency_id: int | None = None) -> QuerySet[Delivery]:
    """Deliveries that arrived and wait for the clerk (neither registered nor rejected yet),
    newest first. For the register keepers only (refusal audited)."""
    policy.register_allowed(actor, action="incoming.inbox")
    return (Delivery.objects.filter(INBOUND, recipient_id=_agency_id(actor, agency_id),
                                    state=State.ARRIVED, received_at__isnull=False)
            .select_related("transmission__sender", "recipient")
            .order_by("-received_at", "-id"))


def delivery_get(actor: Actor | None, uid: str) -> Delivery:
    """One delivery of the actor's agency (any state), for its verification page and file
    (the register keepers': the clerk verifies before registering)."""
    found = (Delivery.objects.select_related("transmission__sender", "transmission__document",
                                             "recipient")
             .filter(INBOUND, uid=uid, received_at__isnull=False))
    if actor is not None:
        found = found.filter(recipient_id=actor.agency_id or 0)
    delivery = found.first()
    if delivery is None:
        raise not_found("văn bản đến", "Delivery")
    policy.register_allowed(actor, action="incoming.delivery_view")
    return delivery


def entry_of_delivery(delivery: Delivery) -> IncomingDocument | None:
    """The register line made from this delivery, if it was registered."""
    return IncomingDocument.objects.filter(delivery=delivery).first()


def entries(actor: Actor | None, *, agency_id: int | None = None) -> QuerySet[IncomingDocument]:
    """Every line of the agency's incoming registers (for the keepers; callers check with
    :func:`policy.register_allowed` first)."""
    return (IncomingDocument.objects.filter(agency_id=_agency_id(actor, agency_id))
            .select_related("register", "recipient_unit", "recipient_user", "registered_by",
                            "duplicate_of"))


def entry_get(actor: Actor | None, pk: int, *,
              action: str = "incoming.document_view") -> IncomingDocument:
    """One incoming document the actor may see: another agency's is "not found", one of the
    actor's agency without need-to-know is refused and audited as ``<action>.denied``."""
    found = (IncomingDocument.objects.select_related(
        "agency", "register", "recipient_unit", "recipient_user", "registered_by",
        "duplicate_of", "delivery", "verification").filter(pk=pk).first())
    return policy.document_allowed(actor, found, action=action)


def text_search(documents: QuerySet[IncomingDocument], text: str
                ) -> QuerySet[IncomingDocument]:
    """Documents whose arrival number, number, notation, issuer, subject, type, note or dates
    hold every word of ``text``, diacritics and đ/d folded (the one search rule, ADR 0017:
    "Ha Noi" finds "Hà Nội")."""
    return search_matching(documents, text)


def register_of(actor: Actor | None, year: int, *,
                agency_id: int | None = None) -> Register | None:
    """The agency's incoming register of ``year`` (None before its first entry)."""
    return Register.objects.filter(agency_id=_agency_id(actor, agency_id), year=year,
                                   series=SERIES, kind=Register.KIND_INCOMING).first()


def register_years(actor: Actor | None) -> list[int]:
    """Years that have an incoming register, newest first (the current year always)."""
    policy.register_allowed(actor, action="incoming.register_view")
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
    """The register of ``year`` (default: this year), filtered by ``search`` (:func:`text_search`),
    ``limit`` lines with an arrival number below ``before``. For the register keepers only
    (refusal audited)."""
    policy.register_allowed(actor, action="incoming.register_view")
    year = year or clock.local_now().year
    register = register_of(actor, year)
    if register is None:
        return RegisterPage(year=year, register=None, rows=[], next_before=None, total=0)
    found = text_search(entries(actor).filter(register=register), search)
    if before is not None:
        found = found.filter(arrival_number__lt=before)
    rows = list(found.order_by("-arrival_number")[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    total = register.counter.last_number if hasattr(register, "counter") else 0
    return RegisterPage(year=year, register=register, rows=rows,
                        next_before=rows[-1].arrival_number if more else None, total=total)


def register_rows(actor: Actor | None, *, year: int | None = None,
                  search: str = "") -> QuerySet[IncomingDocument]:
    """The lines of the register of ``year`` (default: this year) matching ``search``, for
    the API's keyset pages (unordered: the paginator orders by arrival number). For the
    register keepers only (refusal audited)."""
    policy.register_allowed(actor, action="incoming.register_view")
    year = year or clock.local_now().year
    return text_search(entries(actor).filter(register__year=year, register__series=SERIES,
                                             register__kind=Register.KIND_INCOMING), search)


def register_all(actor: Actor | None, register: Register) -> list[IncomingDocument]:
    """Every line of one register in number order (for the printed register)."""
    policy.register_allowed(actor, action="incoming.register_view")
    return list(entries(actor).filter(register=register).order_by("arrival_number"))
