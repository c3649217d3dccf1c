"""The printed forms Mẫu 01–07 and the Phiếu chuyển xử lý: each renders from plain data, and
its Vietnamese text (read back with pdftotext) carries the fields the regulation asks for."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import date, datetime

import pytest

from vanban.core.clock import VN_TZ
from vanban.onestop.printing import (
    apology_pdf,
    control_sheet_pdf,
    ledger_pdf,
    receipt_pdf,
    refusal_pdf,
    stop_notice_pdf,
    supplement_request_pdf,
    timeliness,
    transfer_slip_pdf,
)
from vanban.onestop.printing.data import (
    Apology,
    Applicant,
    ControlSheet,
    Handover,
    JointTask,
    Ledger,
    LedgerRow,
    Missing,
    Office,
    Paper,
    Receipt,
    Refusal,
    Signer,
    StopNotice,
    SupplementRequest,
    TransferSlip,
)

OFFICE = Office(name="Sở Tư pháp", parent_name="Ủy ban nhân dân tỉnh Bắc Giang",
                desk_name="Bộ phận Một cửa", place="Bắc Giang", phone="0204 3854 321")
APPLICANT = Applicant(name="Nguyễn Thị Hường", address="Số 12 đường Hoàng Văn Thụ, TP Bắc Giang",
                      phone="0912 345 678", email="huong@example.vn")
PROCEDURE = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
RECEIVED = datetime(2026, 2, 12, 10, 0, tzinfo=VN_TZ)
DUE = datetime(2026, 2, 26, 10, 0, tzinfo=VN_TZ)


def text_of(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, NFC-normalised, spaces folded (line breaks kept
    apart from words so a field can be checked whole)."""
    assert pdf.startswith(b"%PDF-")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    return " ".join(unicodedata.normalize("NFC", out).split())


def assert_all(text: str, *expected: str) -> None:
    for item in expected:
        assert item in text, item


def test_receipt_shows_code_times_place_papers_and_tracking_secret() -> None:
    """R11.2: acceptance issues Mẫu 01 with the code, acceptance and return times, place,
    method, papers, fees, the register line and the tracking secret with its address."""
    receipt = Receipt(
        office=OFFICE, code="000.00.12.H13-260212-0007", procedure=PROCEDURE,
        applicant=APPLICANT, papers=(Paper("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"),
                                     Paper("Căn cước công dân", "Bản sao chứng thực", 1)),
        limit_text="05 ngày làm việc", received_at=RECEIVED, due_at=DUE,
        return_place="Trung tâm Phục vụ hành chính công tỉnh Bắc Giang",
        fees="200.000 đồng", register_book="01", register_number="0007",
        officer="Trần Văn Đức", tracking_url="https://dichvucong.example.vn/dich-vu-cong/tra-cuu/",
        tracking_secret="K7QM2XPA")
    text = text_of(receipt_pdf(receipt))
    assert_all(text, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
               "SỞ TƯ PHÁP", "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG",
               "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
               "Mã hồ sơ: 000.00.12.H13-260212-0007", "Nguyễn Thị Hường",
               "Bắc Giang, ngày 12 tháng 02 năm 2026", PROCEDURE,
               "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Bản sao chứng thực",
               "05 ngày làm việc", "10 giờ 00 phút, ngày 12/02/2026",
               "10 giờ 00 phút, ngày 26/02/2026",
               "Trung tâm Phục vụ hành chính công tỉnh Bắc Giang", "200.000 đồng",
               "Quyển số: 01, Số thứ tự: 0007", "K7QM2XPA",
               "https://dichvucong.example.vn/dich-vu-cong/tra-cuu/",
               "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Trần Văn Đức")


def test_receipt_prints_acceptance_time_not_clock_start() -> None:
    """R11.2 (spec §12): accepted Friday 15:30, the receipt still shows 15:30; a same-day
    result prints so instead of a time."""
    friday = datetime(2026, 12, 11, 15, 30, tzinfo=VN_TZ)
    receipt = Receipt(office=OFFICE, code="X-261211-0001", procedure=PROCEDURE,
                      applicant=APPLICANT, papers=(), limit_text="Trong ngày",
                      received_at=friday, due_at=None, return_place="Bộ phận Một cửa")
    text = text_of(receipt_pdf(receipt))
    assert_all(text, "15 giờ 30 phút, ngày 11/12/2026", "trả ngay trong ngày tiếp nhận")
    assert "Mã tra cứu" not in text


