"""Mẫu 06, Phiếu kiểm soát quá trình giải quyết hồ sơ: every hand-over with its time.

Each row names the giving and the receiving unit and person, the time of the hand-over, and
whether the giving step finished before, on or after its deadline (Trước hạn / Đúng hạn /
Quá hạn), so the desk can see where a dossier lost its time.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import Flowable

from vanban.core.clock import VN_TZ
from vanban.onestop.printing.data import ControlSheet, Handover
from vanban.onestop.printing.layout import (
    applicant_lines,
    build,
    grid,
    header,
    moment,
    para,
    short,
    title,
)

EARLY, ON_TIME, LATE = "Trước hạn", "Đúng hạn", "Quá hạn"


def timeliness(done: datetime, deadline: datetime | None) -> str:
    """Before the deadline's day is early; by the deadline on time; after it late (spec §10)."""
    if deadline is None:
        return ""
    if done > deadline:
        return LATE
    if done.astimezone(VN_TZ).date() < deadline.astimezone(VN_TZ).date():
        return EARLY
    return ON_TIME


def _row(n: int, handover: Handover) -> tuple[str, ...]:
    giver = f"Giao: {handover.giver_unit}\n{handover.giver}".rstrip()
    receiver = f"Nhận: {handover.receiver_unit}\n{handover.receiver}".rstrip()
    deadline = f"Hạn: {short(handover.deadline)}" if handover.deadline else ""
    return (str(n), f"{giver}\n{receiver}", short(handover.at),
            "\n".join(x for x in (timeliness(handover.at, handover.deadline), deadline) if x),
            handover.note)


def control_sheet_pdf(sheet: ControlSheet) -> bytes:
    """Mẫu 06 as PDF bytes, one row per hand-over in time order."""
    rows = [_row(n, h) for n, h in enumerate(sorted(sheet.handovers, key=lambda h: h.at), 1)]
    story: list[Flowable] = [
        *header(sheet.office),
        *title("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", f"Mã hồ sơ: {sheet.code}",
               "(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)"),
        *applicant_lines(sheet.applicant),
        para(f"Thủ tục: {sheet.procedure}"),
        para(f"Thời gian nhận hồ sơ: {moment(sheet.received_at)}"),
        para(f"Thời gian hẹn trả kết quả: {moment(sheet.due_at)}"),
        grid(("STT", "Tên cơ quan, đơn vị; người giao, người nhận",
              "Thời gian giao, nhận hồ sơ", "Kết quả giải quyết (Trước hạn / Đúng hạn / "
              "Quá hạn)", "Ghi chú"), rows, (11, 70, 30, 36, 28)),
    ]
    return build(story, title_text=f"Phiếu kiểm soát hồ sơ {sheet.code}",
                 author=sheet.office.name)
