"""Mẫu 02–05: the desk's letters to the applicant (TT 03/2025/TT-VPCP, Phụ lục I).

02 asks for every missing item at once (Art. 17.1.c: one request at intake), 03 gives the
reasons for a refusal, 04 apologises for a late result with the new return time (Art. 19.6),
05 tells the applicant the dossier is stopped on their withdrawal request (Art. 21).
"""

from __future__ import annotations

from reportlab.platypus import Flowable

from vanban.onestop.printing.data import (
    Apology,
    Refusal,
    Signer,
    StopNotice,
    SupplementRequest,
)
from vanban.onestop.printing.layout import (
    applicant_lines,
    build,
    copies_block,
    day_line,
    header,
    moment,
    para,
    signatures,
    title,
)


def _code_line(code: str) -> str:
    return f"Mã hồ sơ: {code}" if code else ""


def supplement_request_pdf(form: SupplementRequest) -> bytes:
    """Mẫu 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""
    items: list[Flowable] = []
    for i, item in enumerate(form.missing, 1):
        items.append(para(f"{i}. {item.name}"))
        if item.reason:
            items.append(para(f"    Lý do: {item.reason}", "small"))
    contact = form.contact or form.office.phone
    story: list[Flowable] = [
        *header(form.office, number=form.number, on=form.issued_on),
        *title("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", _code_line(form.code)),
        para(f"{form.office.desk_name} — {form.office.name} đã tiếp nhận hồ sơ của:"),
        *applicant_lines(form.applicant),
        para(f"Nội dung yêu cầu giải quyết: {form.procedure}"),
        *([para(f"Lý do: {form.reason}")] if form.reason else []),
        para("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", "bold"),
        *items,
        *([para(f"Trong quá trình bổ sung, hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ "
                f"{contact} để được hướng dẫn.")] if contact else []),
        para(f"{form.office.desk_name} trân trọng cảm ơn./."),
        *signatures(Signer("Người hướng dẫn", form.officer)),
    ]
    return build(story, title_text="Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
                 author=form.office.name)


def refusal_pdf(form: Refusal) -> bytes:
    """Mẫu 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ."""
    story: list[Flowable] = [
        *header(form.office, number=form.number, on=form.issued_on),
        *title("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", _code_line(form.code)),
        para(f"{form.office.desk_name} — {form.office.name} tiếp nhận hồ sơ của:"),
        *applicant_lines(form.applicant),
        para(f"Nội dung yêu cầu giải quyết: {form.procedure}"),
        para(f"Qua xem xét, {form.office.desk_name} thông báo không tiếp nhận, giải quyết hồ "
             "sơ này với lý do cụ thể như sau:"),
        *(para(f"{i}. {reason}") for i, reason in enumerate(form.reasons, 1)),
        para("Xin thông báo cho Ông/Bà/Tổ chức được biết và thực hiện./."),
        *signatures(Signer("Người tiếp nhận hồ sơ", form.officer)),
    ]
    return build(story, title_text="Phiếu từ chối tiếp nhận giải quyết hồ sơ",
                 author=form.office.name)


def apology_pdf(form: Apology) -> bytes:
    """Mẫu 04, Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết."""
    office = form.office.name
    story: list[Flowable] = [
        *header(form.office, number=form.number, on=form.issued_on, desk=False),
        *title("VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN\nTHỜI GIAN GIẢI QUYẾT HỒ SƠ",
               _code_line(form.code)),
        para(f"Kính gửi: {form.applicant.name}", "center"),
        para(f"Ngày {form.received_at.date():%d/%m/%Y}, {office} tiếp nhận giải quyết hồ sơ "
             f"của Ông/Bà/Tổ chức, mã hồ sơ {form.code}, về việc {form.procedure}; thời gian "
             f"hẹn trả kết quả: {moment(form.due_at)}."),
        para(f"Tuy nhiên, đến nay {office} chưa trả kết quả giải quyết hồ sơ của Ông/Bà/Tổ "
             "chức đúng hạn ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."),
        para(f"Lý do: {form.reason}"),
        para(f"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà/Tổ chức. "
             f"{office} xin lỗi Ông/Bà/Tổ chức và đề nghị gia hạn; thời gian trả kết quả mới: "
             f"{moment(form.new_due_at)}."),
        para("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà/Tổ chức./."),
        *copies_block(form.copies_to),
        *signatures(form.signer),
    ]
    return build(story, title_text=f"Văn bản xin lỗi, hồ sơ {form.code}", author=office)


def stop_notice_pdf(form: StopNotice) -> bytes:
    """Mẫu 05, Thông báo dừng giải quyết hồ sơ."""
    office = form.office.name
    returned = [para(f"- {item}") for item in form.returned] or [para("- Không")]
    story: list[Flowable] = [
        *header(form.office, number=form.number, on=form.issued_on, desk=False),
        *title("THÔNG BÁO", "Về việc dừng giải quyết hồ sơ", _code_line(form.code)),
        para(f"Kính gửi: {form.applicant.name}", "center"),
        para(f"{day_line('', form.requested_on).capitalize()}, Ông/Bà/Tổ chức có đề nghị dừng "
             f"giải quyết hồ sơ mã {form.code} về việc {form.procedure}."),
        *([para(f"Lý do: {form.reason}")] if form.reason else []),
        para(f"{office} thông báo dừng giải quyết hồ sơ nêu trên kể từ ngày "
             f"{form.issued_on:%d/%m/%Y}."),
        para("Hồ sơ, giấy tờ trả lại Ông/Bà/Tổ chức:", "bold"),
        *returned,
        *([para(f"Phí, lệ phí: {form.fees}")] if form.fees else []),
        para("Xin thông báo để Ông/Bà/Tổ chức được biết./."),
        *copies_block(form.copies_to),
        *signatures(form.signer),
    ]
    return build(story, title_text=f"Thông báo dừng giải quyết hồ sơ {form.code}", author=office)
