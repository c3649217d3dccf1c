"""Fill the forms' dataclasses from a dossier and its rows (the pages print these).

The only part of :mod:`vanban.onestop.printing` that reads the database; the renderers stay
free of it. The tracking secret is stored hashed, so only the receipt printed at acceptance
(when the service hands the clear secret over once) can carry it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from vanban.core import clock
from vanban.directory.models import Agency
from vanban.onestop.models import (
    Dossier,
    DossierEvent,
    DossierStep,
    FileStage,
    LimitUnit,
    StepRole,
)
from vanban.onestop.models import SupplementRequest as SupplementRow
from vanban.onestop.printing import data

PLACE_PREFIXES = ("Ủy ban nhân dân tỉnh ", "UBND tỉnh ", "Ủy ban nhân dân thành phố ",
                  "UBND thành phố ")


def _day(at: datetime) -> date:
    return at.astimezone(clock.VN_TZ).date()


def _place(agency: Agency) -> str:
    """The province's name for the date line (``Bắc Giang``), from the top of the tree."""
    top = agency
    while top.parent is not None:
        top = top.parent
    for prefix in PLACE_PREFIXES:
        if top.name.startswith(prefix):
            return top.name[len(prefix):]
    return ""


def office(agency: Agency) -> data.Office:
    """The header block of ``agency``'s desk."""
    return data.Office(name=agency.name, parent_name=agency.parent.name if agency.parent else "",
                       place=_place(agency))


def applicant(dossier: Dossier) -> data.Applicant:
    return data.Applicant(name=dossier.applicant_name, address=dossier.applicant_address,
                          phone=dossier.applicant_phone, email=dossier.applicant_email)


def limit_text(dossier: Dossier) -> str:
    """``05 ngày làm việc``, ``4 giờ làm việc``; ``Trong ngày`` for a same-day procedure."""
    procedure = dossier.procedure
    if not procedure.limit_value:
        return "Trong ngày"
    value = format(procedure.limit_value.normalize(), "f").replace(".", ",")
    value = value.zfill(2) if value.isdigit() else value
    return f"{value} {LimitUnit(procedure.limit_unit).label}"


def papers(dossier: Dossier) -> tuple[data.Paper, ...]:
    """The procedure's papers the dossier has a file for (all of them for a paper dossier)."""
    required = list(dossier.procedure.required_documents.all())
    filled = set(dossier.files.filter(stage__in=(FileStage.INTAKE, FileStage.SUPPLEMENT))
                 .values_list("required_document_id", flat=True))
    chosen = [r for r in required if r.pk in filled] if filled else required
    return tuple(data.Paper(r.name, r.get_form_display(), r.quantity) for r in chosen)


def receipt(dossier: Dossier, *, secret: str = "", tracking_url: str = "") -> data.Receipt:
    """Mẫu 01 of an accepted dossier."""
    officer = dossier.received_by
    return data.Receipt(
        office=office(dossier.desk), code=dossier.code or "", procedure=dossier.procedure.name,
        applicant=applicant(dossier), papers=papers(dossier), limit_text=limit_text(dossier),
        received_at=dossier.accepted_at or dossier.received_at, due_at=dossier.due_at,
        return_place=f"Bộ phận Một cửa — {dossier.desk.name}", fees=dossier.procedure.fee
        or "Không", officer=str(officer) if officer else "", tracking_url=tracking_url,
        tracking_secret=secret)


def _missing(items: Iterable[object]) -> tuple[data.Missing, ...]:
    """Items stored as text or as ``{"name": …, "reason": …}``."""
    out: list[data.Missing] = []
    for item in items:
        if isinstance(item, dict):
            out.append(data.Missing(str(item.get("name", "")), str(item.get("reason", ""))))
        else:
            out.append(data.Missing(str(item)))
    return tuple(out)


def supplement(dossier: Dossier) -> data.SupplementRequest:
    """Mẫu 02 for the dossier's latest supplement request."""
    request: SupplementRow = dossier.supplement_requests.latest("requested_at", "id")
    by = request.requested_by
    return data.SupplementRequest(
        office=office(dossier.desk), procedure=dossier.procedure.name,
        applicant=applicant(dossier), missing=_missing(request.items),
        issued_on=_day(request.requested_at), code=dossier.code or "",
        reason=request.reason, officer=str(by) if by else "")


def refusal(dossier: Dossier) -> data.Refusal:
    """Mẫu 03: the reasons, one a line as the officer wrote them."""
    reasons = tuple(x.strip() for x in dossier.refusal_reason.splitlines() if x.strip())
    officer = dossier.received_by
    when = dossier.finished_at or dossier.updated_at
    return data.Refusal(office=office(dossier.desk), procedure=dossier.procedure.name,
                        applicant=applicant(dossier), reasons=reasons,
                        issued_on=_day(when), code=dossier.code or "",
                        officer=str(officer) if officer else "")


def head_signer(agency: Agency, name: str = "") -> data.Signer:
    return data.Signer("Thủ trưởng cơ quan", name, "(Ký, ghi rõ họ tên và đóng dấu)")


def apology(dossier: Dossier) -> data.Apology:
    """Mẫu 04 from the dossier's extension."""
    ext = dossier.extension
    return data.Apology(
        office=office(dossier.desk), code=dossier.code or "", procedure=dossier.procedure.name,
        applicant=applicant(dossier), received_at=dossier.accepted_at or dossier.received_at,
        due_at=ext.old_due_at, reason=ext.reason, new_due_at=ext.new_due_at,
        issued_on=_day(ext.issued_at),
        signer=head_signer(dossier.desk, str(ext.issued_by) if ext.issued_by else ""))


