"""The statistics as an XLSX workbook (openpyxl): one sheet, Vietnamese headers as in the
semi-annual report's table, a row per procedure (or agency, sector, channel) and the total."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from vanban.core.xlsx import append_text_safe
from vanban.onestop.core.ontime import Tally
from vanban.onestop.statistics.figures import Rated, Row, rated_total, total

HEADERS: list[tuple[str, int]] = [
    ("STT", 6), ("Tên", 48), ("Tổng số nhận", 12), ("Kỳ trước chuyển qua", 12),
    ("Mới tiếp nhận", 12), ("Đã giải quyết: trước hạn", 12), ("Đúng hạn", 10),
    ("Quá hạn", 10), ("Đang giải quyết: trong hạn", 12), ("Quá hạn", 10),
    ("Từ chối", 10), ("Rút hồ sơ", 10), ("Yêu cầu bổ sung", 12), ("Phiếu xin lỗi (Mẫu 04)", 12),
    ("Lượt đánh giá", 10), ("Điểm đánh giá trung bình (1–5)", 14),
]


def figures_of(tally: Tally) -> list[int]:
    """A row's numbers in the table's order."""
    return [tally.received, tally.carried_over, tally.new, tally.early, tally.on_time,
            tally.late, tally.within, tally.overdue, tally.refused, tally.withdrawn,
            tally.supplement_requests, tally.extended]


def rating_of(rated: Rated) -> list[int | float | None]:
    """A row's ratings: how many, and their average (empty without any)."""
    return [rated.count, rated.average]


def workbook(rows: Sequence[Row], *, title: str, period: str, by: str) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    sheet = book.create_sheet("Thống kê", 0)
    del book[book.sheetnames[1]]  # the empty default sheet
    sheet.title = "Thống kê"
    sheet.append([title])
    sheet.append([f"Kỳ báo cáo: {period}; theo {by}"])
    sheet.append([])
    sheet.append([name for name, _ in HEADERS])
    for number, (_, width) in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=13)
    for index, row in enumerate(rows, start=1):
        append_text_safe(sheet, [index, row.label, *figures_of(row.tally),
                                 *rating_of(row.rated)])
    sheet.append(["", "Tổng cộng", *figures_of(total(rows)), *rating_of(rated_total(rows))])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C5"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
