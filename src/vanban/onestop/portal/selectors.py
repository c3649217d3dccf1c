"""What the portal reads: the public catalogue and one dossier's public view. Nothing here is
scoped by a user: the catalogue is public, and a dossier is shown only through
:func:`tracking_view`, which needs its code and its secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from vanban.core.fold import fold
from vanban.onestop.core.codes import hash_secret, secret_matches_hash
from vanban.onestop.core.states import STATE_LABELS, TERMINAL, State
from vanban.onestop.models import (
    Dossier,
    DossierStep,
    OnlineLevel,
    Procedure,
    RequiredDocument,
    SupplementRequest,
)

# Compared against when a code does not exist, so a wrong code costs what a wrong secret does.
_DECOY = hash_secret("DECOYDECOY", salt="0" * 16)
PAGE = 50


def catalogue(query: str = "") -> QuerySet[Procedure]:
    """Current, active procedures, by code; ``query`` matches words of the name, code or
    sector, with or without Vietnamese marks."""
    found = (Procedure.objects.filter(active=True, replaced_by__isnull=True)
             .select_related("agency").order_by("agency__name", "code"))
    for word in query.split()[:8]:
        found = found.filter(Q(name__icontains=word) | Q(code__icontains=word)
                             | Q(sector__icontains=word) | Q(agency__name__icontains=word))
    return found


def catalogue_search(query: str) -> list[Procedure]:
    """The first page of :func:`catalogue`; words typed without marks still match."""
    rows = list(catalogue(query)[:PAGE])
    if rows or not query.strip():
        return rows
    words = fold(query).split()  # "khai sinh" finds "Đăng ký khai sinh" typed as "dang ky"
    return [p for p in catalogue()[:2000]
            if all(w in fold(f"{p.name} {p.code} {p.sector} {p.agency.name}") for w in words)
            ][:PAGE]


def public_procedure(pk: int) -> Procedure | None:
    """A current, active procedure, or None."""
    return (Procedure.objects.filter(pk=pk, active=True, replaced_by__isnull=True)
            .select_related("agency").first())


def documents_of(procedure: Procedure) -> list[RequiredDocument]:
    """The papers of ``procedure``, in order."""
    return list(procedure.required_documents.order_by("order", "id"))


def online_allowed(procedure: Procedure) -> bool:
    """Whether the procedure is offered online at all (mức độ toàn trình or một phần)."""
    return procedure.online_level != OnlineLevel.NONE


def mask_name(name: str) -> str:
    """The applicant's name as the portal shows it: initials only (Nguyễn Văn An → N. V. A.)."""
    return " ".join(f"{word[0]}." for word in name.split() if word)


@dataclass(frozen=True)
class Tracked:
    """What a citizen sees of a dossier (spec §11)."""

    code: str
    procedure: str
    applicant: str  # masked
    state: str
    state_label: str
    received_at: datetime
    due_at: datetime | None
    current_step: str
    missing: list[str]
    collect_at: str
    result_ready: bool
    done: bool


def _current_step(dossier: Dossier) -> str:
    step = (DossierStep.objects.filter(dossier=dossier, finished_at__isnull=True)
            .select_related("agency", "unit").order_by("order").first())
    if step is None:
        return ""
    where = step.unit.name if step.unit is not None else step.agency.name
    return f"{step.description} — {where}" if step.description else where


ASKING = frozenset({State.INTAKE_SUPPLEMENT, State.SUPPLEMENT_REQUESTED})


def _missing(dossier: Dossier) -> list[str]:
    """The papers still asked for: only while the dossier waits for them."""
    if dossier.state not in ASKING:
        return []
    pending = (SupplementRequest.objects.filter(dossier=dossier, fulfilled_at__isnull=True)
               .order_by("-requested_at").first())
    return [str(item) for item in pending.items] if pending is not None else []


def matching(code: str, secret: str) -> Dossier | None:
    """The dossier with ``code`` whose secret is ``secret``, else None — the same work and the
    same answer whether the code exists or not (constant-time compare)."""
    dossier = (Dossier.objects.filter(code=code.strip().upper())
               .select_related("procedure", "desk").first()) if code.strip() else None
    stored = dossier.secret_hash if dossier is not None and dossier.secret_hash else _DECOY
    ok = secret_matches_hash(stored, secret)
    return dossier if ok and dossier is not None and stored != _DECOY else None


def tracking_view(dossier: Dossier) -> Tracked:
    """The public view of a dossier whose code and secret were given."""
    state = State(dossier.state)
    return Tracked(
        code=dossier.code or "", procedure=dossier.procedure.name,
        applicant=mask_name(dossier.applicant_name), state=state.value,
        state_label=STATE_LABELS[state][0], received_at=dossier.received_at,
        due_at=dossier.due_at, current_step=_current_step(dossier), missing=_missing(dossier),
        collect_at=dossier.desk.name,
        result_ready=state in (State.RESULT_READY, State.REFUSED_AFTER_APPRAISAL),
        done=state in TERMINAL)
