"""Importing the province's directory from CSV/JSON, and the ``directory`` command (R1.1, R20.1).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.audit.models import AuditEvent
from vanban.directory import importer
from vanban.directory.models import Agency, Unit

pytestmark = pytest.mark.django_db

HEADER = "code,name,short_name,parent_code,mailbox"
# Children come before their parent on purpose; an unknown column is ignored.
GOOD = f"""{HEADER},kind,connected,ghi_chu
000.00.16.H99,Sở TT&TT,STTTT,000.00.00.H99,stttt@demo.bacgiang.gov.vn,department,1,x
000.01.30.H99,UBND xã Sa Lý,UBND,000.00.30.H99,,commune,0,
000.00.30.H99,UBND huyện Lục Ngạn,UBND,000.00.00.H99,lucngan@demo.bacgiang.gov.vn,district,có,
000.00.00.H99,UBND tỉnh Bắc Giang (thử),UBND,,ubnd@demo.bacgiang.gov.vn,province,,
"""


def _write(tmp_path: Path, text: str, name: str = "agencies.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("directory", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("bom", [False, True])
def test_import_builds_tree(tmp_path: Path, bom: bool) -> None:
    """R1.1: the directory loads from CSV (with or without BOM), parents after children."""
    report = importer.import_file(_write(tmp_path, GOOD, bom=bom))
    assert report.ok, [e.text() for e in report.errors]
    assert report.created["agencies"] == 4
    sa_ly = Agency.objects.get(code="000.01.30.H99")
    assert sa_ly.parent is not None
    assert sa_ly.parent.code == "000.00.30.H99"
    assert sa_ly.parent.parent is not None
    assert sa_ly.parent.parent.parent is None
    assert sa_ly.connected is False
    assert sa_ly.kind == "commune"
    assert Agency.objects.get(code="000.00.30.H99").connected is True
    assert AuditEvent.objects.filter(action="directory.agency_create").count() == 4


def test_import_is_idempotent_and_audits_changes(tmp_path: Path) -> None:
    """The same file twice changes and audits nothing; a changed row updates and is audited."""
    path = _write(tmp_path, GOOD)
    importer.import_file(path)
    events = AuditEvent.objects.count()
    again = importer.import_file(path)
    assert again.unchanged["agencies"] == 4
    assert again.created["agencies"] == 0
    assert AuditEvent.objects.count() == events
    path.write_text(GOOD.replace("UBND xã Sa Lý,UBND,000.00.30.H99,,commune,0",
                                 "UBND xã Sa Lý,UBND,000.00.30.H99,,commune,1"))
    changed = importer.import_file(path)
    assert (changed.updated["agencies"], changed.unchanged["agencies"]) == (1, 3)
    [event] = AuditEvent.objects.filter(action="directory.agency_update")
    data = json.loads(event.data)
    assert data["before"]["connected"] is False
    assert data["after"]["connected"] is True
    assert Agency.objects.get(code="000.01.30.H99").connected is True


def test_minimal_header_and_units_form(tmp_path: Path) -> None:
    """The five-column header always works; the unit form is recognised by its header."""
    importer.import_file(_write(tmp_path, f"{HEADER}\n000.00.00.H99,UBND tỉnh,UBND,,\n"))
    agency = Agency.objects.get()
    assert agency.kind == "other"
    assert agency.connected is True
    units = "agency_code,code,name,short_name\n000.00.00.h99,vp,Văn phòng,VP\n"
    report = importer.import_file(_write(tmp_path, units, "units.csv"))
    assert report.created["units"] == 1
    assert Unit.objects.get().code == "VP"
    assert importer.import_file(tmp_path / "units.csv").unchanged["units"] == 1


def test_json_form(tmp_path: Path) -> None:
    """JSON ``{"agencies": [...], "units": [...]}`` with the same keys."""
    doc = {"agencies": [
        {"code": "000.00.02.H99", "name": "Sở Nội vụ", "short_name": "SNV",
         "parent_code": "000.00.00.H99", "connected": False},
        {"code": "000.00.00.H99", "name": "UBND tỉnh", "short_name": "UBND", "parent_code": ""},
    ], "units": [{"agency_code": "000.00.02.H99", "code": "TCCC", "name": "Phòng Tổ chức"}]}
    report = importer.import_file(_write(tmp_path, json.dumps(doc), "d.json"))
    assert report.ok
    assert (report.created["agencies"], report.created["units"]) == (2, 1)
    assert Agency.objects.get(code="000.00.02.H99").connected is False


BAD_ROWS = [
    ("000/00/02/H99,Sở Nội vụ,SNV,000.00.00.H99,", "Mã định danh", "Identifier code"),
    ("000.00.02.H99,,SNV,000.00.00.H99,", "Thiếu tên cơ quan", "agency name is missing"),
    ("000.00.02.H99,Sở Nội vụ,SNV,000.00.88.H99,", "cấp trên", "No parent agency"),
    ("000.00.00.H99,Trùng,UBND,,", "trùng với dòng 2", "repeats line 2"),
    ("000.00.02.H99,Sở Nội vụ,SNV,000.00.00.H99,snv@@x", "Địa chỉ hộp thư", "Mailbox address"),
    ("000.00.02.H99,Sở Nội vụ,SNV,000.00.00.H99,UBND@demo.bacgiang.gov.vn",
     "trùng với dòng 2", "repeats line 2"),
]


@pytest.mark.parametrize(("row", "vi", "en"), BAD_ROWS)
def test_bad_row_reported_and_nothing_stored(tmp_path: Path, row: str, vi: str, en: str) -> None:
    """Every bad row is named by its line, in both languages, and nothing at all is stored."""
    text = f"{HEADER}\n000.00.00.H99,UBND tỉnh,UBND,,ubnd@demo.bacgiang.gov.vn\n{row}\n"
    report = importer.import_file(_write(tmp_path, text))
    [error] = report.errors
    assert error.line == 3
    assert error.text("vi").startswith("Dòng 3: ")
    assert vi in error.text("vi")
    assert error.text("en").startswith("Line 3: ")
    assert en in error.text("en")
    assert not Agency.objects.exists()
    assert not AuditEvent.objects.exists()


def test_cycle_in_file_and_against_directory(tmp_path: Path, province: Agency,
                                             agency_x: Agency) -> None:
    """A loop is refused, within the file or through agencies already stored."""
    text = (f"{HEADER}\n000.00.60.H99,A,A,000.00.61.H99,\n000.00.61.H99,B,B,000.00.60.H99,\n"
            f"{province.code},UBND,UBND,{agency_x.code},\n")
    report = importer.import_file(_write(tmp_path, text))
    assert [e.line for e in report.errors] == [2, 3, 4]
    assert all("vòng lặp" in e.vi and "loop" in e.en for e in report.errors)
    province.refresh_from_db()
    assert province.parent is None
    assert not Agency.objects.filter(code="000.00.60.H99").exists()


def test_several_bad_rows_all_reported(tmp_path: Path) -> None:
    """Validation runs over the whole file before anything is stored."""
    text = f"{HEADER}\nbad code,X,X,,\n000.00.00.H99,UBND,UBND,,\n000.00.01.H99,,VP,nope!,\n"
    report = importer.import_file(_write(tmp_path, text))
    assert [e.line for e in report.errors] == [2, 4]
    assert not Agency.objects.exists()


def test_unit_rows_validated(tmp_path: Path, agency_x: Agency) -> None:
    """Unit rows: unknown agency and duplicate unit codes are reported by line."""
    text = ("agency_code,code,name,short_name\n"
            f"{agency_x.code},VP,Văn phòng,VP\n000.00.77.H99,VP,Văn phòng,VP\n"
            f"{agency_x.code},vp,Văn phòng 2,VP\n{agency_x.code},KT,,KT\n")
    report = importer.import_file(_write(tmp_path, text, "units.csv"))
    assert [e.line for e in report.errors] == [3, 4, 5]
    assert not Unit.objects.exists()


def test_unreadable_files(tmp_path: Path) -> None:
    """Wrong header, broken JSON and non-UTF-8 files are refused as a whole."""
    for name, content in [("a.csv", b"ma,ten\n1,2\n"), ("b.json", b"{not json"),
                          ("c.csv", "code,name\nÂ,Ă\n".encode("cp1258"))]:
        (tmp_path / name).write_bytes(content)
        report = importer.import_file(tmp_path / name)
        assert not report.ok, name
        assert report.errors[0].line == 0


def test_command_import_and_exit_code(tmp_path: Path) -> None:
    """``vanban directory import``: summary on success; on a bad row, exit 1 and nothing stored."""
    good = _write(tmp_path, GOOD)
    out, _ = _run("import", str(good), "--dry-run")
    assert "tạo mới / created 4" in out
    assert not Agency.objects.exists()
    out, _ = _run("import", str(good))
    assert "tạo mới / created 4" in out
    assert Agency.objects.count() == 4
    out, _ = _run("import", str(good))
    assert "không đổi / unchanged 4" in out
    bad = _write(tmp_path, f"{HEADER}\n000.00.50.H99,,X,,\n", "bad.csv")
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("directory", "import", str(bad), stderr=err)
    assert exc.value.returncode == 1
    assert "Dòng 2" in err.getvalue()
    assert "Line 2" in err.getvalue()
    assert not Agency.objects.filter(code="000.00.50.H99").exists()


def test_command_list_json_round_trips(tmp_path: Path) -> None:
    """``vanban directory list --json`` prints the import format; importing it changes nothing."""
    importer.import_file(_write(tmp_path, GOOD))
    out, _ = _run("list", "--json")
    data = json.loads(out)
    codes = [a["code"] for a in data["agencies"]]
    assert codes == sorted(codes)
    assert len(codes) == 4
    sa_ly = next(a for a in data["agencies"] if a["code"] == "000.01.30.H99")
    assert sa_ly["parent_code"] == "000.00.30.H99"
    assert sa_ly["connected"] is False
    report = importer.import_file(_write(tmp_path, out, "list.json"))
    assert report.unchanged["agencies"] == 4
    text, _ = _run("list")
    assert "  000.00.30.H99" in text
    assert "chưa kết nối" in text