def stop(dossier: Dossier) -> data.StopNotice:
    """Mẫu 05 from the dossier's withdrawal."""
    withdrawal = dossier.withdrawal
    returned = tuple(x.strip() for x in withdrawal.returned_items.splitlines() if x.strip())
    return data.StopNotice(
        office=office(dossier.desk), code=dossier.code or "", procedure=dossier.procedure.name,
        applicant=applicant(dossier), requested_on=_day(withdrawal.requested_at),
        issued_on=_day(withdrawal.stopped_at or withdrawal.requested_at),
        signer=head_signer(dossier.desk), returned=returned, reason=withdrawal.reason)


def _side(agency: Agency | None, unit: object | None) -> str:
    names = [getattr(unit, "name", "") if unit else "", agency.name if agency else ""]
    return " — ".join(n for n in names if n)


HANDOVER_ACTIONS = ("transfer", "hand_over", "result_ready", "refuse_after_appraisal",
                    "return_result")


def _handover(e: DossierEvent, desk: str, applicant_name: str,
              deadline: datetime | None) -> data.Handover:
    """One row of Mẫu 06 from an event; the giver is judged against the deadline of the step
    it gave away (``deadline``), the return against the appointment."""
    if e.action in ("result_ready", "refuse_after_appraisal"):
        return data.Handover(giver_unit=_side(e.from_agency, e.from_unit) or "Đơn vị xử lý",
                             giver=e.actor_name, receiver_unit=desk, receiver="", at=e.at,
                             deadline=deadline, note=e.note)
    if e.action == "return_result":
        return data.Handover(giver_unit=desk, giver=e.actor_name,
                             receiver_unit="Tổ chức, cá nhân", receiver=applicant_name,
                             at=e.at, deadline=e.due_at, note=e.note)
    return data.Handover(giver_unit=_side(e.from_agency, e.from_unit) or desk,
                         giver=e.actor_name, receiver_unit=_side(e.to_agency, e.to_unit),
                         receiver=str(e.to_user) if e.to_user else "", at=e.at,
                         deadline=deadline, note=e.note)


def control_sheet(dossier: Dossier) -> data.ControlSheet:
    """Mẫu 06: the transfer to the first step, each hand-over between steps and agencies, the
    result back at the desk and its return to the applicant, with their times."""
    events = (DossierEvent.objects.filter(dossier=dossier, action__in=HANDOVER_ACTIONS)
              .select_related("from_agency", "from_unit", "to_agency", "to_unit", "to_user")
              .order_by("at", "id"))
    desk = f"Bộ phận Một cửa — {dossier.desk.name}"
    rows: list[data.Handover] = []
    held_until: datetime | None = None  # the deadline of the step being worked on
    last_side = ""
    for e in events:
        row = _handover(e, desk, dossier.applicant_name, held_until)
        if e.action in ("result_ready", "refuse_after_appraisal") and last_side:
            row = data.Handover(last_side, row.giver, row.receiver_unit, row.receiver, row.at,
                                row.deadline, row.note)
        rows.append(row)
        if e.action in ("transfer", "hand_over"):
            held_until, last_side = e.step_deadline, row.receiver_unit
    return data.ControlSheet(office=office(dossier.desk), code=dossier.code or "",
                             procedure=dossier.procedure.name, applicant=applicant(dossier),
                             received_at=dossier.accepted_at or dossier.received_at,
                             due_at=dossier.due_at, handovers=tuple(rows))


def transfer_slip(dossier: Dossier, *, on: date | None = None) -> data.TransferSlip:
    """Phiếu chuyển xử lý: every step's body, task and deadline; addressed to the joint
    agencies."""
    steps = list(DossierStep.objects.filter(dossier=dossier).select_related("agency", "unit")
                 .order_by("order"))
    joint = [s.agency.name for s in steps if s.role == StepRole.JOINT
             or s.agency_id != dossier.desk_id]
    tasks = tuple(data.JointTask(_side(s.agency, s.unit), s.description or s.get_role_display(),
                                 s.deadline) for s in steps)
    return data.TransferSlip(
        office=office(dossier.desk), code=dossier.code or "", procedure=dossier.procedure.name,
        applicant=applicant(dossier), to="; ".join(dict.fromkeys(joint)) or dossier.desk.name,
        received_at=dossier.accepted_at or dossier.received_at, due_at=dossier.due_at,
        tasks=tasks, issued_on=on or clock.local_now().date(),
        signer=data.Signer("Người chuyển", str(dossier.received_by or "")),
        papers=papers(dossier))


def ledger(agency: Agency, rows: Iterable[Dossier], period: str) -> data.Ledger:
    """Mẫu 07 of the desk for ``period``."""
    lines = []
    for d in rows:
        sent = (DossierEvent.objects.filter(dossier=d, action="transfer")
                .order_by("at").values_list("at", flat=True).first())
        lines.append(data.LedgerRow(
            code=d.code or "", procedure=d.procedure.name, applicant=applicant(d),
            lead_body=d.procedure.deciding_body or agency.name,
            received_at=d.accepted_at or d.received_at, due_at=d.due_at, sent_at=sent,
            result_back_at=d.finished_at, returned_at=d.returned_at))
    return data.Ledger(office=office(agency), period=period, rows=tuple(lines))
