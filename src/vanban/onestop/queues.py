"""The desk's pages' reads, on top of the policy's selectors (``selectors.py``, ``rules.py``):
who may open the desk, its named queues with their counts, search, the counter's procedure
list, the book's rows, and the lookup of a dossier by code or id.

Which dossiers a person sees is the policy's: the desk's, the deciding agency's leaders', and
every agency a step goes to (joint processing, R11.2); another agency's dossier is "not found"
(R1.1: we do not say it exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet

from vanban.core import clock
from vanban.core.errors import Forbidden, NotFound
from vanban.core.roles import Actor, Role
from vanban.directory.models import Agency
from vanban.onestop import rules, selectors
from vanban.onestop.core.states import RUNNING, TERMINAL, State
from vanban.onestop.models import Dossier, DossierFile, DossierStep, Procedure
from vanban.onestop.services.forwarding import open_forwardings

DESK_ROLES = frozenset({Role.ONESTOP, Role.HEAD, Role.DELEGATE, Role.SPECIALIST})
DUE_SOON = timedelta(days=2)
COUNT_CAP = 1000


@dataclass(frozen=True)
class Queue:
    """One queue of the desk home: its key in the address, its Vietnamese label, its tone."""

    key: str
    label: str
    tone: str = ""


QUEUES = (
    Queue("check", "Chờ kiểm tra", "warn"),
    Queue("supplement", "Chờ bổ sung"),
    Queue("processing", "Đang xử lý"),
    Queue("due_soon", "Sắp đến hạn", "warn"),
    Queue("overdue", "Quá hạn", "err"),
    Queue("to_return", "Chờ trả kết quả", "warn"),
    Queue("done", "Đã kết thúc"),
    Queue("held", "Tôi đang giữ"),
)
QUEUE_KEYS = frozenset(q.key for q in QUEUES)
_STATES: dict[str, frozenset[State]] = {
    "check": frozenset({State.SUBMITTED}),
    "supplement": frozenset({State.INTAKE_SUPPLEMENT, State.SUPPLEMENT_REQUESTED}),
    "processing": frozenset({State.ACCEPTED, State.PROCESSING, State.FEE_DUE,
                             State.WITHDRAWAL_REQUESTED}),
    "to_return": frozenset({State.RESULT_READY, State.REFUSED_AFTER_APPRAISAL}),
    "done": TERMINAL,
}


def desk_agency(actor: Actor) -> int:
    """The agency whose desk ``actor`` works at; a refusal for anyone else (not audited here:
    the 403 handler records it)."""
    if actor.agency_id is None or not any(actor.has_role(r) for r in DESK_ROLES):
        raise Forbidden("Chỉ cán bộ một cửa, chuyên viên và lãnh đạo cơ quan mới dùng trang "
                        "này.", "Only one-stop officers, specialists and agency leaders may "
                        "use this page.", code="onestop_forbidden")
    return actor.agency_id


def visible(actor: Actor) -> QuerySet[Dossier]:
    """The dossiers ``actor`` may see (the policy's selector), for desk staff only."""
    desk_agency(actor)
    return selectors.dossiers_visible(actor)


def in_queue(rows: QuerySet[Dossier], key: str, actor: Actor | None = None
             ) -> QuerySet[Dossier]:
    """The rows of the queue ``key`` (every row for an unknown key); ``held`` needs the
    actor: the dossiers whose open step they hold (named, their unit's or their agency's)."""
    now = clock.now()
    if key == "held":
        if actor is None:
            return rows.none()
        return rows.filter(pk__in=selectors.dossiers_held_by(actor).values_list("pk", flat=True))
    running = [s.value for s in RUNNING]
    if key == "overdue":
        return rows.filter(state__in=running, due_at__lt=now)
    if key == "due_soon":
        return rows.filter(state__in=running, due_at__gte=now, due_at__lt=now + DUE_SOON)
    states = _STATES.get(key)
    if key == "check":  # a dossier sent to another desk waits there until it is sent back
        return rows.filter(state__in=[s.value for s in _STATES[key]]).exclude(
            pk__in=open_forwardings().values("dossier_id"))
    return rows.filter(state__in=[s.value for s in states]) if states else rows


def counts(actor: Actor) -> dict[str, int]:
    """Each queue's count, up to :data:`COUNT_CAP`, exactly as :func:`in_queue` over
    :func:`visible` would count them, in a few index range reads instead of one scan per queue:
    the visible set is cut into disjoint parts (:func:`_parts`), the open dossiers of each are
    counted in one grouped query (the ``onestop_dossier_open`` partial indexes), the finished
    ones up to the cap, and the held ones from their open steps (always visible: a step at the
    actor's agency makes a dossier visible)."""
    desk_agency(actor)
    parts = _parts(actor)
    found = dict.fromkeys(QUEUE_KEYS, 0)
    for part in parts:
        for key, n in _open_counts(Dossier.objects.filter(part)).items():
            found[key] += n
    for part in parts:
        if found["done"] >= COUNT_CAP:
            break
        found["done"] += (Dossier.objects.filter(part, state__in=_values(TERMINAL))
                          .order_by()[:COUNT_CAP].count())
    found["held"] = selectors.dossiers_held_by(actor).order_by()[:COUNT_CAP].count()
    found["check"] -= _sent_away(parts)
    return {key: min(n, COUNT_CAP) for key, n in found.items()}


OPEN = frozenset(State) - TERMINAL


def _sent_away(parts: list[Q]) -> int:
    """The submitted dossiers of the visible parts whose sending to another desk is open: out
    of the check queue as in :func:`in_queue`. One query over the few open sendings, apart from
    the grouped counts so those stay index-only."""
    visible = Q()
    for part in parts:
        visible |= part
    return (Dossier.objects.filter(visible, state=State.SUBMITTED.value,
                                   pk__in=open_forwardings().values("dossier_id"))
            .order_by().count())


def _values(states: frozenset[State]) -> list[str]:
    return sorted(s.value for s in states)


def _parts(actor: Actor) -> list[Q]:
    """:func:`selectors.dossiers_visible` as disjoint predicates, each on an index: the desk's
    own dossiers, the other desks' dossiers of the agency's procedures (its leaders), the rest
    with a step at the agency (joint processing); everything for the province administrator."""
    if rules.is_province_admin(actor):
        return [Q()]
    agency_id = actor.agency_id or 0
    own = rules.is_officer(actor, agency_id)
    leads = rules.is_leader(actor, agency_id)
    deciding = Q(procedure_id__in=Procedure.objects.filter(agency_id=agency_id).values("pk"))
    stepped = Q(pk__in=DossierStep.objects.filter(agency_id=agency_id).values("dossier_id"))
    parts = []
    if own:
        parts.append(Q(desk_id=agency_id))
        deciding &= ~Q(desk_id=agency_id)
        stepped &= ~Q(desk_id=agency_id)
    if leads:
        parts.append(deciding)
        stepped &= ~Q(procedure_id__in=Procedure.objects.filter(agency_id=agency_id)
                      .values("pk"))
    parts.append(stepped)
    return parts


def _open_counts(rows: QuerySet[Dossier]) -> dict[str, int]:
    """The open queues' counts of ``rows``: one query grouped by state, the due-time queues as
    conditional counts (uncapped; the caller caps the sums)."""
    now = clock.now()
    running = Q(state__in=_values(RUNNING))
    grouped = (rows.filter(state__in=_values(OPEN)).order_by().values("state")
               .annotate(n=Count("state"),  # not "pk": the index has no id (index-only scan)
                         late=Count("state", filter=running & Q(due_at__lt=now)),
                         due_soon=Count("state", filter=running & Q(due_at__gte=now,
                                                                    due_at__lt=now + DUE_SOON))))
    found = dict.fromkeys(("overdue", "due_soon", *_STATES), 0)
    for row in grouped:
        found["overdue"] += row["late"]
        found["due_soon"] += row["due_soon"]
        for key, states in _STATES.items():
            if State(row["state"]) in states:
                found[key] += row["n"]
    return found


def search(rows: QuerySet[Dossier], text: str) -> QuerySet[Dossier]:
    """Rows whose code, applicant or procedure name contains ``text``."""
    text = text.strip()
    if not text:
        return rows
    return rows.filter(Q(code__icontains=text) | Q(applicant_name__icontains=text)
                       | Q(procedure__name__icontains=text))


def dossier_get(actor: Actor, ref: str) -> Dossier:
    """A dossier by its code or id, if ``actor`` may see it; "not found" otherwise."""
    if ref.isdigit():
        return selectors.dossier_get(actor, int(ref))
    return selectors.dossier_by_code(actor, ref)


def dossier_file(dossier: Dossier, file_id: int) -> DossierFile:
    """One scanned paper or result file of a dossier already read through the policy; "not
    found" for a file of another dossier."""
    found = dossier.files.filter(pk=file_id).first()
    if found is None:
        raise NotFound("Không tìm thấy tệp hồ sơ.", "Dossier file not found.",
                       code="dossier_file_not_found")
    return found


def procedures_of(actor: Actor, text: str = "") -> QuerySet[Procedure]:
    """The current procedure versions of the actor's agency, by code; filtered by ``text``."""
    rows = Procedure.objects.filter(agency_id=desk_agency(actor), replaced_by__isnull=True)
    if text.strip():
        rows = rows.filter(Q(code__icontains=text.strip()) | Q(name__icontains=text.strip()))
    return rows.order_by("code")


def procedure_get(actor: Actor, pk: int) -> Procedure:
    """One procedure version of the actor's agency (older versions too)."""
    found = Procedure.objects.filter(agency_id=desk_agency(actor), pk=pk).first()
    if found is None:
        raise NotFound("Không tìm thấy thủ tục.", "Procedure not found.",
                       code="procedure_not_found")
    return found


def desk(actor: Actor) -> Agency:
    """The agency of the actor's desk."""
    return Agency.objects.get(pk=desk_agency(actor))


def ledger_rows(actor: Actor, year: int) -> QuerySet[Dossier]:
    """The desk's dossiers accepted in ``year`` (local time), in acceptance order (Mẫu 07):
    those of them the actor may read (``rules.may_see``), since the book names applicants."""
    return (visible(actor).filter(desk_id=desk_agency(actor), accepted_at__isnull=False,
                                  accepted_at__year=year)
            .select_related("procedure").order_by("accepted_at", "id"))


def intake_procedures(text: str = "") -> QuerySet[Procedure]:
    """Procedures a desk may receive (any deciding body of the province, Art. 14.2), current
    versions, filtered by code or name."""
    rows = selectors.procedures_current()
    if text.strip():
        rows = rows.filter(Q(code__icontains=text.strip()) | Q(name__icontains=text.strip()))
    return rows


def officer_desk(actor: Actor) -> Agency:
    """The agency whose counter ``actor`` serves as its one-stop officer; refused otherwise."""
    agency = desk(actor)
    if not rules.is_officer(actor, agency.pk):
        raise Forbidden("Chỉ cán bộ một cửa mới tiếp nhận hồ sơ.",
                        "Only one-stop officers receive dossiers.", code="onestop_forbidden")
    return agency


def catalogue_agency(actor: Actor) -> Agency:
    """The agency whose catalogue ``actor`` may export and import (its officer or leader)."""
    agency = desk(actor)
    if not rules.may_configure(actor, agency.pk):
        raise Forbidden("Chỉ cán bộ một cửa và lãnh đạo cơ quan quản lý danh mục thủ tục.",
                        "Only one-stop officers and agency leaders manage the catalogue.",
                        code="onestop_forbidden")
    return agency
