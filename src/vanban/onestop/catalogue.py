"""Import and export of an agency's procedure catalogue as JSON or CSV (R11.3).

JSON: ``{"format": "vanban-onestop-procedures", "version": 1, "agency": code, "procedures":
[…]}``, each procedure with its ``steps`` and ``documents`` lists. CSV (UTF-8, one header): one
row per procedure (``kind`` = ``procedure``), then its ``step`` and ``document`` rows under the
same ``code``. An import is all or nothing; a bad row is named in the error, and procedures that
did not change keep their version.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from vanban.core.errors import ValidationFailed
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.onestop.models import Procedure
from vanban.onestop.services.procedures import (
    DocumentSpec,
    Outcome,
    ProcedureSpec,
    StepSpec,
    procedure_save,
    spec_of,
)

FORMAT = "vanban-onestop-procedures"
CSV_FIELDS = ("kind", "code", "name", "sector", "deciding_body", "limit_value", "limit_unit",
              "fee", "fee_pauses_clock", "result", "result_type_code", "online_level",
              "channels", "active", "order", "role", "time_value", "time_unit", "agency",
              "unit", "description", "form", "quantity", "mandatory")
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    """How many procedures were created, got a new version, or stayed as they were."""

    created: int = 0
    new_versions: int = 0
    unchanged: int = 0


def _current(agency: Agency) -> list[Procedure]:
    return list(Procedure.objects.filter(agency=agency, replaced_by=None)
                .prefetch_related("steps", "required_documents").order_by("code"))


def _as_dict(spec: ProcedureSpec) -> dict[str, Any]:
    return {
        "code": spec.code, "name": spec.name, "sector": spec.sector,
        "deciding_body": spec.deciding_body, "limit_value": str(spec.limit_value),
        "limit_unit": spec.limit_unit, "fee": spec.fee, "fee_pauses_clock": spec.fee_pauses_clock,
        "result": spec.result, "result_type_code": spec.result_type_code,
        "online_level": spec.online_level, "channels": list(spec.channels), "active": spec.active,
        "steps": [{"order": s.order, "role": s.role, "time_value": str(s.time_value),
                   "time_unit": s.time_unit, "agency": s.agency, "unit": s.unit,
                   "description": s.description} for s in spec.steps],
        "documents": [{"name": d.name, "form": d.form, "quantity": d.quantity,
                       "mandatory": d.mandatory} for d in spec.documents],
    }


def export_json(agency: Agency) -> str:
    """The agency's current procedures as JSON."""
    return json.dumps({"format": FORMAT, "version": 1, "agency": agency.code,
                       "procedures": [_as_dict(spec_of(p)) for p in _current(agency)]},
                      ensure_ascii=False, indent=2)


def _flag(value: bool) -> str:
    return "1" if value else "0"


