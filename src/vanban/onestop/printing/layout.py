"""The shape shared by the one-stop forms, as the regulation's templates lay them out.

Top-left the governing body, the agency and the desk with the form's number; top-right the
national motto block with the place and date; the title centred; the body; the signature
blocks. Uses the registry's registered font (one Unicode font with every Vietnamese glyph).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from vanban.core.clock import VN_TZ
from vanban.onestop.printing.data import Applicant, Office, Signer
from vanban.registry.printing import _fonts, _grid

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"
PAGE_WIDTH_MM = 175.0  # A4 less 20 mm left and 15 mm right margins


@cache
def styles() -> dict[str, ParagraphStyle]:
    """The forms' paragraph styles (13 pt body as on paper, smaller in tables)."""
    regular, bold = _fonts()
    return {
        "head": ParagraphStyle("os-head", fontName=regular, fontSize=11, leading=14,
                               alignment=TA_CENTER),
        "head-bold": ParagraphStyle("os-head-bold", fontName=bold, fontSize=11, leading=14,
                                    alignment=TA_CENTER),
        "title": ParagraphStyle("os-title", fontName=bold, fontSize=13, leading=18,
                                alignment=TA_CENTER),
        "center": ParagraphStyle("os-center", fontName=regular, fontSize=12, leading=16,
                                 alignment=TA_CENTER),
        "body": ParagraphStyle("os-body", fontName=regular, fontSize=12, leading=17,
                               alignment=TA_JUSTIFY, spaceAfter=3),
        "bold": ParagraphStyle("os-bold", fontName=bold, fontSize=12, leading=17,
                               spaceAfter=3),
        "cell": ParagraphStyle("os-cell", fontName=regular, fontSize=8, leading=10),
        "cell-head": ParagraphStyle("os-cell-head", fontName=bold, fontSize=8, leading=10,
                                    alignment=TA_CENTER),
        "small": ParagraphStyle("os-small", fontName=regular, fontSize=10, leading=13),
    }


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped; a newline breaks the line)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), styles()[style])


def day_line(place: str, on: date | None) -> str:
    """``Bắc Giang, ngày 05 tháng 12 năm 2026``; dots to fill by hand when no date is given."""
    prefix = f"{place}, " if place else ""
    if on is None:
        return f"{prefix}ngày … tháng … năm …"
    return f"{prefix}ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"


def moment(value: datetime | None) -> str:
    """``10 giờ 00 phút, ngày 12/02/2026`` in Vietnam's time; ``…`` when unknown."""
    if value is None:
        return "…"
    local = value.astimezone(VN_TZ)
    return f"{local.hour:02d} giờ {local.minute:02d} phút, ngày {local:%d/%m/%Y}"


def short(value: datetime | None) -> str:
    """``10:00 12/02/2026`` for table cells; empty when unknown."""
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y") if value else ""


def header(office: Office, *, number: str = "", on: date | None = None,
           desk: bool = True) -> list[Flowable]:
    """The two-column header: the issuing body and number left, the motto and date right."""
    left: list[Flowable] = []
    if office.parent_name:
        left.append(para(office.parent_name.upper(), "head"))
    left.append(para(office.name.upper(), "head-bold" if not desk else "head"))
    if desk and office.desk_name:
        left.append(para(office.desk_name.upper(), "head-bold"))
    left.append(para("———", "head"))
    if number:
        left.append(para(f"Số: {number}", "head"))
    right: list[Flowable] = [para(MOTTO, "head-bold"), para(MOTTO_LINE, "head-bold"),
                             para("———————", "head"), para(day_line(office.place, on), "head")]
    table = Table([[left, right]], colWidths=[72 * mm, (PAGE_WIDTH_MM - 72) * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [table, Spacer(1, 8 * mm)]


def title(*lines: str) -> list[Flowable]:
    """The centred title; further lines (the code, a note) in the regular face below it."""
    out: list[Flowable] = [para(lines[0], "title")]
    out += [para(line, "center") for line in lines[1:] if line]
    return [*out, Spacer(1, 6 * mm)]


def applicant_lines(applicant: Applicant) -> list[Flowable]:
    """Name, address, telephone, e-mail of the applicant, the empty ones left out."""
    out = [para(f"Ông/Bà/Tổ chức: {applicant.name}")]
    if applicant.address:
        out.append(para(f"Địa chỉ: {applicant.address}"))
    contact = "    ".join(x for x in (
        f"Số điện thoại: {applicant.phone}" if applicant.phone else "",
        f"Email: {applicant.email}" if applicant.email else "") if x)
    if contact:
        out.append(para(contact))
    return out


def signatures(*signers: Signer) -> list[Flowable]:
    """Signature blocks side by side (one on the right alone): title, hint, space, name."""
    cells: list[list[Flowable]] = [
        [para(s.title.upper(), "head-bold"), para(s.hint, "head"), Spacer(1, 22 * mm),
         para(s.name, "head-bold")] for s in signers]
    if len(cells) == 1:
        cells.insert(0, [])
    width = PAGE_WIDTH_MM / len(cells) * mm
    table = Table([cells], colWidths=[width] * len(cells))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 6 * mm), table]


def copies_block(copies_to: Sequence[str]) -> list[Flowable]:
    """The ``Nơi nhận:`` list under the text of a letter."""
    if not copies_to:
        return []
    return [Spacer(1, 4 * mm), para("Nơi nhận:", "bold"),
            *(para(f"- {c};", "small") for c in copies_to)]


def grid(heads: Sequence[str], rows: Sequence[Sequence[str]],
         widths_mm: Sequence[float]) -> Table:
    """A ruled table with a bold head row; the widths grow so no word breaks inside."""
    texts = [list(heads), *(list(r) for r in rows)]
    cells: list[list[Flowable]] = [[para(h, "cell-head") for h in heads]]
    cells += [[para(v, "cell") for v in row] for row in rows]
    return _grid(cells, widths_mm, texts)


def qr(data: str, size_mm: float = 28) -> Drawing:
    """A QR code of ``data`` (the tracking address), ``size_mm`` square."""
    widget = QrCodeWidget(data, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    side = size_mm * mm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def build(story: list[Flowable], *, title_text: str, author: str,
          wide: bool = False) -> bytes:
    """The story as PDF bytes on A4 (landscape for the book)."""
    buffer = io.BytesIO()
    size = landscape(A4) if wide else A4
    left = 10 * mm if wide else 20 * mm
    SimpleDocTemplate(buffer, pagesize=size, leftMargin=left, rightMargin=10 * mm if wide
                      else 15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
                      title=title_text, author=author).build(story)
    return buffer.getvalue()
