"""Phiếu chuyển xử lý: hands a joint (liên thông) dossier to the next body (Art. 20.2.a).

Names each body's task and deadline, so the receiving body knows its part and when it is due.
"""

from __future__ import annotations

from reportlab.platypus import Flowable

from vanban.onestop.printing.data import TransferSlip
from vanban.onestop.printing.layout import (
    applicant_lines,
    build,
    grid,
    header,
    moment,
    para,
    short,
    signatures,
    title,
)


def transfer_slip_pdf(slip: TransferSlip) -> bytes:
    """The transfer slip as PDF bytes."""
    tasks = [(str(i), t.body, t.task, short(t.deadline))
             for i, t in enumerate(slip.tasks, 1)]
    papers = [(str(i), p.name, p.form, str(p.quantity)) for i, p in enumerate(slip.papers, 1)]
    story: list[Flowable] = [
        *header(slip.office, number=slip.number, on=slip.issued_on),
        *title("PHIẾU CHUYỂN XỬ LÝ HỒ SƠ", f"Mã hồ sơ: {slip.code}"),
        para(f"Kính gửi: {slip.to}", "center"),
        para(f"{slip.office.desk_name} — {slip.office.name} chuyển hồ sơ sau để xử lý theo "
             "quy trình liên thông:"),
        para(f"Thủ tục: {slip.procedure}"),
        *applicant_lines(slip.applicant),
        para(f"Thời gian nhận hồ sơ: {moment(slip.received_at)}"),
        para(f"Thời gian hẹn trả kết quả: {moment(slip.due_at)}"),
        para("Nhiệm vụ và thời hạn của từng cơ quan:", "bold"),
        grid(("STT", "Cơ quan", "Nhiệm vụ", "Thời hạn"), tasks, (12, 55, 73, 35)),
        *([para("Hồ sơ kèm theo:", "bold"),
           grid(("STT", "Tên giấy tờ", "Hình thức", "Số lượng"), papers, (12, 103, 40, 20))]
          if papers else []),
        *([para(f"Ghi chú: {slip.note}")] if slip.note else []),
        *signatures(slip.signer),
    ]
    return build(story, title_text=f"Phiếu chuyển xử lý hồ sơ {slip.code}",
                 author=slip.office.name)
