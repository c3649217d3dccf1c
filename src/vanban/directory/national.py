"""Directory sync with the national agency list (the axis's ``getAgenciesList``, or a file).

The province's own directory is authoritative: an agency already here is never renamed,
re-parented or re-routed by the import; where the national list says otherwise, the difference
is reported as a conflict and nothing changes. Only agencies the import itself brought in
(served by the axis peer, ``Agency.installation == installation``) follow later lists (name,
parent). New agencies are created served by the axis peer, so the exchange hub routes
documents for them to the axis. Importing the same list twice changes nothing and audits
nothing; a change is one transaction with one audit event (counts and the list's digest: the
national list has about a hundred thousand entries, one event each would swamp the chain).

Where the list comes from is not this layer's business: the exchange app registers the axis
as a source (:func:`register_source`); files (CSV with a ``code,name,parent`` header, or JSON)
are read here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import DomainError, ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.directory import rules
from vanban.directory.codes import normalise_code
from vanban.directory.models import Agency, AgencyKind

ACTION = "directory.national_import"


@dataclass(frozen=True)
class NationalEntry:
    """One agency of the national list."""

    code: str
    name: str
    parent: str = ""


@dataclass
class NationalReport:
    """What an import did (or, dry, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)   # "code: what differs" (vi / en)
    skipped: list[str] = field(default_factory=list)     # bad entries, with the reason
    dry_run: bool = False


NationalSource = Callable[[str], Sequence[Any]]
_SOURCES: dict[str, NationalSource] = {}


def register_source(name: str, fetch: NationalSource) -> None:
    """A place the national list can be fetched from (``"axis"``: the exchange app, given the
    axis peer's id); each item has ``code``, ``name`` and ``parent`` attributes."""
    _SOURCES[name] = fetch


def fetch(source: str, ref: str) -> list[NationalEntry]:
    """The national list from a registered source."""
    getter = _SOURCES.get(source)
    if getter is None:
        raise ValidationFailed(f"Không có nguồn danh bạ quốc gia “{source}”.",
                               f"No national directory source “{source}”.",
                               code="unknown_source")
    return [NationalEntry(code=str(i.code), name=str(i.name), parent=str(i.parent or ""))
            for i in getter(ref)]


_CODE = ("code", "id", "organId", "organ_id", "ma_dinh_danh")
_NAME = ("name", "organName", "organ_name", "ten")
_PARENT = ("parent", "parent_code", "parentId", "parent_id", "ma_cha")


def _pick(item: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = item.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def entries_from_items(items: Iterable[Any]) -> list[NationalEntry]:
    """Entries from JSON-like objects (the SDK's and common field names)."""
    return [NationalEntry(code=_pick(i, _CODE), name=_pick(i, _NAME), parent=_pick(i, _PARENT))
            for i in items if isinstance(i, dict)]


def parse_list(data: bytes) -> list[NationalEntry]:
    """A JSON array (or ``{"agencies": [...]}`` / ``{"data": [...]}``) or a CSV with a
    ``code,name,parent`` header; an unreadable list is a ``ValidationFailed``."""
    unreadable = ValidationFailed(
        "Danh sách cơ quan không đọc được: cần JSON (mảng) hoặc CSV có dòng tiêu đề "
        "code,name,parent, mã UTF-8.",
        "Unreadable agency list: JSON (an array) or CSV with a code,name,parent header, "
        "UTF-8 expected.", code="bad_national_list")
    try:
        text = data.decode("utf-8-sig")
        if text.lstrip()[:1] in ("[", "{"):
            parsed = json.loads(text)
            if isinstance(parsed, dict):
                parsed = parsed.get("agencies", parsed.get("data"))
            if not isinstance(parsed, list):
                raise unreadable
            return entries_from_items(parsed)
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or not {"code", "name"} <= {
                (f or "").strip() for f in reader.fieldnames}:
            raise unreadable
        return entries_from_items({(k or "").strip(): v for k, v in row.items()}
                                  for row in reader)
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error):
        raise unreadable from None


def _short_name(name: str) -> str:
    """A short name for a national agency (the list gives none): its initials."""
    initials = "".join(w[0] for w in name.split() if w[:1].isalpha()).upper()
    return (initials or name)[:30]


@dataclass
class _Plan:
    create: dict[str, NationalEntry] = field(default_factory=dict)
    rename: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)   # code → parent code ("" = root)


def _clean(entries: Sequence[Any], report: NationalReport) -> dict[str, NationalEntry]:
    """Valid entries by normalised code; bad ones and repeats reported as skipped."""
    clean: dict[str, NationalEntry] = {}
    for entry in entries:
        try:
            code = normalise_code(str(entry.code))
            parent = normalise_code(str(entry.parent)) if str(entry.parent or "").strip() else ""
        except DomainError as err:
            report.skipped.append(f"{str(entry.code)[:40]}: {err.vi} / {err.en}")
            continue
        name = " ".join(str(entry.name).split())[:200]
        if not name:
            report.skipped.append(f"{code}: thiếu tên / no name")
        elif code in clean:
            report.skipped.append(f"{code}: lặp lại trong danh sách / repeated in the list")
        else:
            clean[code] = NationalEntry(code=code, name=name, parent=parent)
    return clean


