"""The one-stop desk's staff pages with the Django test client: queues with counts and keyset
paging, a dossier's page and its printed forms, joint agencies, the book, the catalogue."""

from __future__ import annotations

import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from vanban.core import clock
from vanban.core.clock import VN_TZ
from vanban.core.roles import Role
from vanban.directory.models import AgencyKind, Unit
from vanban.onestop.models import (
    Dossier,
    DossierEvent,
    DossierStep,
    Extension,
    Procedure,
    ProcedureStep,
    RequiredDocument,
    StepRole,
    SupplementRequest,
)

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=VN_TZ)  # Monday


@dataclass
class Desk:
    """A province, the desk's agency (Sở Tư pháp), a joint agency (Công an tỉnh), people."""

    officer: Any
    head: Any
    clerk: Any
    police: Any
    outsider: Any
    procedure: Procedure
    accepted: Dossier
    waiting: Dossier


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    return " ".join(unicodedata.normalize("NFC", out).split())


@pytest.fixture
def desk(make_agency: Any, make_user: Any) -> Desk:
    province = make_agency(name="UBND tỉnh Bắc Giang", kind=AgencyKind.PROVINCE)
    justice = make_agency(name="Sở Tư pháp", parent=province)
    police = make_agency(name="Công an tỉnh Bắc Giang", parent=province)
    other = make_agency(name="Sở Y tế", parent=province)
    unit = Unit.objects.create(agency=justice, code="HCTP", name="Phòng Hành chính tư pháp",
                               short_name="HCTP", created_at=clock.now())
    officer = make_user(justice, roles=[Role.ONESTOP])
    procedure = Procedure.objects.create(
        agency=justice, code="2.000488", name="Cấp Phiếu lý lịch tư pháp cho công dân",
        sector="Lý lịch tư pháp", limit_value=Decimal(10), fee="200.000 đồng")
    RequiredDocument.objects.create(procedure=procedure, order=1,
                                    name="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
                                    form="original")
    RequiredDocument.objects.create(procedure=procedure, order=2, name="Căn cước công dân",
                                    form="certified_copy")
    ProcedureStep.objects.create(procedure=procedure, order=1, unit=unit, time_value=5,
                                 description="Thẩm định hồ sơ")
    ProcedureStep.objects.create(procedure=procedure, order=2, agency=police, time_value=5,
                                 role=StepRole.JOINT, description="Xác minh lý lịch")
    accepted = Dossier.objects.create(
        code="000.00.12.H13-261207-0001", desk=justice, procedure=procedure,
        applicant_name="Nguyễn Thị Hường", applicant_address="Số 12 Hoàng Văn Thụ",
        state="processing", received_at=T0, accepted_at=T0, received_by=officer,
        due_at=T0 + timedelta(days=14))
    DossierStep.objects.create(dossier=accepted, order=1, agency=justice, unit=unit,
                               description="Thẩm định hồ sơ", started_at=T0,
                               finished_at=T0 + timedelta(days=3),
                               deadline=T0 + timedelta(days=7))
    DossierStep.objects.create(dossier=accepted, order=2, agency=police, role=StepRole.JOINT,
                               description="Xác minh lý lịch", started_at=T0 + timedelta(days=3),
                               deadline=T0 + timedelta(days=14))
    DossierEvent.objects.create(dossier=accepted, action="transfer", from_state="accepted",
                                to_state="processing", at=T0 + timedelta(hours=2),
                                actor=officer, actor_name=str(officer), to_agency=justice,
                                to_unit=unit, step_deadline=T0 + timedelta(days=7))
    DossierEvent.objects.create(dossier=accepted, action="hand_over", from_state="processing",
                                to_state="processing", at=T0 + timedelta(days=3),
                                actor_name="Vũ Thị Lan", from_agency=justice, from_unit=unit,
                                to_agency=police, step_deadline=T0 + timedelta(days=7),
                                note="Liên thông")
    waiting = Dossier.objects.create(desk=justice, procedure=procedure, state="submitted",
                                     applicant_name="Trần Văn Bình", received_at=T0)
    return Desk(officer=officer, head=make_user(justice, roles=[Role.HEAD]),
                clerk=make_user(justice, roles=[Role.CLERK]),
                police=make_user(police, roles=[Role.SPECIALIST]),
                outsider=make_user(other, roles=[Role.ONESTOP]), procedure=procedure,
                accepted=accepted, waiting=waiting)


