"""The procedure catalogue (R11.3, onestop.md §4): each agency configures its procedures; an edit
writes a new version row and points the old one at it, so dossiers keep the version they were
received under. A procedure is described by a plain :class:`ProcedureSpec` (what the import
files, the pages' forms and the demo hand over)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core.errors import ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.directory.models import Agency, Unit
from vanban.onestop import rules
from vanban.onestop.models import (
    Channel,
    DocumentForm,
    LimitUnit,
    OnlineLevel,
    Procedure,
    ProcedureStep,
    RequiredDocument,
    StepRole,
)

HOURS_PER_DAY = Decimal(8)


@dataclass(frozen=True)
class StepSpec:
    """A step: ``agency`` empty for the procedure's own agency (else the joint agency's code)."""

    order: int
    time_value: Decimal
    time_unit: str = LimitUnit.WORKING_DAYS
    role: str = StepRole.HANDLING
    agency: str = ""
    unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class DocumentSpec:
    """A paper of the dossier."""

    name: str
    form: str = DocumentForm.COPY
    quantity: int = 1
    mandatory: bool = True


@dataclass(frozen=True)
class ProcedureSpec:
    """Everything of one procedure version but its agency, version and history."""

    code: str
    name: str
    limit_value: Decimal
    limit_unit: str = LimitUnit.WORKING_DAYS
    sector: str = ""
    deciding_body: str = ""
    fee: str = ""
    fee_pauses_clock: bool = False
    result: str = ""
    result_type_code: str = ""
    online_level: str = OnlineLevel.NONE
    channels: tuple[str, ...] = (Channel.COUNTER,)
    active: bool = True
    steps: tuple[StepSpec, ...] = ()
    documents: tuple[DocumentSpec, ...] = field(default=())


class Outcome(StrEnum):
    """What saving a spec did."""

    CREATED = "created"
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"


def _bad(vi: str, en: str, code: str) -> ValidationFailed:
    return ValidationFailed(vi, en, code=code)


def _decimal(value: object, what_vi: str, what_en: str) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise _bad(f"{what_vi} phải là một số.", f"The {what_en} must be a number.",
                   "bad_number") from None
    if not number.is_finite() or number < 0 or number >= 10000:
        raise _bad(f"{what_vi} phải từ 0 đến 9999.", f"The {what_en} must be 0 to 9999.",
                   "bad_number")
    return number


def _choice(value: str, allowed: list[str], what_vi: str, what_en: str) -> str:
    if value not in allowed:
        raise _bad(f"{what_vi} “{value}” không hợp lệ (chọn: {', '.join(allowed)}).",
                   f"Unknown {what_en} “{value}” (one of: {', '.join(allowed)}).",
                   "bad_choice")
    return value


def _hours(value: Decimal, unit: str) -> Decimal | None:
    if unit == LimitUnit.WORKING_DAYS:
        return value * HOURS_PER_DAY
    if unit == LimitUnit.WORKING_HOURS:
        return value
    return None


def clean_spec(spec: ProcedureSpec) -> ProcedureSpec:
    """Check a spec (§4): code and name, units, levels, papers, steps in order and within the
    procedure's limit when both are in working time."""
    code, name = spec.code.strip(), spec.name.strip()
    if not code or len(code) > 50:
        raise _bad("Mã thủ tục trống hoặc quá dài.", "The procedure code is empty or too long.",
                   "bad_code")
    if not name or len(name) > 500:
        raise _bad(f"Tên thủ tục {code} trống hoặc quá dài.",
                   f"The name of procedure {code} is empty or too long.", "bad_name")
    limit = _decimal(spec.limit_value, "Thời hạn giải quyết", "time limit")
    units = list(LimitUnit.values)
    _choice(spec.limit_unit, units, "Đơn vị thời hạn", "time unit")
    _choice(spec.online_level, list(OnlineLevel.values), "Mức độ trực tuyến", "online level")
    for channel in spec.channels:
        _choice(channel, list(Channel.values), "Cách thức nộp", "channel")
    steps = tuple(sorted(spec.steps, key=lambda s: s.order))
    if len({s.order for s in steps}) != len(steps):
        raise _bad(f"Thủ tục {code}: hai bước trùng thứ tự.",
                   f"Procedure {code}: two steps share an order.", "bad_steps")
    total: Decimal | None = Decimal(0)
    for step in steps:
        _choice(step.role, list(StepRole.values), "Vai trò", "role")
        _choice(step.time_unit, units, "Đơn vị thời gian", "time unit")
        hours = _hours(_decimal(step.time_value, "Thời gian của bước", "step time"),
                       step.time_unit)
        total = None if hours is None or total is None else total + hours
    whole = _hours(limit, spec.limit_unit)
    if total is not None and whole is not None and whole > 0 and total > whole:
        raise _bad(f"Thủ tục {code}: tổng thời gian các bước vượt thời hạn giải quyết.",
                   f"Procedure {code}: its steps take longer than its time limit.",
                   "steps_too_long")
    for document in spec.documents:
        if not document.name.strip() or document.quantity < 1:
            raise _bad(f"Thủ tục {code}: giấy tờ thiếu tên hoặc số lượng.",
                       f"Procedure {code}: a paper lacks its name or quantity.", "bad_document")
        _choice(document.form, list(DocumentForm.values), "Hình thức giấy tờ", "paper form")
    return ProcedureSpec(
        code=code, name=name, limit_value=limit, limit_unit=spec.limit_unit,
        sector=spec.sector.strip(), deciding_body=spec.deciding_body.strip(),
        fee=spec.fee.strip(), fee_pauses_clock=spec.fee_pauses_clock,
        result=spec.result.strip(), result_type_code=spec.result_type_code.strip(),
        online_level=spec.online_level, channels=tuple(spec.channels), active=spec.active,
        steps=tuple(StepSpec(order=s.order, time_value=_decimal(s.time_value, "", ""),
                             time_unit=s.time_unit, role=s.role, agency=s.agency.strip(),
                             unit=s.unit.strip(), description=s.description.strip())
                    for s in steps),
        documents=tuple(DocumentSpec(name=d.name.strip(), form=d.form, quantity=d.quantity,
                                     mandatory=d.mandatory) for d in spec.documents))


