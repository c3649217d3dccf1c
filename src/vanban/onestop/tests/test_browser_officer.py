"""Browser test of the one-stop desk (issue 12) in headless Chromium: an officer receives at
the counter, asks once for the missing paper, takes the supplement and accepts (the receipt
PDF downloads), the dossier goes through two agencies (joint procedure) and its result is
returned; a late dossier gets its apology letter (Mẫu 04). Pages stay within a 360 px phone
and need nothing the security policy refuses."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import _no_csp_violations, browser  # noqa: F401 (fixtures)
from tests.browser.helpers import sign_in

from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import AgencyKind, Unit
from vanban.onestop import clock_config, services
from vanban.onestop.core.clock import in_working_hours
from vanban.onestop.models import Dossier
from vanban.onestop.tests.factories import make_pdf, make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    return " ".join(unicodedata.normalize("NFC", out).split())


@pytest.fixture
def world(make_agency: Any, make_user: Any) -> dict[str, Any]:
    province = make_agency(name="UBND tỉnh Bắc Giang", kind=AgencyKind.PROVINCE)
    sxd = make_agency(name="Sở Xây dựng", parent=province)
    stnmt = make_agency(name="Sở Tài nguyên và Môi trường", parent=province)
    unit = Unit.objects.create(agency=sxd, code="QLXD", name="Phòng Quản lý xây dựng",
                               short_name="QLXD", created_at=clock.now())
    return {"procedure": make_procedure(sxd, unit=unit, joint=stnmt),
            "officer": make_user(sxd, roles=[Role.ONESTOP]),
            "specialist": make_user(sxd, roles=[Role.SPECIALIST], unit=unit),
            "head": make_user(sxd, roles=[Role.HEAD]),
            "joint": make_user(stnmt, roles=[Role.SPECIALIST])}


def _state(tab: Any) -> str:
    return str(tab.get_by_test_id("dossier-state").inner_text())


def _act(tab: Any, action: str, **fields: str) -> None:
    form = tab.locator(f"form[data-action='{action}']")
    for name, value in fields.items():
        form.locator(f"[name='{name}']").fill(value)
    form.get_by_test_id(f"act-{action}").click()
    tab.wait_for_load_state("load")


def _pdf(tab: Any, form: str) -> str:
    href = tab.locator(f"a[data-form='{form}']").get_attribute("href")
    response = tab.context.request.get(href if href.startswith("http") else
                                       tab.url.split("/onestop/")[0] + href)
    assert response.headers["content-type"] == "application/pdf"
    return _text(response.body())


def _fits(tab: Any) -> None:
    """No page wider than a 360 px phone (tables scroll inside their frame)."""
    tab.set_viewport_size({"width": 360, "height": 740})
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    tab.set_viewport_size({"width": 1366, "height": 768})


def _counter(officer: Any, url: str, scan: Path) -> str:
    """The officer receives, asks for the missing paper, takes it, accepts, transfers."""
    officer.goto(f"{url}/")
    officer.get_by_role("link", name="Một cửa").first.click()
    officer.get_by_test_id("intake-link").click()
    officer.get_by_test_id("procedure-search").fill("giấy phép")
    officer.get_by_role("button", name="Tìm").click()
    officer.locator("a[data-procedure='1.001234']").click()
    # The checklist script rewrites the line once it runs: wait for it, do not race it.
    expect(officer.get_by_test_id("completeness")).to_contain_text("Đã có 0/1 giấy tờ bắt buộc")
    officer.fill("#id_name", "Công ty TNHH Xây dựng Hoàng Long")
    officer.fill("#id_address", "Lạng Giang, Bắc Giang")
    _fits(officer)
    officer.get_by_test_id("decide-supplement").click()
    officer.wait_for_load_state("load")
    assert _state(officer) == "Chờ bổ sung khi tiếp nhận"
    assert "1. Đơn đề nghị (Mẫu 01)" in _pdf(officer, "supplement")
    form = officer.locator("form[data-action='intake_supplement_received']")
    form.locator("input[type=file]").first.set_input_files(str(scan))
    form.get_by_test_id("act-intake_supplement_received").click()
    officer.wait_for_load_state("load")
    assert _state(officer) == "Mới nộp, chờ kiểm tra"
    _act(officer, "accept")
    assert _state(officer) == "Đã tiếp nhận"
    code = str(officer.get_by_test_id("dossier-code").inner_text())
    receipt = _pdf(officer, "receipt")
    assert code in receipt
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt
    assert "Mã tra cứu (bí mật)" in receipt
    _act(officer, "transfer")
    assert _state(officer) == "Đang xử lý"
    _fits(officer)
    return code


def _two_agencies(chromium: Any, url: str, world: dict[str, Any], code: str) -> None:
    """The unit hands over to the joint agency, which hands back; the head approves and
    records the result."""
    specialist = sign_in(chromium, url, world["specialist"])
    specialist.goto(f"{url}/onestop/?queue=held")
    specialist.get_by_role("link", name=code).click()
    _act(specialist, "hand_over", note="Chuyển Sở Tài nguyên và Môi trường cho ý kiến")
    joint = sign_in(chromium, url, world["joint"])
    joint.goto(f"{url}/onestop/?queue=held")
    joint.get_by_role("link", name=code).click()
    _act(joint, "hand_over", note="Đồng ý về sử dụng đất")
    head = sign_in(chromium, url, world["head"])
    head.goto(f"{url}/onestop/{code}/")
    _act(head, "approve")
    _act(head, "result_ready", note="Giấy phép xây dựng số 12/GPXD")
    assert _state(head) == "Đã có kết quả"


def test_counter_supplement_accept_joint_processing_return(
        live_server: Any, browser: Any, world: dict[str, Any],  # noqa: F811
        tmp_path: Path) -> None:
    """R11.1, R11.2, R11.3: the whole counter-to-return road by clicking."""
    url = live_server.url
    scan = tmp_path / "don-de-nghi.pdf"
    scan.write_bytes(make_pdf("Don de nghi"))
    officer = sign_in(browser, url, world["officer"])
    code = _counter(officer, url, scan)
    _two_agencies(browser, url, world, code)
    officer.goto(f"{url}/onestop/?queue=to_return")
    officer.get_by_role("link", name=code).click()
    _act(officer, "return_result")
    assert _state(officer) == "Đã trả kết quả"
    control = _pdf(officer, "control")
    assert "Sở Tài nguyên và Môi trường" in control
    assert "Phòng Quản lý xây dựng" in control
    assert Dossier.objects.get(code=code).state == "returned"


def _working_day_after(agency_id: int, *, days: int) -> date:
    """The first day the desk's clock runs, ``days`` or more after today (Mẫu 04 refuses a new
    return time outside working hours, so a test run on any weekday must pick one)."""
    calendar, rules = clock_config.clock_calendar(agency_id), clock_config.clock_rules()
    day = clock.local_now().date() + timedelta(days=days)
    while not in_working_hours(datetime.combine(day, time(16, 0), rules.tz), calendar, rules):
        day += timedelta(days=1)
    return day


def test_late_dossier_gets_its_apology_letter(
        live_server: Any, browser: Any, world: dict[str, Any]) -> None:  # noqa: F811
    """R11.3 (Art. 19.6): accepted a month ago, the dossier is in "Quá hạn"; the head issues the
    apology with a new return date typed dd/mm/yyyy, and Mẫu 04 prints it."""
    procedure = world["procedure"]
    doc = procedure.required_documents.get(mandatory=True)
    with clock.frozen(clock.now() - timedelta(days=30)):
        received = services.dossier_receive(
            actor=world["officer"], desk=procedure.agency, procedure=procedure,
            applicant=services.Applicant(name="Hộ kinh doanh Trần Thị Mai"),
            papers=[services.Paper(parts=[make_pdf()], filename="don.pdf",
                                   required_document_id=doc.pk)])
        dossier = services.dossier_accept(actor=world["officer"], dossier=received).dossier
        services.dossier_transfer(actor=world["officer"], dossier=dossier)
    new_day = _working_day_after(procedure.agency_id, days=7).strftime("%d/%m/%Y")
    head = sign_in(browser, live_server.url, world["head"])
    head.goto(f"{live_server.url}/onestop/?queue=overdue")
    head.get_by_role("link", name=dossier.code).click()
    _act(head, "extend", reason="Chờ ý kiến của Sở Tài nguyên và Môi trường",
         new_day=new_day, new_time="16:00")
    assert head.get_by_text("Đã gia hạn").count() >= 1
    letter = _pdf(head, "apology")
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN" in letter
    assert "Chờ ý kiến của Sở Tài nguyên và Môi trường" in letter
    assert f"16 giờ 00 phút, ngày {new_day}" in letter
