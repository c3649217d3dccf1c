"""The workflow pages with the Django test client (R8.1, R12.1, R14.2)."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from django.test import Client

from vanban.directory.models import CalendarDay
from vanban.exchange.models import Delivery
from vanban.incoming.models import IncomingState
from vanban.workflow.models import AssignmentLine, LineRole, Opinion, WorkFile
from vanban.workflow.services import assignment_create, opinion_write
from vanban.workflow.tests.conftest import line

PASSWORD = "Mật-khẩu-Thử-123"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_head_assigns_from_the_page(head, hub_document, budget, planning, clerk):
    """R8.1: the head fills the assignment form; lines and 04 follow."""
    page = _client(head)
    response = page.get(f"/work/incoming/{hub_document.pk}/")
    assert response.status_code == 200
    assert 'data-testid="assign-form"' in response.content.decode()
    response = page.post(f"/work/incoming/{hub_document.pk}/assign/", {
        "lead": f"u:{budget.pk}", "lead_days": "5", "cooperate": [f"u:{planning.pk}"],
        "inform": [f"p:{clerk.pk}"], "direction": "Phòng QLNS chủ trì, báo cáo trước hạn."})
    assert response.status_code == 302
    assert AssignmentLine.objects.filter(incoming=hub_document).count() == 3
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "04"
    html = page.get(f"/work/incoming/{hub_document.pk}/").content.decode()
    assert "Phòng Quản lý ngân sách" in html
    assert "09/11/2026" in html
    assert "Phòng QLNS chủ trì" in html
    for url in (f"/work/incoming/{hub_document.pk}/", "/work/", "/work/overdue/"):
        # The top bar names the user's own roles, whatever the page adds to the context.
        assert "Thủ trưởng cơ quan" in page.get(url).content.decode()


def test_specialist_writes_corrects_starts_and_completes(head, hub_document, budget,
                                                         specialist):
    """R8.1, R14.2: the lead specialist writes and corrects an opinion, then completes (06);
    the page shows the old opinion as corrected, unchanged."""
    assignment_create(actor=head, document=hub_document,
                      lines=[line(LineRole.LEAD, unit=budget, days=5)])
    page = _client(specialist)
    assert page.get(f"/work/incoming/{hub_document.pk}/").status_code == 200
    page.post(f"/work/incoming/{hub_document.pk}/opinions/", {"text": "Ý kiến đầu tiên."})
    first = Opinion.objects.get()
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "05"
    page.post(f"/work/incoming/{hub_document.pk}/opinions/",
              {"text": "Ý kiến đã sửa.", "corrects": str(first.pk)})
    html = page.get(f"/work/incoming/{hub_document.pk}/").content.decode()
    assert "<s>Ý kiến đầu tiên.</s>" in html
    assert "Đã được đính chính" in html
    response = page.post(f"/work/incoming/{hub_document.pk}/complete/", {"reply": ""})
    assert response.status_code == 302
    hub_document.refresh_from_db()
    assert hub_document.state == IncomingState.COMPLETED
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "06"


def test_specialist_cannot_assign_by_post(head, paper, budget, specialist):
    """R8.1: a specialist posting the assignment form is refused (403)."""
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget,
                                                              days=5)])
    response = _client(specialist).post(f"/work/incoming/{paper.pk}/assign/",
                                        {"lead": f"u:{budget.pk}", "lead_days": "3"})
    assert response.status_code == 403


def test_other_agency_gets_404(stranger, paper):
    """R8.1: another agency's document is not found."""
    page = _client(stranger)
    assert page.get(f"/work/incoming/{paper.pk}/").status_code == 404
    assert page.get(f"/work/incoming/{paper.pk}/slip.pdf").status_code == 404


def test_my_tasks_highlights_overdue(head, paper, budget, specialist):
    """R8.1: "Việc của tôi" lists the unit's line; after its deadline it is highlighted."""
    from datetime import datetime

    from vanban.core import clock

    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget,
                                                              days=1)])
    html = _client(specialist).get("/work/").content.decode()
    assert paper.subject[:40] in html
    assert 'data-overdue="1"' not in html
    with clock.frozen(datetime.fromisoformat("2026-11-05T09:00:00+07:00")):
        html = _client(specialist).get("/work/").content.decode()
        assert 'data-overdue="1"' in html
        overdue = _client(head).get("/work/overdue/")
        assert overdue.status_code == 200
        assert "Phòng Quản lý ngân sách" in overdue.content.decode()
    assert _client(specialist).get("/work/overdue/").status_code == 403


def test_handling_slip_pdf_has_vietnamese_text(head, paper, budget, specialist):
    """R8.1: the handling slip prints with its Vietnamese glyphs (checked with pdftotext)."""
    assignment_create(actor=head, document=paper, direction="Giao phòng Quản lý ngân sách.",
                      lines=[line(LineRole.LEAD, unit=budget, days=5)])
    opinion_write(actor=specialist, document=paper, text="Đề xuất trả lời Bộ Tài chính.")
    response = _client(head).get(f"/work/incoming/{paper.pk}/slip.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True,
                          check=True).stdout.decode()
    for expected in ("PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", "Sở Tài chính".upper(),
                     "Về việc lập dự toán ngân sách 2027", "Giao phòng Quản lý ngân sách.",
                     "Phòng Quản lý ngân sách", "09/11/2026", "Đề xuất trả lời Bộ Tài chính.",
                     str(specialist)):
        assert expected in text, expected


def test_work_file_pages(head, paper, specialist):
    """R12.1: open a file, add the incoming document from its page, close it; then read-only."""
    page = _client(head)
    response = page.post("/work/files/", {"notation": "01.NS", "title": "Dự toán ngân sách 2027",
                                          "retention": "vv", "start_date": "2026-11-02"})
    assert response.status_code == 302
    work_file = WorkFile.objects.get()
    assert work_file.retention_text == "Vĩnh viễn"
    page.post(f"/work/incoming/{paper.pk}/file/", {"file": str(work_file.pk)})
    html = page.get(f"/work/files/{work_file.pk}/").content.decode()
    assert "000.00.03.H06.2026.01.NS" in html
    assert paper.subject in html
    page.post(f"/work/files/{work_file.pk}/close/", {"end_date": "2026-11-02"})
    html = page.get(f"/work/files/{work_file.pk}/").content.decode()
    assert 'data-testid="closed"' in html
    assert "Bỏ khỏi hồ sơ" not in html
    assert page.get("/work/files/").status_code == 200


@pytest.mark.parametrize("scope", ["agency", "province"])
def test_calendar_page(head, agency, scope):
    """R8.1: the year's holidays (Tết) are listed; the head edits the agency's own days only."""
    page = _client(head)
    html = page.get(f"/work/calendar/?year=2026&scope={scope}").content.decode()
    assert "Tết Nguyên Đán" in html
    response = page.post("/work/calendar/", {"scope": scope, "day": "2026-11-07", "working": "1",
                                             "note": "Làm bù"})
    assert response.status_code in (302, 403)
    if scope == "agency":
        assert CalendarDay.objects.get(day=date(2026, 11, 7)).agency == agency
    else:
        assert response.status_code == 403
        assert not CalendarDay.objects.exists()