def spec_of(procedure: Procedure) -> ProcedureSpec:
    """The spec of a stored version (for export and to compare with an import)."""
    return ProcedureSpec(
        code=procedure.code, name=procedure.name, limit_value=procedure.limit_value,
        limit_unit=procedure.limit_unit, sector=procedure.sector,
        deciding_body=procedure.deciding_body, fee=procedure.fee,
        fee_pauses_clock=procedure.fee_pauses_clock, result=procedure.result,
        result_type_code=procedure.result_type_code, online_level=procedure.online_level,
        channels=tuple(procedure.channels), active=procedure.active,
        steps=tuple(StepSpec(order=s.order, time_value=s.time_value, time_unit=s.time_unit,
                             role=s.role, agency=s.agency.code if s.agency else "",
                             unit=s.unit.code if s.unit else "", description=s.description)
                    for s in procedure.steps.select_related("agency", "unit").order_by("order")),
        documents=tuple(DocumentSpec(name=d.name, form=d.form, quantity=d.quantity,
                                     mandatory=d.mandatory)
                        for d in procedure.required_documents.order_by("order", "id")))


def _step_places(agency: Agency, step: StepSpec) -> tuple[Agency | None, Unit | None]:
    joint = None
    if step.agency and step.agency != agency.code:
        joint = Agency.objects.filter(code=step.agency).first()
        if joint is None:
            raise _bad(f"Không có cơ quan mã {step.agency}.",
                       f"No agency has the code {step.agency}.", "unknown_agency")
    unit = None
    if step.unit:
        unit = Unit.objects.filter(agency=joint or agency, code=step.unit).first()
        if unit is None:
            raise _bad(f"Không có đơn vị mã {step.unit} trong cơ quan.",
                       f"The agency has no unit with the code {step.unit}.", "unknown_unit")
    return joint, unit


def procedure_save(*, actor: Actor | None, agency: Agency, spec: ProcedureSpec,
                   ) -> tuple[Procedure, Outcome]:
    """Create the procedure, or write a new version when anything differs (R11.3)."""
    if not rules.may_configure(actor, agency.pk):
        raise forbidden()
    cleaned = clean_spec(spec)
    places = [_step_places(agency, step) for step in cleaned.steps]
    with transaction.atomic():
        current = (Procedure.objects.select_for_update()
                   .filter(agency=agency, code=cleaned.code, replaced_by=None).first())
        if current is not None and spec_of(current) == cleaned:
            return current, Outcome.UNCHANGED
        procedure = Procedure.objects.create(
            agency=agency, code=cleaned.code, name=cleaned.name, sector=cleaned.sector,
            deciding_body=cleaned.deciding_body, limit_value=cleaned.limit_value,
            limit_unit=cleaned.limit_unit, fee=cleaned.fee,
            fee_pauses_clock=cleaned.fee_pauses_clock, result=cleaned.result,
            result_type_code=cleaned.result_type_code, online_level=cleaned.online_level,
            channels=list(cleaned.channels), active=cleaned.active,
            version=current.version + 1 if current is not None else 1)
        ProcedureStep.objects.bulk_create(
            ProcedureStep(procedure=procedure, order=s.order, agency=joint, unit=unit,
                          role=s.role, time_value=s.time_value, time_unit=s.time_unit,
                          description=s.description)
            for s, (joint, unit) in zip(cleaned.steps, places, strict=True))
        RequiredDocument.objects.bulk_create(
            RequiredDocument(procedure=procedure, order=n, name=d.name, form=d.form,
                             quantity=d.quantity, mandatory=d.mandatory)
            for n, d in enumerate(cleaned.documents, start=1))
        if current is not None:
            current.replaced_by = procedure
            current.save(update_fields=["replaced_by"])
        outcome = Outcome.NEW_VERSION if current is not None else Outcome.CREATED
        audit_append(actor=actor, action="onestop.procedure_save", object_type="onestop.procedure",
                     object_id=procedure.pk, agency_code=agency.code,
                     data={"code": procedure.code, "version": procedure.version,
                           "outcome": outcome.value})
    return procedure, outcome
