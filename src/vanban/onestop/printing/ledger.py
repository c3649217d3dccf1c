"""Mẫu 07, Sổ theo dõi hồ sơ: the desk's book of dossiers, one line each, landscape A4.

Columns as the template: code, procedure, sets, applicant, address and telephone, lead body,
then the dates received, appointed, sent to the deciding body, result back, returned.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from vanban.onestop.printing.data import Ledger, LedgerRow
from vanban.onestop.printing.layout import build, grid, para, short

COLUMNS = ("STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)",
           "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết",
           "Nhận hồ sơ", "Hẹn trả kết quả", "Chuyển hồ sơ đến cơ quan giải quyết",
           "Nhận kết quả từ cơ quan giải quyết", "Trả kết quả", "Ghi chú")
WIDTHS_MM = (10, 30, 36, 14, 25, 28, 26, 18, 18, 18, 18, 18, 18)


def _row(n: int, row: LedgerRow) -> tuple[str, ...]:
    contact = ", ".join(x for x in (row.applicant.address, row.applicant.phone) if x)
    return (str(n), row.code, row.procedure, str(row.sets), row.applicant.name, contact,
            row.lead_body, short(row.received_at), short(row.due_at), short(row.sent_at),
            short(row.result_back_at), short(row.returned_at), row.note)


def ledger_pdf(ledger: Ledger) -> bytes:
    """The book: a cover (body, desk, period, book number), then the table."""
    office = ledger.office
    cover: list[Flowable] = [
        *([para(office.parent_name.upper(), "head-bold")] if office.parent_name else []),
        para(office.name.upper(), "head-bold"), para(office.desk_name.upper(), "head-bold"),
        Spacer(1, 45 * mm), para("SỔ THEO DÕI HỒ SƠ", "title"),
        para(ledger.period, "center"), para(f"Quyển số: {ledger.book}", "center"), PageBreak(),
    ]
    rows = [_row(n, r) for n, r in enumerate(ledger.rows, 1)]
    heads = [f"({i}) {name}" for i, name in enumerate(COLUMNS, 1)]
    return build([*cover, grid(heads, rows, WIDTHS_MM)],
                 title_text=f"Sổ theo dõi hồ sơ — {ledger.period}", author=office.name,
                 wide=True)