def export_csv(agency: Agency) -> str:
    """The agency's current procedures as CSV (procedure rows, then their steps and papers)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for procedure in _current(agency):
        spec = spec_of(procedure)
        row = _as_dict(spec)
        writer.writerow({
            "kind": "procedure", **{k: row[k] for k in CSV_FIELDS[1:14] if k in row},
            "fee_pauses_clock": _flag(spec.fee_pauses_clock), "active": _flag(spec.active),
            "channels": " ".join(spec.channels)})
        for step in row["steps"]:
            writer.writerow({"kind": "step", "code": spec.code, **step})
        for document in row["documents"]:
            writer.writerow({"kind": "document", "code": spec.code, "name": document["name"],
                             "form": document["form"], "quantity": document["quantity"],
                             "mandatory": _flag(document["mandatory"])})
    return out.getvalue()


def _bad(where: str, where_en: str, problem: str) -> ValidationFailed:
    return ValidationFailed(f"Tệp danh mục thủ tục: {where} không hợp lệ ({problem}).",
                            f"Procedure file: {where_en} is invalid ({problem}).",
                            code="bad_catalogue")


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "có", "x"}


def _int(value: object, where: str, where_en: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise _bad(where, where_en, "số nguyên / integer") from None


def _spec(data: Mapping[str, Any], where: str, where_en: str) -> ProcedureSpec:
    channels = data.get("channels", ["counter"])
    if isinstance(channels, str):
        channels = channels.split()
    try:
        return ProcedureSpec(
            code=str(data["code"]), name=str(data["name"]),
            limit_value=Decimal(str(data["limit_value"]).strip() or "x"),
            limit_unit=str(data.get("limit_unit") or "working_days"),
            sector=str(data.get("sector", "")), deciding_body=str(data.get("deciding_body", "")),
            fee=str(data.get("fee", "")), fee_pauses_clock=_bool(data.get("fee_pauses_clock")),
            result=str(data.get("result", "")),
            result_type_code=str(data.get("result_type_code", "")),
            online_level=str(data.get("online_level") or "none"),
            channels=tuple(str(c) for c in channels),
            active=_bool(data.get("active", True)),
            steps=tuple(StepSpec(
                order=_int(s.get("order"), where, where_en),
                time_value=Decimal(str(s.get("time_value", "")).strip() or "x"),
                time_unit=str(s.get("time_unit") or "working_days"),
                role=str(s.get("role") or "handling"), agency=str(s.get("agency") or ""),
                unit=str(s.get("unit") or ""), description=str(s.get("description") or ""))
                for s in data.get("steps", [])),
            documents=tuple(DocumentSpec(
                name=str(d.get("name", "")), form=str(d.get("form") or "copy"),
                quantity=_int(d.get("quantity", 1), where, where_en),
                mandatory=_bool(d.get("mandatory", True))) for d in data.get("documents", [])))
    except (KeyError, ArithmeticError, ValueError, TypeError, AttributeError) as error:
        raise _bad(where, where_en, type(error).__name__) from None


def parse_json(text: str) -> list[ProcedureSpec]:
    """The procedures of a JSON catalogue."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _bad(f"dòng {error.lineno}", f"line {error.lineno}", "JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or not isinstance(data.get("procedures"), list):
        raise _bad("định dạng", "the format", FORMAT)
    return [_spec(p, f"thủ tục thứ {n}", f"procedure {n}") if isinstance(p, dict)
            else _spec({}, f"thủ tục thứ {n}", f"procedure {n}")
            for n, p in enumerate(data["procedures"], start=1)]


def parse_csv(text: str) -> list[ProcedureSpec]:
    """The procedures of a CSV catalogue (rows grouped by ``code``)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"kind", "code"} <= set(reader.fieldnames):
        raise _bad("dòng tiêu đề", "the header", "kind, code")
    heads: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(reader, start=2):
        kind, code = (row.get("kind") or "").strip(), (row.get("code") or "").strip()
        where, where_en = f"dòng {line}", f"line {line}"
        if kind == "procedure":
            heads[code] = {**row, "steps": [], "documents": []}
        elif kind in ("step", "document") and code in heads:
            heads[code]["steps" if kind == "step" else "documents"].append(row)
        else:
            raise _bad(where, where_en, f"kind={kind!r}, code={code!r}")
    return [_spec(data, f"thủ tục {code}", f"procedure {code}") for code, data in heads.items()]


def import_catalogue(*, actor: Actor | None, agency: Agency, text: str,
                     kind: str) -> ImportResult:
    """Import a JSON or CSV catalogue into ``agency``: all procedures or none."""
    if len(text.encode()) > MAX_BYTES:
        raise ValidationFailed("Tệp danh mục quá lớn (tối đa 5 MB).",
                               "The catalogue file is too large (at most 5 MB).",
                               code="too_large")
    if kind not in ("json", "csv"):
        raise ValidationFailed("Chỉ nhận tệp JSON hoặc CSV.", "Only JSON or CSV files.",
                               code="bad_format")
    specs = parse_json(text) if kind == "json" else parse_csv(text)
    codes = [s.code.strip() for s in specs]
    if len(set(codes)) != len(codes):
        raise ValidationFailed("Tệp có hai thủ tục trùng mã.", "Two procedures share a code.",
                               code="duplicate_code")
    counts = dict.fromkeys(Outcome, 0)
    with transaction.atomic():
        for spec in specs:
            counts[procedure_save(actor=actor, agency=agency, spec=spec)[1]] += 1
    return ImportResult(created=counts[Outcome.CREATED], new_versions=counts[Outcome.NEW_VERSION],
                        unchanged=counts[Outcome.UNCHANGED])

