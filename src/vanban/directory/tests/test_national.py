"""Directory sync with the national agency list (issue 10): local agencies stay authoritative,
new ones are served by the axis, a second import changes nothing, every change is audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.audit.models import AuditEvent
from vanban.core.errors import Forbidden, ValidationFailed
from vanban.core.roles import Role
from vanban.directory import national
from vanban.directory.models import Agency
from vanban.directory.national import NationalEntry

AXIS = "vdxp"
LIST = [
    NationalEntry("000.00.00.G22", "Văn phòng Chính phủ"),
    NationalEntry("000.00.04.G22", "Cục Kiểm soát thủ tục hành chính", "000.00.00.G22"),
    NationalEntry("G12", "Bộ Tài chính"),
    NationalEntry("000.00.00.H99", "UBND tỉnh (tên quốc gia khác)"),   # ours: a conflict
]


def _events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=national.ACTION))


def test_new_agencies_are_served_by_the_axis_and_local_ones_stay(
        province: Agency, agency_x: Agency) -> None:
    """R1.1: the import creates what is new (served by the axis, parents linked), never renames
    or re-parents a local agency, reports the difference, and is audited once."""
    report = national.national_import(actor=None, entries=LIST, installation=AXIS)
    assert report.created == ["000.00.00.G22", "000.00.04.G22", "G12"]
    assert [c.split(":")[0] for c in report.conflicts] == ["000.00.00.H99"]
    office = Agency.objects.get(code="000.00.04.G22")
    assert office.installation == AXIS
    assert office.parent is not None
    assert office.parent.code == "000.00.00.G22"
    assert Agency.objects.get(code="G12").short_name == "BTC"
    province.refresh_from_db()
    assert province.name == "UBND tỉnh (thử)"
    assert province.installation == ""
    (event,) = _events()
    data = json.loads(event.data)
    assert data["created"] == 3
    assert data["conflicts"] == 1


def test_a_second_import_changes_and_audits_nothing(province: Agency) -> None:
    """Idempotent: the same list twice leaves one audit event."""
    national.national_import(actor=None, entries=LIST, installation=AXIS)
    again = national.national_import(actor=None, entries=LIST, installation=AXIS)
    assert again.created == []
    assert again.updated == []
    assert len(_events()) == 1


def test_later_lists_update_only_what_the_import_brought(province: Agency) -> None:
    """An axis-served agency follows the national list (rename, new parent); the local one
    does not."""
    national.national_import(actor=None, entries=LIST, installation=AXIS)
    renamed = [NationalEntry("G12", "Bộ Tài chính (mới)", "000.00.00.G22"),
               NationalEntry("000.00.00.H99", "Khác", "G12")]
    report = national.national_import(actor=None, entries=renamed, installation=AXIS)
    assert report.updated == ["G12"]
    g12 = Agency.objects.get(code="G12")
    assert g12.name == "Bộ Tài chính (mới)"
    assert g12.parent is not None
    province.refresh_from_db()
    assert province.parent is None


def test_bad_entries_are_skipped_and_loops_refused(db: None) -> None:
    """A bad code, a missing name, a repeat and a loop are reported; the rest is imported."""
    entries = [NationalEntry("bad code!", "X"), NationalEntry("A01", ""),
               NationalEntry("A02", "Một", "A03"), NationalEntry("A03", "Hai", "A02"),
               NationalEntry("A02", "Lặp")]
    report = national.national_import(actor=None, entries=entries, installation=AXIS)
    assert len(report.skipped) == 3
    assert report.created == ["A02", "A03"]
    parents = {a.code: a.parent_id for a in Agency.objects.filter(code__in=["A02", "A03"])}
    assert None in parents.values()  # the loop was not closed


def test_dry_run_stores_nothing(db: None) -> None:
    report = national.national_import(actor=None, entries=LIST, installation=AXIS, dry_run=True)
    assert len(report.created) == 4
    assert not Agency.objects.exists()


def test_only_the_province_administrator_imports(
        make_user: Callable[..., object], agency_x: Agency) -> None:
    clerk = make_user(agency_x, roles=[Role.CLERK])
    with pytest.raises(Forbidden):
        national.national_import(actor=clerk, entries=LIST, installation=AXIS)  # type: ignore[arg-type]


def test_files_csv_and_json(db: None, tmp_path: Path) -> None:
    """``vanban directory national-import FILE --peer ID`` reads CSV and JSON lists."""
    csv_file = tmp_path / "agencies.csv"
    csv_file.write_text("code,name,parent\nG12,Bộ Tài chính,\n000.00.01.G12,Vụ Ngân sách,G12\n",
                        encoding="utf-8")
    call_command("directory", "national-import", str(csv_file), "--peer", AXIS)
    assert Agency.objects.get(code="000.00.01.G12").parent.code == "G12"  # type: ignore[union-attr]
    json_file = tmp_path / "agencies.json"
    json_file.write_text(json.dumps({"data": [{"organId": "g22", "organName": "VPCP"}]}))
    call_command("directory", "national-import", str(json_file), "--peer", AXIS)
    assert Agency.objects.get(code="G22").installation == AXIS
    with pytest.raises(ValidationFailed):
        national.parse_list(b"not,a,list\n1,2,3\n")
    with pytest.raises(CommandError):
        call_command("directory", "national-import", str(json_file))
