"""Reads of the one-stop desk, scoped by the policy (``rules.py``): the queues of an officer's
agency per state, the dossiers whose step a person holds, one dossier with its files, steps and
history, the lookup by code, the missing mandatory papers, and the catalogue."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from vanban.core.errors import not_found
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.exchange.core.states import STATE_LABELS as DELIVERY_LABELS
from vanban.exchange.core.states import State as DeliveryState
from vanban.exchange.models import Delivery
from vanban.exchange.selectors import inbox_of
from vanban.onestop import rules
from vanban.onestop.core.states import STATE_LABELS, Action, State
from vanban.onestop.models import Dossier, DossierEvent, DossierStep, Procedure
from vanban.onestop.services.common import step_agency_ids
from vanban.onestop.services.forwarding import forwarded_deliveries
from vanban.onestop.services.from_agency import dossiers_made_of
from vanban.registry.models import Document


def _base() -> QuerySet[Dossier]:
    return Dossier.objects.select_related("desk", "procedure", "procedure__agency")


def dossiers_visible(actor: Actor | None) -> QuerySet[Dossier]:
    """Every dossier ``actor`` may read, by the policy's own predicates (``rules.may_see``): the
    desk's for its one-stop officer, the deciding agency's for its leaders, any dossier with a
    step at the actor's agency (joint processing); all for the province administrator."""
    if actor is None or rules.is_province_admin(actor):
        return _base()
    agency_id = actor.agency_id
    if agency_id is None:
        return _base().none()
    seen = Q(Exists(DossierStep.objects.filter(dossier=OuterRef("pk"), agency_id=agency_id)))
    if rules.is_officer(actor, agency_id):
        seen |= Q(desk_id=agency_id)
    if rules.is_leader(actor, agency_id):
        seen |= Q(procedure__agency_id=agency_id)
    return _base().filter(seen)


def dossiers_held_by(actor: Actor) -> QuerySet[Dossier]:
    """Dossiers whose open step ``actor`` holds (``rules.holds``): by name, or — a specialist or
    leader — by unit or by agency (no one named)."""
    unit_id = getattr(actor, "unit_id", None)
    open_here = DossierStep.objects.filter(
        dossier=OuterRef("pk"), started_at__isnull=False, finished_at__isnull=True,
        agency_id=actor.agency_id or 0)
    mine = open_here.filter(Q(holder_id=actor.pk))
    if rules.is_handler(actor):  # the policy's ``holds``: unnamed steps only for handlers
        mine = open_here.filter(Q(holder_id=actor.pk)
                                | Q(holder__isnull=True, unit__isnull=True)
                                | Q(holder__isnull=True, unit_id=unit_id or 0))
    return _base().filter(Exists(mine)).order_by("due_at", "id")


def dossier_get(actor: Actor | None, pk: int) -> Dossier:
    """One dossier with its files, steps and history; "not found" when not visible (R1.1)."""
    dossier = (_base().prefetch_related("files", "steps", "events", "supplement_requests")
               .filter(pk=pk).first())
    if dossier is None or not rules.may_see(
            actor, desk_id=dossier.desk_id, deciding_id=dossier.procedure.agency_id,
            step_agency_ids=step_agency_ids(dossier)):
        raise not_found("hồ sơ", "Dossier")
    return dossier


