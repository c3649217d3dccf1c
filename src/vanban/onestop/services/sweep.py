"""The one-stop desk's periodic pass (``vanban onestop sweep``, and each pass of
``vanban notices run --loop``): close the dossiers whose appraisal supplement never came within
the closure period (Art. 19.5) and count the dossiers past their due time (the §5 ``overdue``
flag, which the desk's queues compute on reading; the pass reports it to the operator)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from vanban.onestop.core.states import RUNNING
from vanban.onestop.models import Dossier
from vanban.onestop.services.forwarding import forwardings_taken_close
from vanban.onestop.services.processing import dossiers_close_unsupplemented_due, not_future

__all__ = ["SweepResult", "dossiers_overdue", "dossiers_sweep", "not_future"]


@dataclass(frozen=True)
class SweepResult:
    """What one pass did: the codes it closed, and the overdue dossiers' codes it found."""

    closed: tuple[str, ...]
    overdue: tuple[str, ...]


def dossiers_overdue(at: datetime) -> QuerySet[Dossier]:
    """Every running dossier past its due time at ``at``, the most late first (the sweep's own
    read for the console, so not scoped to an actor)."""
    return (Dossier.objects.filter(state__in=[s.value for s in RUNNING], due_at__lt=at,
                                   finished_at__isnull=True).order_by("due_at", "id"))


def dossiers_sweep(*, at: datetime | None = None) -> SweepResult:
    """One pass at ``at`` (default now); each closure is its own transaction, event and audit
    event, written by the console (no actor), so a pass run twice closes nothing twice."""
    moment = not_future(at)  # a moment to come is refused
    forwardings_taken_close()  # a peer's 03 ends the sending desk's dossier (R11.1a)
    closed = dossiers_close_unsupplemented_due(actor=None, at=moment)
    overdue = dossiers_overdue(moment).values_list("code", "pk")
    return SweepResult(closed=tuple(d.code or f"#{d.pk}" for d in closed),
                       overdue=tuple(code or f"#{pk}" for code, pk in overdue))