def test_supplement_request_lists_every_missing_item() -> None:
    """R11.2: an invalid dossier goes back with the full list of what is missing (Mẫu 02)."""
    form = SupplementRequest(
        office=OFFICE, procedure=PROCEDURE, applicant=APPLICANT, issued_on=date(2026, 6, 3),
        missing=(Missing("Bản sao Sổ hộ khẩu", "Chưa nộp"),
                 Missing("Tờ khai", "Thiếu chữ ký của người yêu cầu")),
        contact="bà Lê Thu Hà, số điện thoại 0204 3854 321", officer="Trần Văn Đức")
    text = text_of(supplement_request_pdf(form))
    assert_all(text, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "1. Bản sao Sổ hộ khẩu",
               "Lý do: Chưa nộp", "2. Tờ khai", "Thiếu chữ ký của người yêu cầu",
               "bà Lê Thu Hà", "NGƯỜI HƯỚNG DẪN", "Bắc Giang, ngày 03 tháng 06 năm 2026")


def test_refusal_gives_its_reasons() -> None:
    """R11.2, R3.1: a refusal states its reasons on Mẫu 03 (classified content is one)."""
    form = Refusal(office=OFFICE, procedure=PROCEDURE, applicant=APPLICANT,
                   issued_on=date(2026, 6, 3),
                   reasons=("Hồ sơ có nội dung thuộc bí mật nhà nước, không tiếp nhận qua "
                            "Bộ phận Một cửa", "Không thuộc thẩm quyền giải quyết của Sở"))
    text = text_of(refusal_pdf(form))
    assert_all(text, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
               "1. Hồ sơ có nội dung thuộc bí mật nhà nước",
               "2. Không thuộc thẩm quyền giải quyết của Sở", "Nguyễn Thị Hường")


def test_apology_gives_reason_and_new_return_time() -> None:
    """R11.3 (Art. 19.6): the late letter (Mẫu 04) has the reason and the new return time."""
    form = Apology(office=OFFICE, code="X-260212-0007", procedure=PROCEDURE,
                   applicant=APPLICANT, received_at=RECEIVED, due_at=DUE,
                   reason="Cần xác minh thông tin tại cơ quan công an tỉnh khác",
                   new_due_at=datetime(2026, 3, 5, 16, 0, tzinfo=VN_TZ),
                   issued_on=date(2026, 2, 24),
                   signer=Signer("KT. Giám đốc\nPhó Giám đốc", "Phạm Quang Vinh",
                                 "(Ký, ghi rõ họ tên và đóng dấu)"), number="15/STP-MC")
    text = text_of(apology_pdf(form))
    assert_all(text, "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN", "Kính gửi: Nguyễn Thị Hường",
               "Cần xác minh thông tin tại cơ quan công an tỉnh khác",
               "16 giờ 00 phút, ngày 05/03/2026", "10 giờ 00 phút, ngày 26/02/2026",
               "Số: 15/STP-MC", "PHÓ GIÁM ĐỐC", "Phạm Quang Vinh", "Nơi nhận:")


def test_stop_notice_names_request_date_and_what_is_returned() -> None:
    """R11.3 (Art. 21): Mẫu 05 shows the withdrawal request's date and the papers returned."""
    form = StopNotice(office=OFFICE, code="X-260212-0007", procedure=PROCEDURE,
                      applicant=APPLICANT, requested_on=date(2026, 2, 18),
                      issued_on=date(2026, 2, 19), signer=Signer("Giám đốc", "Hoàng Minh Tuấn"),
                      returned=("Căn cước công dân (bản sao chứng thực)",),
                      fees="Lệ phí đã nộp không hoàn lại theo quy định")
    text = text_of(stop_notice_pdf(form))
    assert_all(text, "THÔNG BÁO", "Về việc dừng giải quyết hồ sơ",
               "Ngày 18 tháng 02 năm 2026", "Căn cước công dân (bản sao chứng thực)",
               "Lệ phí đã nộp không hoàn lại", "kể từ ngày 19/02/2026", "Hoàng Minh Tuấn")


