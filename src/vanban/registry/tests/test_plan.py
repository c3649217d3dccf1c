"""R3.2 dispatch plan per recipient with the paper reason; R6.1 recipients block of a document;
the paper dispatch list and the register as PDFs with Vietnamese text (checked with pdftotext)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from vanban.directory.models import Agency
from vanban.pdfs.render import page_text
from vanban.registry import printing, selectors, services
from vanban.registry.core.dispatch import Channel, PaperReason
from vanban.registry.core.recipients_block import parse_block
from vanban.registry.models import Document

pytestmark = pytest.mark.django_db


def _document(clerk: Any, sender: Agency, finance: Agency, commune: Agency,
              **kw: Any) -> Document:
    recipients = [
        services.RecipientInput(agency=finance),
        services.RecipientInput(agency=commune),
        services.RecipientInput(name="Bà Lê Thị Cúc", address="Số 5 Nguyễn Văn Cừ, TP Bắc Giang",
                                mailbox="cuc@example.vn"),
    ]
    values: dict[str, Any] = {"type_code": "cong_van", "subject": "Về việc báo cáo"} | kw
    return services.document_create(actor=clerk, agency=sender, recipients=recipients, **values)


def _by_name(document: Document) -> dict[str, selectors.PlanRow]:
    return {row.recipient.display_name: row for row in selectors.dispatch_plan(document)}


def test_plan_channels_and_reasons(clerk: Any, sender: Agency, finance: Agency,
                                   commune: Agency) -> None:
    """R3.2b,d: connected agency electronic only; not connected and individual also on paper."""
    plan = _by_name(_document(clerk, sender, finance, commune))
    assert (plan["Sở Tài chính"].channel, plan["Sở Tài chính"].paper) == (Channel.INTERNAL, False)
    assert plan["UBND xã Đồng Tâm"].channel == Channel.MAIL
    assert plan["UBND xã Đồng Tâm"].reasons == (PaperReason.NOT_CONNECTED,)
    assert plan["Bà Lê Thị Cúc"].reasons == (PaperReason.INDIVIDUAL,)
    assert plan["Bà Lê Thị Cúc"].reason_labels() == ["Người nhận là cá nhân"]


def test_plan_legal_normative(clerk: Any, sender: Agency, finance: Agency,
                              commune: Agency) -> None:
    """R3.2a: a legal normative document goes on paper to every recipient, too."""
    document = _document(clerk, sender, finance, commune, type_code="quyet_dinh",
                         legal_normative=True)
    for row in selectors.dispatch_plan(document):
        assert PaperReason.LEGAL_NORMATIVE in row.reasons
        assert row.paper


def test_plan_sender_not_connected(clerk: Any, sender: Agency, finance: Agency,
                                   commune: Agency) -> None:
    """R3.2b: when the sender lacks the means, every agency recipient gets paper."""
    Agency.objects.filter(pk=sender.pk).update(connected=False)
    sender.refresh_from_db()
    document = _document(clerk, sender, finance, commune)
    assert _by_name(document)["Sở Tài chính"].reasons == (PaperReason.NOT_CONNECTED,)


@override_settings(VANBAN_PAPER_REQUIRED_TYPES=["hop_dong"])
def test_plan_paper_required_by_rule(clerk: Any, sender: Agency, finance: Agency,
                                     commune: Agency) -> None:
    """R3.2c: a configured document type always goes on paper too."""
    contract = _document(clerk, sender, finance, commune, type_code="hop_dong")
    assert _by_name(contract)["Sở Tài chính"].reasons == (PaperReason.PAPER_REQUIRED_BY_RULE,)
    letter = _document(clerk, sender, finance, commune)
    assert _by_name(letter)["Sở Tài chính"].reasons == ()


def test_recipients_block_of_a_document(clerk: Any, sender: Agency, finance: Agency,
                                        commune: Agency) -> None:
    """R6.1: paper recipients under "Nơi nhận:", electronic ones under "Bản điện tử:"."""
    document = _document(clerk, sender, finance, commune)
    text = selectors.recipients_block_text(document)
    assert text == "\n".join(["Nơi nhận:", "- UBND xã Đồng Tâm;", "- Bà Lê Thị Cúc;",
                              "- Lưu: VT.", "Bản điện tử:", "- Sở Tài chính."])
    assert parse_block(text) == selectors.recipients_block(document)


def test_dispatch_list_pdf_in_vietnamese(clerk: Any, sender: Agency, finance: Agency,
                                         commune: Agency) -> None:
    """R3.2: the printed paper dispatch list names each paper recipient and the reason."""
    document = services.document_register(
        actor=clerk, document=_document(clerk, sender, finance, commune))
    data = printing.dispatch_list_pdf(document, selectors.dispatch_plan(document))
    text = " ".join(page_text(data).split())
    assert "DANH SÁCH GỬI VĂN BẢN GIẤY" in text
    assert "UBND xã Đồng Tâm" in text
    assert "Bà Lê Thị Cúc" in text
    assert "Người nhận là cá nhân" in text
    assert "Sở Tài chính" not in text  # electronic only: not on the paper list
    assert "01/SNV" in text


def test_register_pdf_decree_30_layout(clerk: Any, sender: Agency, finance: Agency,
                                       commune: Agency) -> None:
    """Decree 30 Phụ lục IV: cover page, then the ten columns with each registered document."""
    first = services.document_register(
        actor=clerk, document=_document(clerk, sender, finance, commune,
                                        subject="Về việc tổng kết năm, đánh giá xếp loại"))
    second = services.document_register(
        actor=clerk, document=_document(clerk, sender, finance, commune))
    services.document_cancel(actor=clerk, document=second, reason="Sai thể thức")
    assert first.register is not None
    register = first.register
    data = printing.register_pdf(register, list(selectors.register_entries(register)))
    cover = " ".join(page_text(data, 1).split())
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in cover
    assert "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG" in cover
    assert "SỞ NỘI VỤ" in cover
    assert f"Năm: {register.year}" in cover
    assert "Từ số 1 đến số 2" in cover
    table = " ".join(page_text(data, 2).split())
    for column in ("Số, ký hiệu văn bản", "Ngày tháng văn bản", "Người ký", "Ký nhận",
                   "Ghi chú", "(10)"):
        assert column in table
    assert "01/SNV" in table
    assert "tổng kết năm, đánh giá xếp loại" in table
    assert "ĐÃ HỦY: Sai thể thức" in table
