"""The mail rule of R4.1 as pure judging: may this message be filed, and if not, why.

Pure Python: no Django import. The service gathers the facts that need the database or the key
table (is the sender a registered clerk mailbox, what did DKIM say) and this module decides,
so every rule is testable without a server. Reasons carry a stable ``code`` and the text in
Vietnamese and English; the quarantine list shows them and ``vanban mail import --json``
prints them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from vanban.mailgate.core.message import ParsedMail, Part, domain_of

PDF_MAGIC = b"%PDF-"

REASONS: dict[str, tuple[str, str]] = {
    "malformed": ("Thư có cấu trúc MIME hỏng, không đọc chắc chắn được các tệp đính kèm "
                  "({detail}).",
                  "The message's MIME structure is malformed; its attachments cannot be read "
                  "reliably ({detail})."),
    "no_sender": ("Thư không có (đúng một) địa chỉ người gửi hợp lệ.",
                  "The message has no single valid sender address."),
    "unknown_sender": ("Người gửi {detail} không phải hộp thư văn thư đã đăng ký của một cơ "
                       "quan trong danh bạ.",
                       "The sender {detail} is not the registered clerk mailbox of an agency in "
                       "the directory."),
    "envelope_mismatch": ("Địa chỉ gửi thực tế (Return-Path {detail}) khác địa chỉ người gửi "
                          "ghi trong thư.",
                          "The envelope sender (Return-Path {detail}) differs from the From "
                          "address."),
    "dkim_missing": ("Thư không có chữ ký DKIM của hệ thống thư công vụ tỉnh.",
                     "The message carries no DKIM signature of the provincial mail system."),
    "dkim_failed": ("Chữ ký DKIM của thư không hợp lệ ({detail}): thư có thể đã bị sửa.",
                    "The message's DKIM signature does not verify ({detail}): it may have been "
                    "altered."),
    "forged_from": ("Địa chỉ người gửi không khớp với miền hoặc hộp thư đã ký DKIM ({detail}); "
                    "đây là mạo danh.",
                    "The From address does not match the DKIM signing domain or mailbox "
                    "({detail}); this is impersonation."),
    "dkim_no_identity": ("Chữ ký DKIM chỉ nêu miền ({detail}), không nêu hộp thư gửi (i=): bất "
                         "kỳ hộp thư nào của miền này cũng có thể ký như vậy, nên không chứng "
                         "minh thư gửi từ hộp thư văn thư.",
                         "The DKIM signature names only the domain ({detail}), not the sending "
                         "mailbox (i=): any mailbox of that domain could sign so, so it does "
                         "not prove the message came from the clerk mailbox."),
    "mailbox_disabled": ("Hộp thư gửi {detail} đã bị khoá hoặc không phải hộp thư văn thư "
                         "đang hoạt động.",
                         "The sending mailbox {detail} is disabled or is not an active clerk "
                         "mailbox."),
    "classified": ("Thư mang dấu độ mật “{detail}”: văn bản mật không được nhận qua hệ thống "
                   "điện tử (QĐ 133/2015, Điều 3 khoản 1).",
                   "The message carries the classification “{detail}”: classified documents "
                   "may not be received electronically (Decision 133/2015, Art. 3.1)."),
    "no_document": ("Thư không có tệp PDF văn bản đính kèm.",
                    "The message has no PDF document attached."),
    "too_large": ("Tệp đính kèm “{detail}” vượt giới hạn {limit} MB của cổng thư.",
                  "The attachment “{detail}” exceeds the mail gateway's limit of {limit} MB."),
    "malware": ("Tệp đính kèm chứa mã độc: {detail}",
                "An attachment carries malware: {detail_en}"),
    "intake_refused": ("Tệp đính kèm bị từ chối: {detail}",
                       "An attachment was refused: {detail_en}"),
    "signature_invalid": ("Chữ ký số trên văn bản không hợp lệ: {detail}",
                          "The document's digital signature is invalid: {detail_en}"),
    "wrong_mailbox": ("Thư không gửi tới hộp thư của cơ quan nhận ({detail}).",
                      "The message was not addressed to a receiving agency's mailbox "
                      "({detail})."),
    "internal_error": ("Cổng thư đã đọc thư này {limit} lần mà lần nào cũng không xử lý được "
                       "(lỗi {detail}). Quản trị viên cần xem nhật ký của cổng thư; sửa xong "
                       "thì bấm “Xét lại” để nhận thư.",
                       "The mail gateway read this message {limit} times and failed to handle "
                       "it each time (error {detail}). The administrator should look at the "
                       "gateway's log; once the fault is fixed, “Xét lại” (judge again) "
                       "files it."),
}


@dataclass(frozen=True)
class Reason:
    """Why a message is refused."""

    code: str
    vi: str
    en: str
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON form (the quarantine row, the command's output)."""
        return asdict(self)


def reason(code: str, detail: str = "", *, detail_en: str = "", limit: str = "") -> Reason:
    """The reason ``code`` with its message filled in."""
    vi, en = REASONS[code]
    return Reason(code, vi.format(detail=detail, limit=limit, detail_en=detail_en or detail),
                  en.format(detail=detail, limit=limit, detail_en=detail_en or detail),
                  detail[:300])


