"""What each printed form needs, as plain frozen dataclasses.

The views fill these from the dossier (through the selectors); the renderers read only these,
so every form can be drawn and checked without a database. Times are timezone-aware and are
printed in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Office:
    """The issuing desk: the header's top-left block and the place on the date line."""

    name: str
    """The agency (cơ quan giải quyết or the desk's own agency), printed in capitals, bold."""
    parent_name: str = ""
    """The governing body (cơ quan chủ quản) above it; empty for a province."""
    desk_name: str = "Bộ phận Một cửa"
    """The desk under the agency name, as the regulation's templates show it."""
    place: str = ""
    """Place name on the date line: ``Bắc Giang, ngày 05 tháng 12 năm 2026``."""
    phone: str = ""
    """The desk's telephone, for the applicant's questions."""


@dataclass(frozen=True)
class Applicant:
    """The person or organisation the dossier belongs to."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Paper:
    """One document of the dossier (thành phần hồ sơ)."""

    name: str
    form: str = "Bản chính"
    """Bản chính, bản sao, bản sao chứng thực, bản điện tử."""
    quantity: int = 1
    note: str = ""


@dataclass(frozen=True)
class Signer:
    """A signature block: the title line, the hint, and the name under the space to sign."""

    title: str
    name: str = ""
    hint: str = "(Ký và ghi rõ họ tên)"


@dataclass(frozen=True)
class Receipt:
    """Mẫu 01, Giấy tiếp nhận hồ sơ và hẹn trả kết quả: everything the applicant keeps."""

    office: Office
    code: str
    procedure: str
    applicant: Applicant
    papers: tuple[Paper, ...]
    limit_text: str
    """The procedure's time as printed, e.g. ``05 ngày làm việc``."""
    received_at: datetime
    due_at: datetime | None
    """None for a same-day result handed over at the counter."""
    return_place: str
    return_method: str = "Trực tiếp tại Bộ phận Một cửa"
    fees: str = "Không"
    sets: int = 1
    register_book: str = ""
    register_number: str = ""
    officer: str = ""
    tracking_url: str = ""
    """Where the applicant tracks the dossier; printed and drawn as a QR code."""
    tracking_secret: str = ""
    """The secret that, with the code, opens the dossier on the citizen portal."""
    number: str = ""
    issued_on: date | None = None


@dataclass(frozen=True)
class Missing:
    """One item the applicant must add or correct (Mẫu 02)."""

    name: str
    reason: str = ""


@dataclass(frozen=True)
class SupplementRequest:
    """Mẫu 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: the full list of what is missing."""

    office: Office
    procedure: str
    applicant: Applicant
    missing: tuple[Missing, ...]
    issued_on: date
    code: str = ""
    """Empty at the counter (no code before acceptance); the code after appraisal."""
    reason: str = ""
    contact: str = ""
    """Who the applicant asks when in doubt, with a telephone."""
    officer: str = ""
    number: str = ""


@dataclass(frozen=True)
class Refusal:
    """Mẫu 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ: the reasons, each on its own line."""

    office: Office
    procedure: str
    applicant: Applicant
    reasons: tuple[str, ...]
    issued_on: date
    code: str = ""
    officer: str = ""
    number: str = ""


@dataclass(frozen=True)
class Apology:
    """Mẫu 04, Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết."""

    office: Office
    code: str
    procedure: str
    applicant: Applicant
    received_at: datetime
    due_at: datetime
    reason: str
    new_due_at: datetime
    issued_on: date
    signer: Signer
    number: str = ""
    copies_to: tuple[str, ...] = ("Như trên", "Lưu: VT")


@dataclass(frozen=True)
class StopNotice:
    """Mẫu 05, Thông báo dừng giải quyết hồ sơ: on the applicant's withdrawal request."""

    office: Office
    code: str
    procedure: str
    applicant: Applicant
    requested_on: date
    issued_on: date
    signer: Signer
    returned: tuple[str, ...] = ()
    """The papers handed back to the applicant."""
    fees: str = ""
    """What happens to fees already paid, per the sector's law."""
    reason: str = ""
    number: str = ""
    copies_to: tuple[str, ...] = ("Như trên", "Lưu: VT")


@dataclass(frozen=True)
class Handover:
    """One hand-over of the dossier on the control sheet (Mẫu 06)."""

    giver_unit: str
    giver: str
    receiver_unit: str
    receiver: str
    at: datetime
    deadline: datetime | None = None
    """When the giving step was due; the outcome column compares the hand-over with it."""
    note: str = ""


@dataclass(frozen=True)
class ControlSheet:
    """Mẫu 06, Phiếu kiểm soát quá trình giải quyết hồ sơ."""

    office: Office
    code: str
    procedure: str
    applicant: Applicant
    received_at: datetime
    due_at: datetime | None
    handovers: tuple[Handover, ...]


@dataclass(frozen=True)
class LedgerRow:
    """One line of the dossier book (Mẫu 07)."""

    code: str
    procedure: str
    applicant: Applicant
    lead_body: str
    received_at: datetime
    due_at: datetime | None = None
    sent_at: datetime | None = None
    result_back_at: datetime | None = None
    returned_at: datetime | None = None
    sets: int = 1
    note: str = ""


@dataclass(frozen=True)
class Ledger:
    """Mẫu 07, Sổ theo dõi hồ sơ, for one desk and period."""

    office: Office
    period: str
    """As printed on the cover, e.g. ``Năm 2026`` or ``Từ 01/01/2026 đến 30/06/2026``."""
    rows: tuple[LedgerRow, ...]
    book: str = "01"


@dataclass(frozen=True)
class JointTask:
    """A body's part in a joint (liên thông) procedure, on the Phiếu chuyển xử lý."""

    body: str
    task: str
    deadline: datetime | None = None


@dataclass(frozen=True)
class TransferSlip:
    """Phiếu chuyển xử lý: hands a joint dossier to the next body with each body's task."""

    office: Office
    code: str
    procedure: str
    applicant: Applicant
    to: str
    received_at: datetime
    due_at: datetime | None
    tasks: tuple[JointTask, ...]
    issued_on: date
    signer: Signer
    papers: tuple[Paper, ...] = field(default=())
    note: str = ""
    number: str = ""
