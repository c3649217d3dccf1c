"""Import the province's directory from a CSV or JSON file (R1.1, R20.1).

Two steps, so a bad file never half-applies: :func:`read_rows` parses, :func:`import_rows`
validates every row first (each problem with its line and a Vietnamese and English reason) and
stores only when no row is bad, through the services (so every change is audited). Importing the
same file again changes nothing and audits nothing. Rows may name a parent defined further down.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from vanban.core.errors import DomainError, ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.directory import rules, services
from vanban.directory.codes import normalise_code, normalise_unit_code
from vanban.directory.models import Agency, Unit

AGENCY_COLUMNS = ("code", "name", "short_name", "parent_code", "mailbox", "kind", "connected")
UNIT_COLUMNS = ("agency_code", "code", "name", "short_name")
_TRUE = {"1", "true", "yes", "y", "x", "có", "co"}
_FALSE = {"0", "false", "no", "n", "không", "khong"}


@dataclass(frozen=True)
class RowError:
    """One bad row: where (CSV line, or JSON section and item number) and why."""

    line: int
    vi: str
    en: str
    section: str = ""

    def text(self, language: str = "vi") -> str:
        """``Dòng 5: …`` / ``Line 5: …`` (JSON: ``agencies #5: …``)."""
        english = language.startswith("en")
        message = self.en if english else self.vi
        if self.line == 0:  # the file as a whole
            return message
        if self.section:
            where = f"{self.section} #{self.line}"
        else:
            where = f"{'Line' if english else 'Dòng'} {self.line}"
        return f"{where}: {message}"


@dataclass
class Row:
    """One record of the file: the columns it gives (absent column = leave unchanged)."""

    line: int
    values: dict[str, Any]
    section: str = ""

    def get(self, key: str) -> str | None:
        """The trimmed text of a column, or None when the file does not give it."""
        value = self.values.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value).strip()


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do), or why it stored nothing."""

    errors: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: {"agencies": 0, "units": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"agencies": 0, "units": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"agencies": 0, "units": 0})
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when no row was bad."""
        return not self.errors


class ImportFileError(ValidationFailed):
    """The file as a whole is unreadable (encoding, header, JSON shape)."""


# --- reading ----------------------------------------------------------------------------------


