"""Browser test: a clerk goes from a new document to a signed PDF in Vietnamese (R9.1, R15.1,
R15.2, R3.2, R6.1), through the real pages, the real signing service and the demo PKI."""

from __future__ import annotations

import io
from typing import Any

import pytest

from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Văn-thư-Sở-Nội-vụ-2026"


def _pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    for n in range(pages):
        sheet.drawString(72, 720, f"Scanned page {n + 1}")
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def _sign_in(page: Any, url: str, user: Any) -> None:
    """A signed-in session for ``user`` (the login page has its own browser test)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie,
                               "url": url}])


def _sign_with_confirmation(page: Any) -> None:
    """R14.3: "Ký số" opens a confirmation page (no one-click signing); the clerk re-enters the
    password there."""
    page.click("[data-testid=document-sign]")
    page.wait_for_selector("[data-testid=sign-form]")
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=sign-confirm]")


def test_clerk_from_new_document_to_signed_pdf(live_server, page, make_agency, make_user):
    """R9.1/R15.2: draft → number → upload scan and appendix → sign → signed PDF that covers
    both, with the dispatch plan and the recipients block on the way (R3.2, R6.1)."""
    from vanban.pdfs.inspect import inspect_pdf
    from vanban.signatures.demo import demo_pki_load

    sender = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV")
    finance = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    make_agency("000.00.40.H06", name="UBND xã Đồng Tâm", short_name="UBND", connected=False)
    demo_pki_load(agencies=[sender])
    clerk = make_user(sender, roles=[Role.CLERK], username="vt.snv", password=PASSWORD)
    _sign_in(page, live_server.url, clerk)

    page.goto(live_server.url + "/documents/")
    page.click("[data-testid=document-new]")
    page.select_option("select[name=type_code]", "quyet_dinh")
    page.fill("textarea[name=subject]", "Về việc ban hành Quy chế văn thư, lưu trữ")
    page.select_option("select[name=competence]", "KT.")
    page.fill("input[name=position]", "PHÓ GIÁM ĐỐC")
    page.fill("input[name=full_name]", "Nguyễn Văn Ánh")
    page.select_option("select[name=agencies]", [finance.code, "000.00.40.H06"])
    page.fill("textarea[name=individuals]", "Ông Trần Văn Bình | Thôn Đông, xã Tân Sỏi |")
    page.click("[data-testid=document-save]")

    page.wait_for_selector("[data-testid=document-register]")
    plan = page.inner_text("[data-testid=dispatch-plan]")
    assert "Người nhận là cá nhân" in plan
    assert "Chưa kết nối" in plan
    block = page.inner_text("[data-testid=recipients-block]")
    assert block.startswith("Nơi nhận:")
    assert "Bản điện tử:\n- Sở Tài chính." in block
    page.click("[data-testid=document-register]")
    page.wait_for_selector("[data-testid=document-number]")
    assert page.inner_text("[data-testid=document-number]") == "Số: 01/QĐ-SNV"

    page.click("[data-testid=document-upload]")
    page.set_input_files("input[name=main]", files=[
        {"name": "quyet-dinh.pdf", "mimeType": "application/pdf", "buffer": _pdf(2)}])
    page.set_input_files("input[name=appendices]", files=[
        {"name": "phu-luc.pdf", "mimeType": "application/pdf", "buffer": _pdf(1)}])
    page.click("[data-testid=upload-submit]")
    page.wait_for_selector("[data-testid=document-sign]")
    assert "Bản gốc kèm phụ lục" in page.inner_text("[data-testid=files]")

    _sign_with_confirmation(page)
    page.wait_for_selector("[data-testid=file-signed]")
    assert page.inner_text("[data-testid=document-state]") == "Đã ký số"
    href = page.get_attribute("[data-testid=file-signed]", "href")
    assert href
    response = page.request.get(live_server.url + href)
    assert response.headers["content-type"] == "application/pdf"
    info = inspect_pdf(response.body())
    assert info.has_signatures
    assert info.page_count == 3  # main text and appendix under one signature (R15.2)
    page.click("[data-testid=document-ready]")
    page.wait_for_selector("text=Văn bản sẵn sàng gửi.")
    assert page.inner_text("[data-testid=document-state]") == "Sẵn sàng gửi"
