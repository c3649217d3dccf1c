"""Reads of the one-stop desk, scoped by the policy (``rules.py``): the queues of an officer's
agency per state, the dossiers whose step a person holds, one dossier with its files, steps and
history, the lookup by code, the missing mandatory papers, and the catalogue."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, Q, QuerySet

from vanban.core.errors import not_found
from vanban.core.roles import Actor
from vanban.exchange.models import Delivery
from vanban.exchange.selectors import inbox_of, readable_file
from vanban.onestop import rules
from vanban.onestop.models import Dossier, DossierStep, Procedure
from vanban.onestop.services.common import step_agency_ids
from vanban.onestop.services.forwarding import SUBJECT_PREFIX
from vanban.onestop.services.from_agency import delivery_taken


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


def forwarded_waiting(actor: Actor) -> list[Delivery]:
    """R11.1(a): dossiers other agencies' desks forwarded through the hub to the actor's desk
    and not yet received as dossiers, oldest first (the officer's part of the inbox)."""
    if actor.agency_id is None or not rules.is_officer(actor, actor.agency_id):
        return []
    arrived = (inbox_of(None, agency_id=actor.agency_id)
               .filter(transmission__subject__startswith=SUBJECT_PREFIX).order_by("received_at"))
    return [d for d in arrived[:200] if readable_file(d) and not delivery_taken(d)]
