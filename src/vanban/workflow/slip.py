"""The handling slip (phiếu giải quyết văn bản đến, Decree 30/2020 Phụ lục IV) as a PDF.

Three blocks as on paper: the organ leader's direction with the lead and co-operating units and
their deadlines; the unit leaders' passing on to specialists; the handlers' opinions and
proposals, each with its author and time. A line withdrawn by a re-assignment stays on the slip,
struck through and marked "đã thu hồi phân công" with its time. Uses the registry's font and
paragraph helpers (one Unicode font with every Vietnamese glyph).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from vanban.core.clock import VN_TZ
from vanban.incoming.models import IncomingDocument
from vanban.registry.printing import _d, _grid, _p, _styles
from vanban.workflow.models import AssignmentLine, LineRole, Opinion, OpinionKind

ROLE_TEXT = {LineRole.LEAD: "Chủ trì", LineRole.COOPERATE: "Phối hợp",
             LineRole.INFORM: "Để biết"}


def _when(opinion: Opinion) -> str:
    return opinion.at.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def _lines_table(lines: Sequence[AssignmentLine]) -> list[Flowable]:
    styles = _styles()
    rows: list[list[Flowable]] = [[_p(h, styles["head"]) for h in
                                   ("Vai trò", "Đơn vị, người xử lý", "Hạn giải quyết",
                                    "Người giao, ngày giao")]]
    for line in lines:
        by = line.assignment.assigned_by
        rows.append([_p(ROLE_TEXT.get(LineRole(line.role), line.role), styles["cell"]),
                     _holder(line, styles["cell"]),
                     _p(_d(line.deadline) or "—", styles["cell"]),
                     _p(f"{by} — {line.assignment.assigned_at.astimezone(VN_TZ):%d/%m/%Y}",
                        styles["cell"])])
    return [_grid(rows, (25, 70, 30, 55))]


def _holder(line: AssignmentLine, style: ParagraphStyle) -> Flowable:
    """The holder's name; struck through with the withdrawal's time when withdrawn."""
    if line.withdrawn_at is None:
        return _p(line.holder_name, style)
    when = line.withdrawn_at.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")
    return Paragraph(f"<strike>{escape(line.holder_name)}</strike><br/>"
                     f"(Đã thu hồi phân công {when})", style)


def _opinion_paragraphs(opinions: Sequence[Opinion]) -> list[Flowable]:
    styles = _styles()
    out: list[Flowable] = []
    corrected = {o.corrects_id for o in opinions if o.corrects_id}
    for opinion in opinions:
        mark = " [đã được đính chính]" if opinion.pk in corrected else ""
        fix = f" (đính chính ý kiến #{opinion.corrects_id})" if opinion.corrects_id else ""
        out.append(_p(f"#{opinion.pk} {opinion.author_name}, {_when(opinion)}{fix}{mark}:\n"
                      f"{opinion.text}", styles["body"]))
        out.append(Spacer(1, 2 * mm))
    return out or [_p("—", styles["body"])]


def handling_slip_pdf(document: IncomingDocument, lines: Sequence[AssignmentLine],
                      opinions: Sequence[Opinion]) -> bytes:
    """The slip of one document, from its lines and opinions (selectors give both)."""
    styles = _styles()
    agency = document.agency
    top = [x for x in lines if x.assignment.parent_id is None]
    passed_on = [x for x in lines if x.assignment.parent_id is not None]
    directions = [o for o in opinions if o.kind == OpinionKind.DIRECTION]
    others = [o for o in opinions if o.kind != OpinionKind.DIRECTION]
    story: list[Flowable] = [
        _p(agency.parent.name.upper() if agency.parent else "", styles["center"]),
        _p(agency.name.upper(), styles["subtitle"]), Spacer(1, 6 * mm),
        _p("PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", styles["subtitle"]), Spacer(1, 4 * mm),
        _p(f"Số đến: {document.arrival_number}    Ngày đến: {_d(document.arrival_date)}",
           styles["body"]),
        _p(f"Cơ quan ban hành: {document.issuer_name}", styles["body"]),
        _p(f"Số, ký hiệu: {document.number_text or '—'}    Ngày văn bản: "
           f"{_d(document.issued_date) or '—'}", styles["body"]),
        _p(f"Trích yếu: {document.type_name} {document.subject}".replace("  ", " "),
           styles["body"]),
        Spacer(1, 5 * mm),
        _p("1. Ý kiến của lãnh đạo cơ quan", styles["subtitle"]),
        *_opinion_paragraphs(directions),
        *(_lines_table(top) if top else []),
        Spacer(1, 5 * mm),
        _p("2. Ý kiến của lãnh đạo đơn vị", styles["subtitle"]),
        *(_lines_table(passed_on) if passed_on else [_p("—", styles["body"])]),
        Spacer(1, 5 * mm),
        _p("3. Ý kiến đề xuất của người giải quyết", styles["subtitle"]),
        *_opinion_paragraphs(others),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm,
                      topMargin=15 * mm, bottomMargin=15 * mm,
                      title=f"Phiếu giải quyết văn bản đến số {document.arrival_number}",
                      author=agency.name).build(story)
    return buffer.getvalue()