def read_rows(path: Path) -> tuple[list[Row], list[Row]]:
    """Agency rows and unit rows of a CSV (UTF-8, BOM or not) or JSON file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ImportFileError(f"Không đọc được tệp {path}: {exc.strerror}.",
                              f"Cannot read file {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise ImportFileError("Tệp phải dùng bảng mã UTF-8.", "The file must be UTF-8.") from None
    return parse_text(text)


def parse_text(text: str) -> tuple[list[Row], list[Row]]:
    """Parse JSON (``{"agencies": [...], "units": [...]}``) or one of the two CSV forms."""
    if text.lstrip().startswith("{"):
        return _parse_json(text)
    return _parse_csv(text)


def _parse_json(text: str) -> tuple[list[Row], list[Row]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"JSON không hợp lệ (dòng {exc.lineno}): {exc.msg}.",
                              f"Invalid JSON (line {exc.lineno}): {exc.msg}.") from None
    shape_error = ImportFileError(
        'JSON phải có dạng {"agencies": [...], "units": [...]} với mỗi mục là một đối tượng.',
        'JSON must look like {"agencies": [...], "units": [...]}, each item an object.')
    if not isinstance(data, dict):
        raise shape_error
    sections: list[list[Row]] = []
    for section in ("agencies", "units"):
        items = data.get(section, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise shape_error
        sections.append([Row(n, dict(item), section) for n, item in enumerate(items, 1)])
    return sections[0], sections[1]


def _parse_csv(text: str) -> tuple[list[Row], list[Row]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    units = "agency_code" in header
    required = ("agency_code", "code", "name") if units else ("code", "name")
    if not all(column in header for column in required):
        raise ImportFileError(
            "Dòng tiêu đề phải là code,name,short_name,parent_code,mailbox (cơ quan) hoặc "
            "agency_code,code,name,short_name (đơn vị).",
            "The header must be code,name,short_name,parent_code,mailbox (agencies) or "
            "agency_code,code,name,short_name (units).")
    known = UNIT_COLUMNS if units else AGENCY_COLUMNS
    rows: list[Row] = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        values = {h: (record[i] if i < len(record) else "") for i, h in enumerate(header)
                  if h in known}
        rows.append(Row(reader.line_num, values))
    return ([], rows) if units else (rows, [])


# --- validation -------------------------------------------------------------------------------


@dataclass
class _Agency:
    """A validated agency row: cleaned values of the columns it gives."""

    row: Row
    code: str
    fields: dict[str, Any]
    parent_code: str | None  # None: not given; "": a root


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationFailed(f"Giá trị “{text}” của cột connected phải là 1/0 (có/không).",
                           f"Value “{text}” of column connected must be 1/0 (yes/no).")


def _clean_fields(row: Row, new: bool) -> tuple[dict[str, Any], list[DomainError]]:
    """Cleaned name, short name, mailbox, kind and connected of one row, and its problems."""
    fields: dict[str, Any] = {}
    problems: list[DomainError] = []
    checks: list[tuple[str, Any]] = [
        ("name", lambda v: services.clean_text(v, max_length=200, what_vi="tên cơ quan",
                                               what_en="agency name")),
        ("short_name", lambda v: services.clean_text(v, max_length=30, what_vi="tên viết tắt",
                                                     what_en="short name")),
        ("mailbox", services.clean_mailbox),
        ("kind", services.clean_kind),
        ("connected", _bool),
    ]
    for key, clean in checks:
        value = row.get(key)
        if value is None and (key not in {"name", "short_name"} or not new):
            continue
        if value == "" and key in {"kind", "connected"}:
            continue
        try:
            fields[key] = clean(value or "")
        except DomainError as err:
            problems.append(err)
    return fields, problems


def _parent_errors(items: list[_Agency], existing: Mapping[str, Agency]) -> list[RowError]:
    """Unknown parents and loops, judged on the tree as it would be after the import."""
    errors: list[RowError] = []
    parents = {code: (a.parent.code if a.parent else "") for code, a in existing.items()}
    for item in items:
        if item.parent_code is not None:
            parents[item.code] = item.parent_code
    for item in items:
        if item.parent_code and item.parent_code not in parents:
            errors.append(_error(item.row, ValidationFailed(
                f"Không có cơ quan cấp trên mã “{item.parent_code}” (trong tệp hay danh bạ).",
                f"No parent agency with code “{item.parent_code}” (in the file or directory).")))
            continue
        current, steps = parents.get(item.code, ""), 0
        while current and steps <= len(parents):
            if current == item.code:
                errors.append(_error(item.row, services.cycle_error(item.code)))
                break
            current, steps = parents.get(current, ""), steps + 1
    return errors


def _mailbox_errors(items: list[_Agency], existing: Mapping[str, Agency]) -> list[RowError]:
    """A mailbox used twice in the file, or already held by another agency."""
    errors: list[RowError] = []
    holders = {a.mailbox.lower(): code for code, a in existing.items() if a.mailbox}
    seen: dict[str, int] = {}
    for item in items:
        mailbox = item.fields.get("mailbox", "")
        if not mailbox:
            continue
        if mailbox in seen:
            errors.append(_error(item.row, ValidationFailed(
                f"Hộp thư “{mailbox}” trùng với dòng {seen[mailbox]}.",
                f"Mailbox “{mailbox}” repeats line {seen[mailbox]}.")))
        elif holders.get(mailbox, item.code) != item.code:
            errors.append(_error(item.row, ValidationFailed(
                f"Hộp thư “{mailbox}” đã được dùng cho cơ quan {holders[mailbox]}.",
                f"Mailbox “{mailbox}” is already used by agency {holders[mailbox]}.")))
        seen.setdefault(mailbox, item.row.line)
    return errors


def _error(row: Row, err: DomainError) -> RowError:
    return RowError(row.line, err.vi, err.en, row.section)


def _validate_agencies(
    rows: list[Row], existing: Mapping[str, Agency]
) -> tuple[list[_Agency], list[RowError]]:
    items: list[_Agency] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row in rows:
        try:
            code = normalise_code(row.get("code") or "")
            raw_parent = row.get("parent_code")
            parent = normalise_code(raw_parent) if raw_parent else raw_parent
        except DomainError as err:
            errors.append(_error(row, err))
            continue
        if code in seen:
            errors.append(_error(row, ValidationFailed(
                f"Mã “{code}” trùng với dòng {seen[code]}.",
                f"Code “{code}” repeats line {seen[code]}.")))
            continue
        seen[code] = row.line
        fields, problems = _clean_fields(row, new=code not in existing)
        errors.extend(_error(row, p) for p in problems)
        if not problems:
            items.append(_Agency(row, code, fields, parent))
    errors.extend(_parent_errors(items, existing))
    errors.extend(_mailbox_errors(items, existing))
    return items, errors


@dataclass
class _Unit:
    row: Row
    agency_code: str
    code: str
    fields: dict[str, str]


def _validate_units(rows: list[Row], agency_codes: set[str]) -> tuple[list[_Unit], list[RowError]]:
    items: list[_Unit] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        try:
            agency_code = normalise_code(row.get("agency_code") or "")
            code = normalise_unit_code(row.get("code") or "")
            fields = {"name": services.clean_text(row.get("name") or "", max_length=200,
                                                  what_vi="tên đơn vị", what_en="unit name")}
            if (short := row.get("short_name")) is not None:
                fields["short_name"] = services.clean_text(
                    short, max_length=30, what_vi="tên viết tắt", what_en="short name",
                    required=False)
        except DomainError as err:
            errors.append(_error(row, err))
            continue
        if agency_code not in agency_codes:
            errors.append(_error(row, ValidationFailed(
                f"Không có cơ quan mã “{agency_code}”.", f"No agency with code “{agency_code}”.")))
        elif (agency_code, code) in seen:
            errors.append(_error(row, ValidationFailed(
                f"Đơn vị “{code}” của {agency_code} trùng với dòng {seen[agency_code, code]}.",
                f"Unit “{code}” of {agency_code} repeats line {seen[agency_code, code]}.")))
        else:
            seen[agency_code, code] = row.line
            items.append(_Unit(row, agency_code, code, fields))
    return items, errors


# --- applying ---------------------------------------------------------------------------------


def _depth(code: str, parents: Mapping[str, str | None]) -> int:
    depth, current = 0, parents.get(code)
    while current:
        depth, current = depth + 1, parents.get(current)
    return depth


def _differs(obj: Agency | Unit, fields: Mapping[str, Any]) -> bool:
    return any(getattr(obj, key) != value for key, value in fields.items())


def _plan_agency(item: _Agency, existing: Mapping[str, Agency]) -> str:
    current = existing.get(item.code)
    if current is None:
        return "created"
    parent_now = current.parent.code if current.parent else ""
    moved = item.parent_code is not None and item.parent_code != parent_now
    return "updated" if moved or _differs(current, item.fields) else "unchanged"


def _apply_agencies(items: list[_Agency], existing: dict[str, Agency],
                    actor: Actor | None) -> None:
    parents = {c: (a.parent.code if a.parent else "") for c, a in existing.items()}
    parents.update({i.code: i.parent_code for i in items if i.parent_code is not None})
    for item in sorted(items, key=lambda i: _depth(i.code, parents)):
        parent = existing[item.parent_code] if item.parent_code else None
        agency = existing.get(item.code)
        if agency is None:
            existing[item.code] = services.agency_create(
                actor=actor, code=item.code, parent=parent, **item.fields)
        else:
            services.agency_update(
                actor=actor, agency=agency,
                parent=services.KEEP if item.parent_code is None else parent, **item.fields)


def _apply_units(items: Iterable[_Unit], agencies: Mapping[str, Agency],
                 units: Mapping[tuple[str, str], Unit], actor: Actor | None) -> None:
    for item in items:
        unit = units.get((item.agency_code, item.code))
        if unit is None:
            services.unit_create(actor=actor, agency=agencies[item.agency_code], code=item.code,
                                 name=item.fields["name"],
                                 short_name=item.fields.get("short_name", ""))
        else:
            services.unit_update(actor=actor, unit=unit, name=item.fields["name"],
                                 short_name=item.fields.get("short_name"))


def import_rows(agency_rows: list[Row], unit_rows: list[Row], *, dry_run: bool = False,
                actor: Actor | None = None) -> ImportReport:
    """Validate every row, then (unless ``dry_run`` or a row is bad) store all in one go."""
    if not rules.can_manage_agencies(actor):
        raise forbidden()
    report = ImportReport(dry_run=dry_run)
    existing = {a.code: a for a in Agency.objects.select_related("parent")}
    agencies, report.errors = _validate_agencies(agency_rows, existing)
    units, unit_errors = _validate_units(unit_rows, set(existing) | {a.code for a in agencies})
    report.errors += unit_errors
    if report.errors:
        report.errors.sort(key=lambda e: (e.section, e.line))
        return report
    stored = {(u.agency.code, u.code): u for u in Unit.objects.select_related("agency")}
    for agency in agencies:
        outcome = getattr(report, _plan_agency(agency, existing))
        outcome["agencies"] += 1
    for unit in units:
        current = stored.get((unit.agency_code, unit.code))
        kind = "created" if current is None else (
            "updated" if _differs(current, unit.fields) else "unchanged")
        getattr(report, kind)["units"] += 1
    if dry_run:
        return report
    try:
        with transaction.atomic():
            _apply_agencies(agencies, existing, actor)
            _apply_units(units, existing, stored, actor)
    except DomainError as err:  # a concurrent change since validation: nothing was stored
        report.errors.append(RowError(0, err.vi, err.en))
    return report


def import_file(path: Path, *, dry_run: bool = False, actor: Actor | None = None) -> ImportReport:
    """Read and import a file; file-level problems are reported as a line-0 error."""
    try:
        agency_rows, unit_rows = read_rows(path)
    except ImportFileError as err:
        return ImportReport(errors=[RowError(0, err.vi, err.en)], dry_run=dry_run)
    return import_rows(agency_rows, unit_rows, dry_run=dry_run, actor=actor)
