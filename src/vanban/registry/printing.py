"""Printable PDFs (reportlab, a Unicode font that has every Vietnamese glyph).

* The outgoing register (sổ đăng ký văn bản đi) in the Decree 30/2020 Phụ lục IV layout: a cover
  page (parent organ, organ, register name, year, dates, numbers, book number) and the ten
  columns on landscape A4 (Decree 30 §2.4: a system register must be printable in this layout).
* The paper dispatch list of a document (R3.2): the recipients who get a paper copy, and why.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from vanban.registry.core.numbering import series_label
from vanban.registry.models import Document, DocumentState, Register
from vanban.registry.selectors import PlanRow

REGISTER_COLUMNS = (
    "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
    "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển",
    "Ký nhận", "Ghi chú",
)
REGISTER_WIDTHS_MM = (28, 24, 58, 32, 42, 24, 14, 24, 15, 16)
CELL_PADDING = 12.5  # points: the table's default left and right padding, and a hair


@cache
def _fonts() -> tuple[str, str]:
    """Register the configured font (and its bold face when it sits beside it)."""
    path = Path(settings.VANBAN_FONT_PATH)
    pdfmetrics.registerFont(TTFont("VanbanSans", str(path)))
    bold = path.with_name(path.stem + "-Bold" + path.suffix)
    if bold.exists():
        pdfmetrics.registerFont(TTFont("VanbanSans-Bold", str(bold)))
        return "VanbanSans", "VanbanSans-Bold"
    return "VanbanSans", "VanbanSans"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    return {
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8, leading=10),
        "head": ParagraphStyle("head", fontName=bold, fontSize=8, leading=10,
                               alignment=TA_CENTER),
        "body": ParagraphStyle("body", fontName=regular, fontSize=11, leading=15),
        "center": ParagraphStyle("center", fontName=regular, fontSize=12, leading=17,
                                 alignment=TA_CENTER),
        "title": ParagraphStyle("title", fontName=bold, fontSize=20, leading=28,
                                alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", fontName=bold, fontSize=13, leading=18,
                                   alignment=TA_CENTER),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def fit_widths(widths_mm: Sequence[float], rows: Sequence[Sequence[str]]) -> list[float]:
    """Column widths in points where no word breaks inside (a date ``31/12/2026`` is one word,
    never printed as ``31/12/202`` over ``6``): a column narrower than its longest word grows,
    and the columns with room to spare (the widest first) give the width back."""
    regular, bold = _fonts()
    widths = [w * mm for w in widths_mm]
    least = [0.0] * len(widths)
    for n, row in enumerate(rows):
        font = bold if n == 0 else regular
        for i, text in enumerate(row):
            for word in text.split():
                least[i] = max(least[i], pdfmetrics.stringWidth(word, font, 8) + CELL_PADDING)
    wanted = [max(w, m) for w, m in zip(widths, least, strict=True)]
    excess = sum(wanted) - sum(widths)
    for i in sorted(range(len(wanted)), key=lambda k: wanted[k] - least[k], reverse=True):
        if excess <= 0:
            break
        give = min(excess, max(0.0, wanted[i] - least[i]))
        wanted[i] -= give
        excess -= give
    return wanted


def _grid(rows: list[list[Flowable]], widths_mm: Sequence[float],
          texts: Sequence[Sequence[str]] = ()) -> Table:
    widths = fit_widths(widths_mm, texts) if texts else [w * mm for w in widths_mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
    ]))
    return table


def signer_text(document: Document) -> str:
    """``KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC / Nguyễn Văn A`` on separate lines."""
    return "\n".join(x for x in (document.competence, document.position, document.full_name) if x)


def _register_values(document: Document) -> list[str]:
    recipients = "; ".join(r.display_name for r in document.recipients.all())
    copies = document.issued_amount or (len(document.recipients.all()) + 1)
    note = document.description
    if document.state == DocumentState.CANCELLED:
        note = f"ĐÃ HỦY: {document.cancel_reason}"
    values = (document.number_text, _d(document.issued_date),
              f"{document.type_name}: {document.subject}", signer_text(document), recipients,
              document.archive_units, str(copies),
              _d(document.ready_at.date()) if document.ready_at else "", "", note)
    return list(values)


def _cover(register: Register, documents: Sequence[Document],
           styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    dates = [d.issued_date for d in documents if d.issued_date]
    numbers = [d.code_number for d in documents if d.code_number]
    series_vi, _en = series_label(register.series)
    return cover_page(register, "SỔ ĐĂNG KÝ VĂN BẢN ĐI", series_vi, dates, numbers)


def cover_page(register: Register, title: str, series: str, dates: Sequence[date],
               numbers: Sequence[int]) -> list[Flowable]:
    """The Phụ lục IV cover of any register: parent organ, organ, register name, year, first
    and last dates and numbers, book number; then a page break."""
    styles = _styles()
    agency = register.agency
    parent = agency.parent.name.upper() if agency.parent is not None else ""
    return [
        _p(parent, styles["subtitle"]), _p(agency.name.upper(), styles["subtitle"]),
        Spacer(1, 40 * mm), _p(title, styles["title"]),
        _p(series, styles["center"]), Spacer(1, 10 * mm),
        _p(f"Năm: {register.year}", styles["center"]),
        _p(f"Từ ngày {_d(min(dates)) if dates else '…'} đến ngày "
           f"{_d(max(dates)) if dates else '…'}", styles["center"]),
        _p(f"Từ số {min(numbers) if numbers else '…'} đến số "
           f"{max(numbers) if numbers else '…'}", styles["center"]),
        _p("Quyển số: 01", styles["center"]), PageBreak(),
    ]


def table_pdf(*, title: str, author: str, front: list[Flowable], columns: Sequence[str],
              widths_mm: Sequence[float], rows: Sequence[Sequence[str]]) -> bytes:
    """A landscape A4 register: ``front`` (the cover), then numbered column heads and one
    line of text cells per row."""
    styles = _styles()
    heads = [f"({i}) {name}" for i, name in enumerate(columns, 1)]
    table: list[list[Flowable]] = [[_p(v, styles["head"]) for v in heads]]
    table += [[_p(v, styles["cell"]) for v in row] for row in rows]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=10 * mm,
                            rightMargin=10 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=title, author=author)
    doc.build([*front, _grid(table, widths_mm, [heads, *rows])])
    return buffer.getvalue()


def register_pdf(register: Register, documents: Sequence[Document]) -> bytes:
    """The register as a PDF: cover page, then the ten Decree 30 columns, one row per number."""
    styles = _styles()
    heads = [f"({i}) {name}" for i, name in enumerate(REGISTER_COLUMNS, 1)]
    texts = [heads, *(_register_values(d) for d in documents)]
    rows = [[_p(v, styles["head" if n == 0 else "cell"]) for v in row]
            for n, row in enumerate(texts)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=10 * mm,
                            rightMargin=10 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=f"Sổ đăng ký văn bản đi {register.year}",
                            author=register.agency.name)
    doc.build([*_cover(register, documents, styles), _grid(rows, REGISTER_WIDTHS_MM, texts)])
    return buffer.getvalue()


def dispatch_list_pdf(document: Document, plan: Sequence[PlanRow]) -> bytes:
    """R3.2: the paper dispatch list: every recipient who gets paper, address and reasons."""
    styles = _styles()
    header = [_p(h, styles["head"]) for h in
              ("STT", "Nơi nhận", "Địa chỉ", "Gửi điện tử", "Lý do gửi bản giấy", "Ký nhận")]
    rows: list[list[Flowable]] = [header]
    for i, row in enumerate((r for r in plan if r.paper), 1):
        recipient = row.recipient
        address = recipient.address or (recipient.agency.mailbox if recipient.agency else "")
        electronic = "" if row.channel.value == "paper_only" else row.channel_label()
        reasons = "; ".join(row.reason_labels()) or "Không có kênh điện tử"
        rows.append([_p(v, styles["cell"]) for v in
                     (str(i), recipient.display_name, address, electronic, reasons, "")])
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title="Danh sách gửi bản giấy", author=document.agency.name)
    doc.build([
        _p(document.agency.name.upper(), styles["subtitle"]), Spacer(1, 6 * mm),
        _p("DANH SÁCH GỬI VĂN BẢN GIẤY", styles["title"]), Spacer(1, 4 * mm),
        _p(f"Số, ký hiệu: {document.number_text or '(chưa cấp số)'} · Ngày: "
           f"{_d(document.issued_date)}", styles["body"]),
        _p(f"{document.type_name}: {document.subject}", styles["body"]), Spacer(1, 6 * mm),
        _grid(rows, (10, 45, 40, 28, 40, 17)),
    ])
    return buffer.getvalue()
