"""The XLSX export of a search (issue 13): the filtered list as a workbook, one sheet per kind,
Vietnamese headers, dates as real Excel dates (dd/mm/yyyy).

An export holds at most :data:`EXPORT_MAX` rows per kind: beyond it the export is refused with
a message asking to narrow the filters, never a file cut silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Actor
from vanban.core.xlsx import append_text_safe
from vanban.search import selectors
from vanban.search.query import FILES, INCOMING, KINDS, OUTGOING, WORK, SearchQuery

EXPORT_MAX = 5000
DAY_FORMAT = "dd/mm/yyyy"

Column = tuple[str, Callable[[Any], object], int]


def _local_day(value: datetime | None) -> date | None:
    return value.astimezone(clock.VN_TZ).date() if value else None


COLUMNS: dict[str, list[Column]] = {
    OUTGOING: [("Số, ký hiệu", lambda d: d.number_text, 18),
               ("Ngày ban hành", lambda d: d.issued_date, 14),
               ("Loại văn bản", lambda d: d.type_name, 16),
               ("Trích yếu", lambda d: d.subject, 60),
               ("Người ký", lambda d: d.full_name, 22),
               ("Trạng thái", lambda d: str(d.get_state_display()), 14),
               ("Ngày tạo", lambda d: _local_day(d.created_at), 14)],
    INCOMING: [("Số đến", lambda e: e.arrival_number, 8),
               ("Ngày đến", lambda e: e.arrival_date, 14),
               ("Số, ký hiệu", lambda e: e.number_text, 18),
               ("Ngày văn bản", lambda e: e.issued_date, 14),
               ("Cơ quan ban hành", lambda e: e.issuer_name, 30),
               ("Loại văn bản", lambda e: e.type_name, 16),
               ("Trích yếu", lambda e: e.subject, 60),
               ("Hạn trả lời", lambda e: e.due_date, 14),
               ("Trạng thái", lambda e: str(e.get_state_display()), 14)],
    WORK: [("Số đến", lambda line: line.incoming.arrival_number, 8),
           ("Trích yếu", lambda line: line.incoming.subject, 60),
           ("Vai trò", lambda line: str(line.get_role_display()), 12),
           ("Đơn vị, người xử lý", lambda line: line.holder_name, 28),
           ("Hạn xử lý", lambda line: line.deadline, 14),
           ("Ngày hoàn thành", lambda line: _local_day(line.done_at), 14)],
    FILES: [("Mã hồ sơ", lambda f: f.file_code, 24),
            ("Tiêu đề hồ sơ", lambda f: f.title, 60),
            ("Người lập", lambda f: f.creator_name, 22),
            ("Ngày bắt đầu", lambda f: f.start_date, 14),
            ("Ngày kết thúc", lambda f: f.end_date, 14),
            ("Thời hạn bảo quản", lambda f: f.retention_text, 14)],
}
TITLES = {OUTGOING: "Văn bản đi", INCOMING: "Văn bản đến", WORK: "Công việc",
          FILES: "Hồ sơ công việc"}


def _sheet(sheet: Worksheet, kind: str, rows: list[Any]) -> None:
    columns = COLUMNS[kind]
    sheet.title = TITLES[kind]
    sheet.append([title for title, _, _ in columns])
    for number, (_, _, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    for row in rows:
        append_text_safe(sheet, [value(row) if value(row) is not None else ""
                                 for _, value, _ in columns])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, date | datetime):
                cell.number_format = DAY_FORMAT
    sheet.freeze_panes = "A2"


@dataclass(frozen=True)
class Export:
    """A workbook's bytes and, for its audit event (R16.2), the rows it holds per kind."""

    data: bytes
    rows: dict[str, int]


def query_summary(query: SearchQuery) -> dict[str, object]:
    """What was asked, as the audit event records it."""
    return {name: value.isoformat() if isinstance(value, date) else value
            for name, value in asdict(query).items() if value not in (None, "")}


def search_workbook(actor: Actor, query: SearchQuery) -> Export:
    """The workbook of ``query`` (its kind, or every kind), newest first; refused beyond
    :data:`EXPORT_MAX` rows of a kind."""
    kinds = [query.kind] if query.kind else list(KINDS)
    found: dict[str, list[Any]] = {}
    for kind in kinds:
        rows = list(selectors.rows_of(actor, query, kind).order_by("-pk")[:EXPORT_MAX + 1])
        if len(rows) > EXPORT_MAX:
            raise ValidationFailed(
                f"Danh sách “{TITLES[kind]}” có hơn {EXPORT_MAX:,} dòng: hãy thu hẹp bộ lọc "
                "(loại kết quả, khoảng ngày, sổ) rồi xuất lại.".replace(",", "."),
                f"The list “{kind}” has more than {EXPORT_MAX:,} rows: narrow the filters "
                "(kind, dates, register) and export again.", code="export_too_large")
        found[kind] = rows
    book = Workbook()
    first = True
    for kind, rows in found.items():
        _sheet(book.active if first else book.create_sheet(), kind, rows)  # type: ignore[arg-type]
        first = False
    out = BytesIO()
    book.save(out)
    return Export(out.getvalue(), {kind: len(rows) for kind, rows in found.items()})
