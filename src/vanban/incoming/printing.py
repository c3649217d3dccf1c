"""The incoming register (sổ đăng ký văn bản đến) as a PDF in the Decree 30/2020 Phụ lục IV
layout: the cover page, then the ten columns on landscape A4 (the registry's printing helpers
draw both, with a font that has every Vietnamese glyph)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from vanban.incoming.models import IncomingDocument
from vanban.registry.models import Register
from vanban.registry.printing import cover_page, table_pdf

COLUMNS = (
    "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận",
    "Ghi chú",
)
WIDTHS_MM = (22, 14, 38, 28, 22, 62, 36, 20, 16, 19)


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _receiver(entry: IncomingDocument) -> str:
    parts = [entry.recipient_unit.name if entry.recipient_unit else "",
             str(entry.recipient_user) if entry.recipient_user else ""]
    return "; ".join(p for p in parts if p)


def _note(entry: IncomingDocument) -> str:
    notes = [entry.note]
    if entry.source == "paper":
        notes.append("Bản giấy")
    if entry.duplicate_of_id is not None and entry.duplicate_of is not None:
        notes.append(f"Trùng số đến {entry.duplicate_of.arrival_number}")
    return "; ".join(n for n in notes if n)


def row(entry: IncomingDocument) -> list[str]:
    """One register line in the column order."""
    kind = f"{entry.type_name}: {entry.subject}" if entry.type_name else entry.subject
    return [_d(entry.arrival_date), str(entry.arrival_number), entry.issuer_name,
            entry.number_text, _d(entry.issued_date), kind, _receiver(entry),
            _d(entry.arrival_date) if (entry.recipient_unit_id or entry.recipient_user_id)
            else "", "", _note(entry)]


def incoming_register_pdf(register: Register, entries: Sequence[IncomingDocument]) -> bytes:
    """The register: cover page (year, first and last dates and numbers), one row per number."""
    dates = [e.arrival_date for e in entries]
    numbers = [e.arrival_number for e in entries]
    front = cover_page(register, "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "", dates, numbers)
    return table_pdf(title=f"Sổ đăng ký văn bản đến {register.year}",
                     author=register.agency.name, front=front, columns=COLUMNS,
                     widths_mm=WIDTHS_MM, rows=[row(e) for e in entries])