def _plan(clean: dict[str, NationalEntry], installation: str,
          report: NationalReport) -> _Plan:
    existing = {a.code: a for a in Agency.objects.select_related("parent")}
    plan = _Plan()
    for code, entry in clean.items():
        agency = existing.get(code)
        if agency is None:
            plan.create[code] = entry
            plan.parents[code] = entry.parent
            continue
        current_parent = agency.parent.code if agency.parent else ""
        if agency.installation != installation:  # ours or another peer's: authoritative
            if agency.name != entry.name or (entry.parent and current_parent != entry.parent):
                report.conflicts.append(
                    f"{code}: danh bạ / directory “{agency.name}” ({current_parent or '-'}), "
                    f"danh sách quốc gia / national list “{entry.name}” "
                    f"({entry.parent or '-'})")
            report.unchanged += 1
            continue
        if agency.name != entry.name:
            plan.rename[code] = entry.name
        if current_parent != entry.parent:
            plan.parents[code] = entry.parent
        if code not in plan.rename and code not in plan.parents:
            report.unchanged += 1
    known = set(existing) | set(plan.create)
    for code, parent in list(plan.parents.items()):
        if parent and (parent not in known or _loops(code, parent, plan, existing)):
            report.conflicts.append(f"{code}: cấp trên / parent {parent} bỏ qua / ignored")
            if code in plan.create:
                plan.parents[code] = ""
            else:  # keeps the parent it has
                del plan.parents[code]
                report.unchanged += code not in plan.rename
    return plan


def _loops(code: str, parent: str, plan: _Plan, existing: dict[str, Agency]) -> bool:
    """Whether making ``parent`` the parent of ``code`` closes a loop."""
    seen = {code}
    current = parent
    while current:
        if current in seen:
            return True
        seen.add(current)
        if current in plan.parents:
            current = plan.parents[current]
        else:
            agency = existing.get(current)
            current = agency.parent.code if agency is not None and agency.parent else ""
    return False


def national_import(*, actor: Actor | None, entries: Sequence[Any], installation: str,
                    source: str = "file", dry_run: bool = False) -> NationalReport:
    """Bring the national list into the directory (see the module's rules). ``installation``:
    the axis peer new agencies are served by."""
    if not rules.can_manage_agencies(actor):
        raise forbidden()
    if not installation.strip():
        raise ValidationFailed("Cần mã hệ thống trục liên thông.", "The axis peer id is needed.",
                               code="no_installation")
    report = NationalReport(dry_run=dry_run)
    clean = _clean(entries, report)
    with transaction.atomic():
        plan = _plan(clean, installation, report)
        report.created = sorted(plan.create)
        report.updated = sorted((set(plan.rename) | set(plan.parents)) - set(plan.create))
        if dry_run or not (report.created or report.updated):
            return report
        _apply(plan, installation)
        digest = hashlib.sha256("\n".join(
            f"{e.code}\t{e.name}\t{e.parent}" for e in clean.values()).encode()).hexdigest()
        audit_append(actor=actor, action=ACTION, object_type="agency", object_id=installation,
                     data={"source": source, "installation": installation,
                           "entries": len(clean), "list_sha256": digest,
                           "created": len(report.created), "updated": len(report.updated),
                           "conflicts": len(report.conflicts),
                           "skipped": len(report.skipped),
                           "created_codes": report.created[:200],
                           "updated_codes": report.updated[:200]})
    return report


def _apply(plan: _Plan, installation: str) -> None:
    """Create the new agencies (one insert), then rename and link parents."""
    now = clock.now()
    Agency.objects.bulk_create([
        Agency(code=e.code, name=e.name, short_name=_short_name(e.name), kind=AgencyKind.OTHER,
               installation=installation, created_at=now, updated_at=now)
        for e in plan.create.values()], batch_size=1000)
    ids = dict(Agency.objects.values_list("code", "id"))
    for code, name in plan.rename.items():
        Agency.objects.filter(code=code).update(name=name, updated_at=now)
    by_parent: dict[int | None, list[int]] = {}
    for code, parent in plan.parents.items():
        if parent or code not in plan.create:  # a new root needs no update
            by_parent.setdefault(ids.get(parent) if parent else None, []).append(ids[code])
    for parent_id, pks in by_parent.items():
        for start in range(0, len(pks), 500):  # SQLite's bound on query variables
            Agency.objects.filter(pk__in=pks[start:start + 500]).update(
                parent_id=parent_id, updated_at=now)