@dataclass(frozen=True)
class Dkim:
    """What DKIM verification said: ``status`` pass, fail or none; the signing domain (d=),
    selector (s=) and identity (i=, empty when the signature names none) of the signature that
    was checked; ``identity_required``: the key table says this key's signatures must name the
    sending mailbox (i=), as vanban's own do."""

    status: str
    domain: str = ""
    selector: str = ""
    identity: str = ""
    detail: str = ""
    identity_required: bool = True

    @property
    def evidence(self) -> str:
        """``pass d=… s=…`` as kept with the arrival."""
        return f"{self.status} d={self.domain} s={self.selector}".strip()


# Markings of R3.1 on a document or a message: the stamp words in capitals (as printed), or
# "Độ mật: …" in any case. Lower-case "mật" alone ("bảo mật", "mật khẩu") is ordinary Vietnamese.
_STAMP = re.compile(r"(?<![\w])(TUYỆT MẬT|TỐI MẬT|MẬT)(?![\w])")
_LABELLED = re.compile(r"độ\s+mật\s*[:：]\s*(tuyệt mật|tối mật|mật)", re.IGNORECASE)
_CLASSIFICATION_VALUES = {"mat": "MẬT", "toi_mat": "TỐI MẬT", "tuyet_mat": "TUYỆT MẬT"}


def classified_marking(mail: ParsedMail) -> str:
    """The classification marking found in the subject, the X-Vanban headers or the body text
    (empty when none)."""
    declared = mail.headers.get("x-vanban-classification", "").strip().lower()
    if declared and declared not in ("thuong", "thường", "normal"):
        return _CLASSIFICATION_VALUES.get(declared, declared.upper())
    for raw in (mail.subject, mail.body_text, *mail.headers.values()):
        text = unicodedata.normalize("NFC", raw)
        found = _STAMP.search(text) or _LABELLED.search(text)
        if found:
            return found.group(1).upper()
    return ""


def documents(parts: Sequence[Part]) -> list[Part]:
    """The attachments to file, each file once (the same bytes twice in a message are filed
    once): PDFs first in their order, other files after."""
    seen: set[str] = set()
    unique: list[Part] = []
    for part in parts:
        if part.sha256 in seen or not part.data:
            continue
        seen.add(part.sha256)
        unique.append(part)
    return [p for p in unique if is_pdf(p)] + [p for p in unique if not is_pdf(p)]


def is_pdf(part: Part) -> bool:
    """By content, not by name."""
    return part.data[:1024].lstrip().startswith(PDF_MAGIC)


def too_large(mail: ParsedMail, *, max_attachment_bytes: int) -> list[Reason]:
    """The refusal of a message whose size alone exceeds what any attachment within the limit
    could make (base64 grows by a third): judged on its headers, the body is never parsed."""
    megabytes = f"{max_attachment_bytes / (1024 * 1024):.0f}"
    size = f"{mail.size / (1024 * 1024):.0f} MB"
    return [reason("too_large", f"{mail.subject or mail.message_id} ({size})", limit=megabytes)]


def max_message_bytes(max_attachment_bytes: int) -> int:
    """The largest message that can carry attachments within the limit."""
    return max_attachment_bytes * 4 // 3 + 2 * 1024 * 1024


def judge_message(mail: ParsedMail, *, sender_known: bool, dkim: Dkim,
                  max_attachment_bytes: int) -> list[Reason]:
    """Every reason to refuse ``mail`` before its files are opened; empty: may be filed."""
    if mail.defects:
        return [reason("malformed", "; ".join(mail.defects)[:200])]
    if not mail.from_address:
        return [reason("no_sender")]
    found: list[Reason] = []
    if not sender_known:
        found.append(reason("unknown_sender", mail.from_address))
    if mail.return_path and mail.return_path != mail.from_address:
        found.append(reason("envelope_mismatch", mail.return_path))
    found.extend(_dkim_reasons(mail.from_address, dkim))
    marking = classified_marking(mail)
    if marking:
        found.append(reason("classified", marking))
    files = documents(mail.attachments)
    megabytes = f"{max_attachment_bytes / (1024 * 1024):.0f}"
    found.extend(reason("too_large", p.name or p.sha256[:12], limit=megabytes)
                 for p in files if len(p.data) > max_attachment_bytes)
    if not any(is_pdf(p) for p in files):
        found.append(reason("no_document"))
    return found


def _dkim_reasons(sender: str, dkim: Dkim) -> list[Reason]:
    """R4.1: a DKIM signature of the province, by the sender's own domain and mailbox.

    The mailbox is proved by the signed identity ``i=`` naming the From address exactly. A
    signature naming only the domain (no i=, or ``i=@domain``) proves the domain, not the
    mailbox: any personal mailbox of the domain could pose as the clerk's. It is accepted only
    for a key whose table entry does not require the identity (servers that sign d= only).
    """
    if dkim.status == "none":
        return [reason("dkim_missing")]
    if dkim.status != "pass":
        return [reason("dkim_failed", dkim.detail or dkim.status)]
    if dkim.domain.lower() != domain_of(sender):
        return [reason("forged_from", f"From {domain_of(sender)}, d={dkim.domain}")]
    identity = dkim.identity.lower()
    local = identity.partition("@")[0] if "@" in identity else ""
    if local and identity != sender:
        return [reason("forged_from", f"From {sender}, i={identity}")]
    if not local and dkim.identity_required:
        return [reason("dkim_no_identity", f"d={dkim.domain} s={dkim.selector}")]
    return []