def test_desk_home_counts_each_queue_and_lists_the_chosen_one(desk: Desk) -> None:
    """R11.2: the officer sees the queues with counts; "chờ kiểm tra" lists the dossier that
    awaits the check, "đang xử lý" the accepted one."""
    page = _client(desk.officer)
    with clock.frozen(T0 + timedelta(days=1)):
        html = page.get("/onestop/").content.decode()
        processing = page.get("/onestop/?queue=processing").content.decode()
    assert 'data-queue="check"' in html
    assert "Chờ kiểm tra" in html
    assert "Trần Văn Bình" in html
    assert "Nguyễn Thị Hường" not in html
    assert "000.00.12.H13-261207-0001" in processing
    assert "Trần Văn Bình" not in processing


def test_overdue_queue_and_search(desk: Desk) -> None:
    """R11.3: past its due time a running dossier is in "quá hạn"; search finds by code."""
    page = _client(desk.officer)
    with clock.frozen(T0 + timedelta(days=20)):
        html = page.get("/onestop/?queue=overdue").content.decode()
        found = page.get("/onestop/?queue=processing&q=261207-0001").content.decode()
        none = page.get("/onestop/?queue=processing&q=không-có").content.decode()
    assert "Nguyễn Thị Hường" in html
    assert "Quá hạn" in html
    assert "Nguyễn Thị Hường" in found
    assert "Không tìm thấy hồ sơ phù hợp." in none


def test_keyset_paging_shows_the_next_page(desk: Desk) -> None:
    """Long queues page with ``after=`` (never a silent cut)."""
    Dossier.objects.bulk_create(
        Dossier(desk=desk.accepted.desk, procedure=desk.procedure, state="submitted",
                applicant_name=f"Người nộp {n:03d}", received_at=T0) for n in range(60))
    page = _client(desk.officer)
    first = page.get("/onestop/?queue=check").content.decode()
    assert 'data-testid="next-page"' in first
    after = first.split("after=")[1].split('"')[0]
    second = page.get(f"/onestop/?queue=check&after={after}").content.decode()
    assert "Trần Văn Bình" in second
    assert "Trang đầu" in second


def test_dossier_page_shows_steps_history_forms_and_next_actions(desk: Desk) -> None:
    """R11.2, R11.3: the dossier page by code shows the steps with their holders' agencies,
    the history, the printable forms and the actions the state allows."""
    html = _client(desk.officer).get(f"/onestop/{desk.accepted.code}/").content.decode()
    for expected in ("Thẩm định hồ sơ", "Xác minh lý lịch", "Công an tỉnh Bắc Giang",
                     "Bàn giao", "Chuyển xử lý", 'data-form="receipt"', 'data-form="control"',
                     'data-form="transfer"', 'data-action="hand_over"', "Liên thông"):
        assert expected in html, expected
    assert 'data-form="apology"' not in html
    by_id = _client(desk.officer).get(f"/onestop/{desk.waiting.pk}/")
    assert by_id.status_code == 200
    assert "Hồ sơ chưa cấp mã" in by_id.content.decode()


def test_joint_agency_sees_the_dossier_another_agency_does_not(desk: Desk) -> None:
    """R11.2: the joint agency's staff open the dossier they hold a step of; another agency's
    officer gets "not found" (R1.1) and a clerk is refused the desk."""
    assert _client(desk.police).get(f"/onestop/{desk.accepted.code}/").status_code == 200
    assert _client(desk.outsider).get(f"/onestop/{desk.accepted.code}/").status_code == 404
    assert _client(desk.outsider).get(f"/onestop/{desk.accepted.pk}/receipt.pdf"
                                      ).status_code == 404
    assert _client(desk.clerk).get("/onestop/").status_code == 403
    assert _client(desk.head).get("/onestop/").status_code == 200


def test_receipt_and_control_sheet_pdfs(desk: Desk) -> None:
    """R11.2: Mẫu 01 of an accepted dossier (code, papers, due time) and Mẫu 06 with the
    hand-overs and their timeliness, as PDFs from the dossier page."""
    page = _client(desk.officer)
    receipt = page.get(f"/onestop/{desk.accepted.code}/receipt.pdf")
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    text = _text(receipt.content)
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "000.00.12.H13-261207-0001",
                     "Nguyễn Thị Hường", "Căn cước công dân", "10 ngày làm việc",
                     "09 giờ 00 phút, ngày 07/12/2026", "09 giờ 00 phút, ngày 21/12/2026",
                     "Bắc Giang, ngày 07 tháng 12 năm 2026", "200.000 đồng"):
        assert expected in text, expected
    control = _text(page.get(f"/onestop/{desk.accepted.code}/control.pdf").content)
    for expected in ("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Phòng Hành chính tư pháp",
                     "Công an tỉnh Bắc Giang", "Vũ Thị Lan", "Trước hạn", "Liên thông"):
        assert expected in control, expected
    transfer = _text(page.get(f"/onestop/{desk.accepted.code}/transfer.pdf").content)
    assert "Kính gửi: Công an tỉnh Bắc Giang" in transfer
    assert "Xác minh lý lịch" in transfer


