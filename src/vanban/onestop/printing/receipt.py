"""Mẫu 01, Giấy tiếp nhận hồ sơ và hẹn trả kết quả (TT 03/2025/TT-VPCP, Phụ lục I).

Shows what Art. 17.3 requires (code, acceptance time, return time, place and method) and what
the applicant needs to follow the dossier: the papers received, the fees, the register line,
and the tracking line with its secret and a QR code of the tracking address.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from vanban.onestop.printing.data import Receipt, Signer
from vanban.onestop.printing.layout import (
    applicant_lines,
    build,
    grid,
    header,
    moment,
    para,
    qr,
    signatures,
    title,
)

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"


def _papers(receipt: Receipt) -> list[Flowable]:
    rows = [(str(i), p.name, p.form, str(p.quantity), p.note)
            for i, p in enumerate(receipt.papers, 1)]
    return [para("1. Thành phần hồ sơ nộp gồm:"),
            grid(("STT", "Tên loại giấy tờ", "Hình thức", "Số lượng", "Ghi chú"), rows,
                 (12, 83, 35, 18, 27)), Spacer(1, 3 * mm)]


def _tracking(receipt: Receipt) -> list[Flowable]:
    """The line the applicant uses on the citizen portal: address, code and secret, and a QR."""
    if not (receipt.tracking_url or receipt.tracking_secret):
        return []
    lines = [para("Tra cứu tình trạng hồ sơ:", "bold")]
    if receipt.tracking_url:
        lines.append(para(f"Địa chỉ: {receipt.tracking_url}", "small"))
    lines.append(para(f"Mã hồ sơ: {receipt.code}", "small"))
    if receipt.tracking_secret:
        lines.append(para(f"Mã tra cứu (bí mật): {receipt.tracking_secret}", "small"))
        lines.append(para("Giữ kín mã tra cứu; không cung cấp cho người khác.", "small"))
    if not receipt.tracking_url:
        return [Spacer(1, 3 * mm), *lines]
    table = Table([[lines, qr(receipt.tracking_url)]], colWidths=[140 * mm, 35 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("BOX", (0, 0), (-1, -1), 0.5, "black")]))
    return [Spacer(1, 3 * mm), table]


def receipt_pdf(receipt: Receipt) -> bytes:
    """Mẫu 01 as PDF bytes."""
    due = (moment(receipt.due_at) if receipt.due_at
           else "trả ngay trong ngày tiếp nhận")
    register = ""
    if receipt.register_book or receipt.register_number:
        register = (f"Vào Sổ theo dõi hồ sơ, Quyển số: {receipt.register_book or '…'}, "
                    f"Số thứ tự: {receipt.register_number or '…'}")
    story: list[Flowable] = [
        *header(receipt.office, number=receipt.number, on=receipt.issued_on
                or receipt.received_at.date()),
        *title(TITLE, f"Mã hồ sơ: {receipt.code}", "(Liên: Lưu / Giao người nộp hồ sơ)"),
        para(f"{receipt.office.desk_name} — {receipt.office.name} tiếp nhận hồ sơ của:"),
        *applicant_lines(receipt.applicant),
        para(f"Nội dung yêu cầu giải quyết: {receipt.procedure}"),
        *_papers(receipt),
        para(f"2. Số lượng hồ sơ: {receipt.sets:02d} (bộ)"),
        para(f"3. Thời gian giải quyết hồ sơ theo quy định là: {receipt.limit_text}"),
        para(f"4. Thời gian nhận hồ sơ: {moment(receipt.received_at)}"),
        para(f"5. Thời gian trả kết quả giải quyết hồ sơ: {due}"),
        para(f"6. Nơi trả kết quả: {receipt.return_place}"),
        para(f"7. Hình thức nhận kết quả: {receipt.return_method}"),
        para(f"8. Phí, lệ phí: {receipt.fees}"),
        *([para(register)] if register else []),
        *_tracking(receipt),
        *signatures(Signer("Người nộp hồ sơ", receipt.applicant.name),
                    Signer("Người tiếp nhận hồ sơ", receipt.officer)),
    ]
    return build(story, title_text=f"Giấy tiếp nhận hồ sơ {receipt.code}",
                 author=receipt.office.name)
