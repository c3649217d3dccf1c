"""Registry pages in Vietnamese: list, drafting form, detail with plan and block, upload,
register, register view and PDFs (R1.1, R3.2, R6.1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from vanban.directory.models import Agency
from vanban.pdfs.render import page_text
from vanban.registry import services
from vanban.registry.models import Document, DocumentState
from vanban.registry.tests.conftest import make_image, make_pdf

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    return client


def test_draft_register_upload_through_pages(clerk: Any, finance: Agency,
                                             commune: Agency) -> None:
    """The clerk drafts with recipients from the directory and a person, registers, uploads
    images and an appendix; the detail page shows plan, reasons and the recipients block."""
    client = _client(clerk)
    assert "Soạn văn bản mới" in client.get(reverse("registry:document_list")).content.decode()
    response = client.post(reverse("registry:document_create"), {
        "type_code": "cong_van", "subject": "Về việc tăng cường an toàn thông tin",
        "priority": "khan", "classification": "thuong", "competence": "KT.",
        "position": "PHÓ GIÁM ĐỐC", "full_name": "Nguyễn Văn Ánh", "archive_units": "VT, VX",
        "agencies": [finance.code, commune.code],
        "individuals": "Ông Phạm Văn Dũng | Thôn Hạ, xã Tân Sỏi | dung@example.vn"})
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    detail = reverse("registry:document_detail", args=[document.pk])
    assert client.post(reverse("registry:document_register", args=[document.pk])).status_code == 302
    upload = client.post(reverse("registry:document_upload", args=[document.pk]), {
        "main": [SimpleUploadedFile("p1.png", make_image("PNG")),
                 SimpleUploadedFile("p2.jpg", make_image("JPEG"))],
        "appendices": [SimpleUploadedFile("pl.pdf", make_pdf(2))]})
    assert upload.status_code == 302
    html = client.get(detail).content.decode()
    assert "Số: 01/SNV" in html
    assert "Đã cấp số" in html
    assert "Bản gốc kèm phụ lục" in html
    assert "Người nhận là cá nhân" in html
    assert "Chưa kết nối (bên gửi hoặc bên nhận)" in html
    assert "Nơi nhận:\n- UBND xã Đồng Tâm;\n- Ông Phạm Văn Dũng;\n- Lưu: VT, VX." in html
    assert "Bản điện tử:\n- Sở Tài chính." in html
    document.refresh_from_db()
    assert document.page_amount == 4
    pdf = client.get(reverse("registry:dispatch_list_pdf", args=[document.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "Ông Phạm Văn Dũng" in page_text(pdf.content)


def test_refusals_are_shown_in_vietnamese(clerk: Any, sender: Agency) -> None:
    """R3.1: registering a classified document shows the reason on the page."""
    document = services.document_create(actor=clerk, agency=sender, type_code="cong_van",
                                        subject="Mật", classification="mat")
    response = _client(clerk).post(reverse("registry:document_register", args=[document.pk]),
                                   follow=True)
    assert "không được xử lý, gửi hoặc nhận qua hệ thống điện tử" in response.content.decode()
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT


def test_register_view_and_pdf(clerk: Any, draft: Document) -> None:
    """The register of the year lists the numbers; its PDF has the Decree 30 layout."""
    registered = services.document_register(actor=clerk, document=draft)
    client = _client(clerk)
    html = client.get(reverse("registry:register_view")).content.decode()
    assert "01/QĐ-SNV" in html
    assert "Văn bản hành chính" in html
    assert registered.register is not None
    year = registered.register.year
    pdf = client.get(reverse("registry:register_pdf", args=[year, "administrative"]))
    assert pdf.status_code == 200
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in page_text(pdf.content, 1)
    assert client.get(reverse("registry:register_pdf", args=[year, "secret"])).status_code == 404


def test_other_agency_gets_404(other_clerk: Any, draft: Document) -> None:
    """R1.1: another agency's document page, file and PDFs are "not found"."""
    client = _client(other_clerk)
    for name in ("document_detail", "document_upload", "dispatch_list_pdf"):
        assert client.get(reverse(f"registry:{name}", args=[draft.pk])).status_code == 404
    assert draft.subject not in client.get(reverse("registry:document_list")).content.decode()


def test_specialist_has_no_clerk_buttons(specialist: Any, draft: Document) -> None:
    """Only the clerk sees register, upload and sign; the upload page is forbidden to others."""
    client = _client(specialist)
    html = client.get(reverse("registry:document_detail", args=[draft.pk])).content.decode()
    assert 'data-testid="document-register"' not in html
    assert client.get(reverse("registry:document_upload", args=[draft.pk])).status_code == 403
