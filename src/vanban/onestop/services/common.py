"""Helpers shared by the one-stop services: the row lock, the one event per transition (and the
applicant's mail once it commits), the permission guards with their audited refusals, and text
checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import DomainError, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor
from vanban.onestop import rules
from vanban.onestop.core.states import Action, next_state
from vanban.onestop.models import Dossier, DossierEvent, DossierStep

OBJECT_TYPE = "onestop.dossier"


def actor_id(actor: Actor | None) -> int | None:
    """The user id of the actor (None for the console operator)."""
    return int(str(actor.pk)) if actor is not None and actor.pk is not None else None


def actor_name(actor: Actor | None) -> str:
    """The name shown on the control sheet (as it was when written)."""
    if actor is None:
        return "vanban"
    full = str(getattr(actor, "full_name", "") or "")
    return (full or actor.username)[:150]


def refused(actor: Actor | None, action: str, dossier: Dossier, error: DomainError,
            **data: Any) -> DomainError:
    """Audit a refused attempt (committed on its own, outside the action's transaction)."""
    audit_append(actor=actor, action=f"onestop.{action}.denied", object_type=OBJECT_TYPE,
                 object_id=dossier.pk or "", agency_code=dossier.desk.code,
                 data={**data, "reason": error.code})
    error.audited = True
    return error


@contextmanager
def atomic_refusing(actor: Actor | None, action: str, dossier: Dossier,
                    *codes: str) -> Iterator[None]:
    """The action's transaction. A refusal with one of ``codes``, found under the row lock, is
    audited once the transaction has rolled back: an audit row written inside it would roll
    back too, while the error, marked audited, kept the view from writing its own."""
    try:
        with transaction.atomic():
            yield
    except DomainError as err:
        if err.code in codes and not err.audited:
            refused(actor, action, dossier, err)
        raise


def open_step(dossier: Dossier) -> DossierStep | None:
    """The step being worked on: started and not finished."""
    return (dossier.steps.filter(started_at__isnull=False, finished_at__isnull=True)
            .order_by("order").first())


def holding(step: DossierStep | None) -> rules.Holding | None:
    """The policy's view of a step."""
    if step is None:
        return None
    return rules.Holding(agency_id=step.agency_id, unit_id=step.unit_id,
                         holder_id=step.holder_id, role=step.role)


def step_agency_ids(dossier: Dossier) -> frozenset[int]:
    """Every agency a step of the dossier goes to."""
    return frozenset(dossier.steps.values_list("agency_id", flat=True))


def require_visible(actor: Actor | None, action: str, dossier: Dossier) -> None:
    """R1.1: a dossier of a desk the actor has nothing to do with is "not found"."""
    if not rules.may_see(actor, desk_id=dossier.desk_id,
                         deciding_id=dossier.procedure.agency_id,
                         step_agency_ids=step_agency_ids(dossier)):
        raise refused(actor, action, dossier, not_found("hồ sơ", "Dossier"))


def require_officer(actor: Actor | None, action: str, dossier: Dossier) -> None:
    """Only the desk's one-stop officer."""
    require_visible(actor, action, dossier)
    if not rules.is_officer(actor, dossier.desk_id):
        raise refused(actor, action, dossier, forbidden())


def require_handler(actor: Actor | None, action: str, dossier: Dossier) -> None:
    """Whoever holds the open step, or the desk's officer."""
    require_visible(actor, action, dossier)
    if not rules.may_handle(actor, desk_id=dossier.desk_id, step=holding(open_step(dossier))):
        raise refused(actor, action, dossier, forbidden())


def require_approver(actor: Actor | None, action: str, dossier: Dossier) -> None:
    """The deciding agency's leader (or the named holder of an approving step)."""
    require_visible(actor, action, dossier)
    if not rules.may_approve(actor, deciding_id=dossier.procedure.agency_id,
                             step=holding(open_step(dossier))):
        raise refused(actor, action, dossier, forbidden())


def locked(dossier: Dossier) -> Dossier:
    """Re-read the dossier with a row lock, for a state change."""
    return (Dossier.objects.select_for_update(of=("self",))
            .select_related("desk", "procedure", "procedure__agency").get(pk=dossier.pk))


def text(value: str, *, what_vi: str, what_en: str, required: bool = True,
         limit: int = 2000) -> str:
    """A stripped text, refused when empty (if required) or too long."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationFailed(f"Chưa nhập {what_vi}.", f"The {what_en} is missing.",
                               code="required")
    if len(cleaned) > limit:
        raise ValidationFailed(f"{what_vi.capitalize()} quá dài (tối đa {limit} ký tự).",
                               f"The {what_en} is too long (at most {limit} characters).",
                               code="too_long")
    return cleaned


def transition(dossier: Dossier, action: Action, *, actor: Actor | None,
               fields: tuple[str, ...] = (), note: str = "", at: datetime | None = None,
               step: DossierStep | None = None, from_step: DossierStep | None = None,
               data: dict[str, Any] | None = None) -> DossierEvent:
    """Move the locked ``dossier`` by ``action``: save its state (and ``fields``), write the one
    event of this transition (hand-over columns from ``from_step`` → ``step``) and its audit
    event, all in the caller's transaction."""
    before = dossier.state
    after = next_state(before, action)
    moment = at or clock.now()
    dossier.state = after.value
    dossier.updated_at = moment
    dossier.save(update_fields=["state", "updated_at", *fields])
    event = DossierEvent.objects.create(
        dossier=dossier, action=action.value, from_state=before, to_state=after.value,
        at=moment, actor_id=actor_id(actor), actor_name=actor_name(actor),
        from_agency_id=from_step.agency_id if from_step else None,
        from_unit_id=from_step.unit_id if from_step else None,
        to_agency_id=step.agency_id if step else None,
        to_unit_id=step.unit_id if step else None,
        to_user_id=step.holder_id if step else None,
        step_deadline=step.deadline if step else None, due_at=dossier.due_at,
        note=note, data=data or {})
    audit_append(actor=actor, action=f"onestop.{action.value}", object_type=OBJECT_TYPE,
                 object_id=dossier.pk, agency_code=dossier.desk.code,
                 data={"code": dossier.code or "", "from": before, "to": after.value,
                       "event": event.pk, **(data or {})})
    transaction.on_commit(partial(_notify_applicant, event.pk))
    return event


def _notify_applicant(event_id: int) -> None:
    """Spec §11: after the change committed, mail the applicant if it is one they see (the
    portal's ``notify`` decides which, and logs a mail server that is down)."""
    from vanban.onestop.portal.notify import dossier_event_notify  # the portal sits on services

    dossier_event_notify(event_id)