def test_apology_and_supplement_forms_follow_their_rows(desk: Desk) -> None:
    """R11.3: Mẫu 04 exists once the dossier has its extension, Mẫu 02 once a supplement was
    asked; before that the address is "not found"."""
    page = _client(desk.officer)
    address = f"/onestop/{desk.accepted.code}/apology.pdf"
    assert page.get(address).status_code == 404
    Extension.objects.create(dossier=desk.accepted, reason="Chờ kết quả xác minh của Công an",
                             old_due_at=T0 + timedelta(days=14),
                             new_due_at=T0 + timedelta(days=18), issued_at=T0 + timedelta(
                                 days=12), issued_by=desk.head)
    SupplementRequest.objects.create(dossier=desk.waiting, stage="intake",
                                     items=["Căn cước công dân",
                                            {"name": "Tờ khai", "reason": "Thiếu chữ ký"}],
                                     requested_at=T0, requested_by=desk.officer)
    apology = _text(page.get(address).content)
    assert "Chờ kết quả xác minh của Công an" in apology
    assert "09 giờ 00 phút, ngày 25/12/2026" in apology
    supplement = _text(page.get(f"/onestop/{desk.waiting.pk}/supplement.pdf").content)
    assert "1. Căn cước công dân" in supplement
    assert "Lý do: Thiếu chữ ký" in supplement
    assert page.get(f"/onestop/{desk.accepted.code}/nothing.pdf").status_code == 404


def test_ledger_lists_the_year(desk: Desk) -> None:
    """R11.3: Mẫu 07 lists the desk's accepted dossiers of the year."""
    response = _client(desk.officer).get("/onestop/so-theo-doi.pdf?year=2026")
    text = _text(response.content)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Năm 2026" in text
    assert "000.00.12.H13-261207-0001" in text
    assert "Trần Văn Bình" not in text


def test_procedure_catalogue_pages(desk: Desk) -> None:
    """R11.3: the agency's procedures, each with its papers and steps (joint one named)."""
    page = _client(desk.officer)
    html = page.get("/onestop/thu-tuc/?q=lý lịch").content.decode()
    assert "2.000488" in html
    detail = page.get(f"/onestop/thu-tuc/{desk.procedure.pk}/").content.decode()
    for expected in ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Bản sao chứng thực",
                     "Công an tỉnh Bắc Giang", "Xác minh lý lịch", "200.000 đồng"):
        assert expected in detail, expected
    assert _client(desk.outsider).get(f"/onestop/thu-tuc/{desk.procedure.pk}/"
                                      ).status_code == 404


def test_menu_entry_and_dashboard_for_the_officer(desk: Desk) -> None:
    """R11.2: the officer's menu has "Một cửa" with what waits at the counter as its badge,
    and the home page a "Bộ phận Một cửa" group; a clerk sees neither."""
    html = _client(desk.officer).get("/").content.decode()
    assert 'href="/onestop/"' in html
    assert "Bộ phận Một cửa" in html
    assert "/onestop/?queue=check" in html
    clerk = _client(desk.clerk).get("/").content.decode()
    assert 'href="/onestop/"' not in clerk


def test_catalogue_export_and_import_round_trip(desk: Desk) -> None:
    """R11.3: the officer exports the catalogue as JSON and CSV and imports it back (nothing
    changes); a broken file is refused with its reason and changes nothing; a clerk may not."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = _client(desk.officer)
    exported = page.get("/onestop/thu-tuc/xuat.json")
    assert exported.status_code == 200
    assert "2.000488" in exported.content.decode()
    assert "2.000488" in page.get("/onestop/thu-tuc/xuat.csv").content.decode()
    versions = Procedure.objects.count()
    html = page.post("/onestop/thu-tuc/nhap/", {"catalogue": SimpleUploadedFile(
        "thu-tuc.json", exported.content, content_type="application/json")},
        follow=True).content.decode()
    assert "1 không đổi" in html
    bad = page.post("/onestop/thu-tuc/nhap/", {"catalogue": SimpleUploadedFile(
        "thu-tuc.json", b"{not json", content_type="application/json")},
        follow=True).content.decode()
    assert "dòng 1" in bad
    assert Procedure.objects.count() == versions
    assert _client(desk.clerk).get("/onestop/thu-tuc/xuat.json").status_code == 403
    assert page.get("/onestop/thu-tuc/xuat.xml").status_code == 404
