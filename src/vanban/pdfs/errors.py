"""Why a file is refused at intake, in Vietnamese and English (R3.1 entry points refuse with a
clear reason). ``reason`` is a stable code for pages, the API and the audit log.

Pure Python: no Django import.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from vanban.core.errors import DomainError, ValidationFailed


class Reason(StrEnum):
    """Why a PDF was refused. Values are stable: integrators and audit events use them."""

    TOO_LARGE = "too_large"
    EMPTY = "empty"
    NOT_PDF = "not_pdf"
    ENCRYPTED = "encrypted"
    BROKEN = "broken"
    JAVASCRIPT = "javascript"
    LAUNCH_ACTION = "launch_action"
    EMBEDDED_FILE = "embedded_file"
    SIGNED_PART = "signed_part"
    SUBMIT_FORM = "submit_form"
    OUTSIDE_FILE = "outside_file"
    AUTOMATIC_URI = "automatic_uri"
    DECOMPRESSION_BOMB = "decompression_bomb"


_MESSAGES: dict[Reason, tuple[str, str]] = {
    Reason.TOO_LARGE: ("Tệp quá lớn ({size}); giới hạn cho phép là {limit}.",
                       "The file is too large ({size}); the limit is {limit}."),
    Reason.EMPTY: ("Tệp rỗng hoặc không có trang nào.", "The file is empty or has no pages."),
    Reason.NOT_PDF: ("Tệp không phải là PDF: nội dung là {kind_vi}.",
                     "The file is not a PDF: its content is {kind_en}."),
    Reason.ENCRYPTED: (
        "Tệp PDF được đặt mật khẩu hoặc mã hoá; hãy gỡ mật khẩu rồi tải lên lại.",
        "The PDF is encrypted or password-protected; remove the password and upload it again."),
    Reason.BROKEN: ("Tệp PDF bị hỏng hoặc không đầy đủ; hãy xuất hoặc quét lại tệp.",
                    "The PDF is damaged or incomplete; export or scan it again."),
    Reason.JAVASCRIPT: (
        "Tệp PDF chứa mã JavaScript ({where_vi}); vì lý do an toàn hệ thống không nhận tệp này.",
        "The PDF contains JavaScript ({where_en}); it is refused for security reasons."),
    Reason.LAUNCH_ACTION: (
        "Tệp PDF chứa lệnh mở chương trình hoặc tệp bên ngoài (Launch); "
        "vì lý do an toàn hệ thống không nhận tệp này.",
        "The PDF contains an action that launches a program or an outside file (Launch); "
        "it is refused for security reasons."),
    Reason.EMBEDDED_FILE: (
        "Tệp PDF chứa tệp đính kèm bên trong; hãy đưa phụ lục vào thành các trang của văn bản "
        "để chữ ký số bao trùm toàn bộ.",
        "The PDF carries embedded files; add appendices as pages of the document so that the "
        "digital signature covers everything."),
    Reason.SUBMIT_FORM: (
        "Tệp PDF chứa lệnh gửi dữ liệu biểu mẫu ra ngoài (SubmitForm, {where_vi}); "
        "vì lý do an toàn hệ thống không nhận tệp này.",
        "The PDF contains an action that sends form data elsewhere (SubmitForm, {where_en}); "
        "it is refused for security reasons."),
    Reason.OUTSIDE_FILE: (
        "Tệp PDF chứa lệnh mở hoặc đọc một tệp khác ({action}, {where_vi}); "
        "vì lý do an toàn hệ thống không nhận tệp này.",
        "The PDF contains an action that opens or reads another file ({action}, {where_en}); "
        "it is refused for security reasons."),
    Reason.AUTOMATIC_URI: (
        "Tệp PDF tự động mở một địa chỉ web ({where_vi}) mà người đọc không bấm vào; "
        "vì lý do an toàn hệ thống không nhận tệp này. Liên kết thông thường thì được phép.",
        "The PDF opens a web address by itself ({where_en}), without the reader clicking; "
        "it is refused for security reasons. Ordinary links are allowed."),
    Reason.DECOMPRESSION_BOMB: (
        "Tệp PDF chứa dữ liệu nén bất thường: khi giải nén vượt quá {limit} "
        "(có thể là \"bom nén\"); vì lý do an toàn hệ thống không nhận tệp này. "
        "Hãy xuất hoặc quét lại tệp.",
        "The PDF contains abnormally compressed data that expands past {limit} "
        "(a possible decompression bomb); it is refused for security reasons. "
        "Export or scan it again."),
    Reason.SIGNED_PART: (
        "Không thể ghép tệp đã ký số: chữ ký sẽ mất hiệu lực. Hãy ghép văn bản và phụ lục "
        "trước rồi mới ký.",
        "A signed PDF cannot be merged: its signature would break. Merge the document and its "
        "appendices first, then sign."),
}


class PdfRejected(ValidationFailed):
    """A PDF that must not enter the system, with the ``reason`` and both messages."""

    code = "pdf_rejected"

    def __init__(self, reason: Reason, *, part: int | None = None, detail: str = "",
                 **params: Any) -> None:
        vi, en = _MESSAGES[reason]
        vi, en = vi.format(**params), en.format(**params)
        extra: dict[str, Any] = {"reason": str(reason)}
        if part is not None:
            vi, en = f"Tệp thứ {part}: {vi}", f"File {part}: {en}"
            extra["part"] = part
        super().__init__(vi, en, **extra)
        self.reason = reason
        self.part = part
        self.detail = detail  # technical cause for logs; not shown to the user
        self.params = params

    def in_part(self, part: int) -> PdfRejected:
        """The same refusal, naming which file of several it concerns (1-based)."""
        return PdfRejected(self.reason, part=part, detail=self.detail, **self.params)


class ImageRejected(ValidationFailed):
    """A page image that cannot become a PDF page (wrong format or unreadable)."""

    code = "image_rejected"

    def __init__(self, reason: str, vi: str, en: str, *, page: int | None = None) -> None:
        extra: dict[str, Any] = {"reason": reason}
        if page is not None:
            vi, en = f"Ảnh trang {page}: {vi}", f"Image for page {page}: {en}"
            extra["page"] = page
        super().__init__(vi, en, **extra)
        self.reason = reason
        self.page = page


class RenderFailed(DomainError):
    """The PDF could not be rendered or its text extracted (or the renderer is missing)."""

    status = 422
    code = "pdf_render_failed"


def human_size(size: int) -> str:
    """Bytes as a short human figure (``12.5 MB``)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"