def dossier_by_code(actor: Actor | None, code: str) -> Dossier:
    """The dossier with this code, for staff (the same "not found" when not visible)."""
    found = _base().filter(code=code.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise not_found("hồ sơ", "Dossier")
    return dossier_get(actor, found)


def papers_missing(procedure: Procedure, given: Collection[int | None]) -> list[str]:
    """The names of the procedure's mandatory papers not among ``given`` (required-document
    ids): the one check of the counter's decision and of an online filing."""
    return [d.name for d in procedure.required_documents.filter(mandatory=True).order_by("order")
            if d.pk not in given]


def procedures_current(agency_id: int | None = None) -> QuerySet[Procedure]:
    """Procedures new dossiers are received under (active, latest version)."""
    rows = Procedure.objects.select_related("agency").filter(active=True, replaced_by=None)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return rows.order_by("agency__code", "code")


def procedure_get(pk: int) -> Procedure:
    """One procedure version with its steps and papers."""
    found = (Procedure.objects.select_related("agency")
             .prefetch_related("steps", "required_documents").filter(pk=pk).first())
    if found is None:
        raise not_found("thủ tục", "Procedure")
    return found


FORWARDED_CAP = 200
"""How many waiting forwarded dossiers the list shows (oldest first)."""


def _forwarded_arrived(actor: Actor) -> QuerySet[Delivery] | None:
    """The actor's desk's forwarded deliveries still waiting, oldest first (``None``: the actor
    is no officer of a desk)."""
    if actor.agency_id is None or not rules.is_officer(actor, actor.agency_id):
        return None
    # All in SQL before the cap: taking one in moves its delivery to 03, sending it back to
    # 02, withdrawing it away from 01, so the handled ones never crowd out the waiting ones.
    return (inbox_of(None, agency_id=actor.agency_id)
            .filter(forwarded_deliveries(), state=DeliveryState.ARRIVED)
            .order_by("received_at", "id"))


def forwarded_waiting(actor: Actor) -> list[Delivery]:
    """R11.1(a): dossiers other agencies' desks forwarded through the hub to the actor's desk
    and not yet received as dossiers, oldest first (the officer's part of the inbox)."""
    arrived = _forwarded_arrived(actor)
    if arrived is None:
        return []
    return list(arrived.select_related("transmission__document")[:FORWARDED_CAP])


def forwarded_waiting_count(actor: Actor) -> int:
    """How many :func:`forwarded_waiting` lists (the desk's badge: a count, not the rows)."""
    arrived = _forwarded_arrived(actor)
    return 0 if arrived is None else arrived[:FORWARDED_CAP].count()


@dataclass(frozen=True)
class Forwarding:
    """One sending of a dossier to another agency's desk, as the sending desk follows it: the
    draft the clerk numbers and sends, the hub's delivery, and what the other desk did."""

    at: datetime
    by: str
    target: Agency
    note: str
    document: Document | None
    delivery: Delivery | None
    taken_code: str = ""
    taken_state: tuple[str, str] | None = None

    @property
    def stage(self) -> tuple[str, str]:
        """Where the sending is (Vietnamese, English), latest news first."""
        if self.taken_state is not None:
            return ("Cơ quan nhận đã tiếp nhận thành hồ sơ", "Taken in by the receiving desk")
        if self.delivery is not None:
            return DELIVERY_LABELS[DeliveryState(self.delivery.state)]
        if self.document is not None and self.document.state != "draft":
            return ("Văn thư đang vào sổ, chờ gửi", "The clerk is registering it for sending")
        return ("Chờ văn thư vào sổ và gửi", "Waiting for the clerk to number and send it")


def _latest_deliveries(pairs: Collection[tuple[int, int]]) -> dict[tuple[int, int], Delivery]:
    """The newest delivery of each (document, recipient) pair (an update or replacement is a
    newer one), in one query."""
    if not pairs:
        return {}
    documents, recipients = {d for d, _ in pairs}, {r for _, r in pairs}
    latest: dict[tuple[int, int], Delivery] = {}
    for delivery in (Delivery.objects
                     .filter(transmission__document_id__in=documents, recipient_id__in=recipients)
                     .annotate(sent_document_id=F("transmission__document_id")).order_by("-id")):
        latest.setdefault((delivery.sent_document_id, delivery.recipient_id), delivery)
    return latest


def forwardings(dossier: Dossier) -> list[Forwarding]:
    """R11.1(a): the dossier's sendings to other desks with how far each got (for its page;
    the caller already may read the dossier). The receiving desk's dossier is named by code
    and state only. Four queries however many sendings: the events, their documents, the
    deliveries and the dossiers made of them."""
    events = list(dossier.events.filter(action=Action.SEND_TO_AGENCY.value)
                  .select_related("to_agency").order_by("at", "id"))
    if not events:
        return []
    documents = Document.objects.in_bulk(
        {int(e.data["document"]) for e in events if e.data.get("document") is not None})

    def document_of(event: DossierEvent) -> Document | None:
        pk = event.data.get("document")
        return documents.get(int(pk)) if pk is not None else None

    deliveries = _latest_deliveries({(d.pk, e.to_agency_id) for e in events
                                     if (d := document_of(e)) is not None
                                     and e.to_agency_id is not None})
    taken_of = dossiers_made_of(deliveries.values())
    found: list[Forwarding] = []
    for event in events:
        document = document_of(event)
        delivery = (deliveries.get((document.pk, event.to_agency_id))
                    if document is not None and event.to_agency_id is not None else None)
        taken = taken_of.get(str(delivery.uid)) if delivery is not None else None
        found.append(Forwarding(
            at=event.at, by=event.actor_name, target=event.to_agency or dossier.desk,
            note=event.note, document=document, delivery=delivery,
            taken_code=taken.code or "" if taken is not None else "",
            taken_state=STATE_LABELS[State(taken.state)] if taken is not None else None))
    return found