def test_control_sheet_rows_carry_units_times_and_timeliness() -> None:
    """R11.3: the control sheet (Mẫu 06) shows each hand-over's units, people, time and
    whether it was early, on time or late."""
    at = datetime(2026, 2, 12, 14, 0, tzinfo=VN_TZ)
    sheet = ControlSheet(
        office=OFFICE, code="X-260212-0007", procedure=PROCEDURE, applicant=APPLICANT,
        received_at=RECEIVED, due_at=DUE, handovers=(
            Handover("Bộ phận Một cửa", "Trần Văn Đức", "Phòng Hành chính tư pháp",
                     "Vũ Thị Lan", at, datetime(2026, 2, 13, 17, 0, tzinfo=VN_TZ)),
            Handover("Phòng Hành chính tư pháp", "Vũ Thị Lan", "Công an tỉnh",
                     "Đỗ Văn Khải", datetime(2026, 2, 24, 9, 0, tzinfo=VN_TZ),
                     datetime(2026, 2, 23, 17, 0, tzinfo=VN_TZ), "Liên thông"),
            Handover("Công an tỉnh", "Đỗ Văn Khải", "Phòng Hành chính tư pháp", "Vũ Thị Lan",
                     datetime(2026, 2, 25, 16, 0, tzinfo=VN_TZ),
                     datetime(2026, 2, 25, 17, 0, tzinfo=VN_TZ))))
    text = text_of(control_sheet_pdf(sheet))
    assert_all(text, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Mã hồ sơ: X-260212-0007",
               "Giao: Bộ phận Một cửa", "Nhận: Phòng Hành chính tư pháp", "Vũ Thị Lan",
               "Công an tỉnh", "14:00 12/02/2026", "Trước hạn", "Quá hạn", "Đúng hạn",
               "Liên thông")


@pytest.mark.parametrize(("done", "expected"), [
    (datetime(2026, 2, 13, 8, 0, tzinfo=VN_TZ), "Trước hạn"),
    (datetime(2026, 2, 14, 11, 0, tzinfo=VN_TZ), "Đúng hạn"),
    (datetime(2026, 2, 14, 12, 0, tzinfo=VN_TZ), "Đúng hạn"),
    (datetime(2026, 2, 14, 12, 1, tzinfo=VN_TZ), "Quá hạn"),
])
def test_timeliness_against_the_deadline(done: datetime, expected: str) -> None:
    """Spec §10: before the due day is early, by the due time on time, after it late."""
    assert timeliness(done, datetime(2026, 2, 14, 12, 0, tzinfo=VN_TZ)) == expected
    assert timeliness(done, None) == ""


def test_ledger_has_one_line_per_dossier_with_its_dates() -> None:
    """R11.3: the dossier book (Mẫu 07) lists code, procedure, applicant, lead body and the
    dates received, appointed, sent, result back and returned."""
    row = LedgerRow(code="X-260212-0007", procedure=PROCEDURE, applicant=APPLICANT,
                    lead_body="Sở Tư pháp", received_at=RECEIVED, due_at=DUE,
                    sent_at=datetime(2026, 2, 12, 14, 0, tzinfo=VN_TZ),
                    result_back_at=datetime(2026, 2, 25, 16, 0, tzinfo=VN_TZ),
                    returned_at=datetime(2026, 2, 26, 9, 0, tzinfo=VN_TZ))
    text = text_of(ledger_pdf(Ledger(office=OFFICE, period="Năm 2026", rows=(row,))))
    assert_all(text, "SỔ THEO DÕI HỒ SƠ", "Năm 2026", "Quyển số: 01", "X-260212-0007",
               "Nguyễn Thị Hường", "Sở Tư pháp", "12/02/2026", "26/02/2026", "25/02/2026",
               "Cơ quan chủ trì giải quyết", "Trả kết quả")


def test_transfer_slip_names_each_body_task_and_deadline() -> None:
    """R11.2: a joint dossier goes to the joint-processing bodies with a Phiếu chuyển xử lý
    that names each body's task and deadline (Art. 20.2.a)."""
    slip = TransferSlip(
        office=OFFICE, code="X-260212-0007", procedure=PROCEDURE, applicant=APPLICANT,
        to="Công an tỉnh Bắc Giang", received_at=RECEIVED, due_at=DUE,
        tasks=(JointTask("Sở Tư pháp", "Tiếp nhận, thẩm định, cấp Phiếu",
                         datetime(2026, 2, 26, 10, 0, tzinfo=VN_TZ)),
               JointTask("Công an tỉnh Bắc Giang", "Tra cứu, xác minh thông tin lý lịch",
                         datetime(2026, 2, 20, 17, 0, tzinfo=VN_TZ))),
        issued_on=date(2026, 2, 12), signer=Signer("Người chuyển", "Trần Văn Đức"),
        papers=(Paper("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"),))
    text = text_of(transfer_slip_pdf(slip))
    assert_all(text, "PHIẾU CHUYỂN XỬ LÝ HỒ SƠ", "Kính gửi: Công an tỉnh Bắc Giang",
               "Tra cứu, xác minh thông tin lý lịch", "17:00 20/02/2026",
               "Tiếp nhận, thẩm định, cấp Phiếu", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp")
