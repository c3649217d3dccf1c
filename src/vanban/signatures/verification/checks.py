"""The checks of an incoming PDF (R4.2, R4.3) and what a clerk reads when one fails.

Pure Python: no Django import. Each check has a stable ``code`` (pages, the API and the inbox
filter on it), a ``status`` and a message in Vietnamese and English.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Outcome of one check. A warning never makes the document invalid."""

    PASS = "pass"  # noqa: S105 (a check outcome, not a password)
    FAIL = "fail"
    WARNING = "warning"
    SKIPPED = "skipped"


class Code(StrEnum):
    """The checks, in the order they run and are shown."""

    WELL_FORMED = "well_formed"
    SIGNATURE_PRESENT = "signature_present"
    INTACT = "intact"
    COVERAGE = "coverage"
    TRUSTED_CHAIN = "trusted_chain"
    VALIDITY_PERIOD = "validity_period"
    NOT_REVOKED = "not_revoked"
    SENDER_CERTIFICATE = "sender_certificate"
    SIGNING_TIME = "signing_time"
    MARK_POSITION = "mark_position"


ORDER: tuple[Code, ...] = tuple(Code)

#: What each check means when it passes (shown beside a green tick).
PASSED: dict[Code, tuple[str, str]] = {
    Code.WELL_FORMED: ("Tệp PDF đọc được, không hỏng, không mã hoá.",
                       "The PDF is readable, not damaged, not encrypted."),
    Code.SIGNATURE_PRESENT: ("Tệp có chữ ký số.", "The file carries a digital signature."),
    Code.INTACT: ("Nội dung đã ký không bị thay đổi.", "The signed content is unchanged."),
    Code.COVERAGE: ("Chữ ký bao trùm toàn bộ tệp; không có gì được thêm sau khi ký.",
                    "The signature covers the whole file; nothing was added after signing."),
    Code.TRUSTED_CHAIN: ("Chứng thư số do CA gốc được tin cậy cấp.",
                         "The certificate chains to a trusted root."),
    Code.VALIDITY_PERIOD: ("Chứng thư số còn hạn tại thời điểm ký.",
                           "The certificate was within its validity at signing time."),
    Code.NOT_REVOKED: ("Chứng thư số chưa bị thu hồi tại thời điểm ký.",
                       "The certificate was not revoked at signing time."),
    Code.SENDER_CERTIFICATE: ("Chứng thư số đã đăng ký cho cơ quan gửi.",
                              "The certificate is registered to the sending agency."),
    Code.SIGNING_TIME: ("Thời điểm ký: {time}.", "Signing time: {time}."),
    Code.MARK_POSITION: ("Dấu chữ ký hiển thị ở góc dưới bên trái trang đầu.",
                         "The visible signature mark is at the bottom left of page 1."),
}

#: Why a check failed (or warns), by reason; ``{...}`` fields come from the check's params.
REASONS: dict[str, tuple[str, str]] = {
    "no_signature": ("Tệp không có chữ ký số; văn bản điện tử phải được ký số.",
                     "The file carries no digital signature; an electronic document must be "
                     "signed."),
    "unreadable_signature": ("Chữ ký số trong tệp bị hỏng, không đọc được.",
                             "The digital signature in the file is damaged and cannot be read."),
    "tampered": ("Nội dung tệp đã bị thay đổi sau khi ký; không dùng được văn bản này.",
                 "The file was changed after it was signed; this document cannot be used."),
    "bad_signature_value": ("Giá trị chữ ký không khớp với chứng thư số của người ký.",
                            "The signature value does not match the signer's certificate."),
    "modified_after_signing": (
        "Tệp đã bị thêm hoặc sửa nội dung sau khi ký ({level}); chữ ký không còn bao trùm "
        "văn bản hiện tại.",
        "Content was added or changed after signing ({level}); the signature no longer covers "
        "the current document."),
    "partial_coverage": ("Chữ ký chỉ bao một phần tệp.",
                         "The signature covers only part of the file."),
    "docmdp_violated": ("Tệp đã bị sửa theo cách mà người ký không cho phép.",
                        "The file was changed in a way the signer did not permit."),
    "untrusted": ("Chứng thư số không do CA gốc được tin cậy cấp (CA lạ hoặc chưa đăng ký).",
                  "The certificate does not chain to a trusted root (unknown or unregistered "
                  "CA)."),
    "not_for_signing": ("Chứng thư số không được phép dùng để ký văn bản.",
                        "The certificate may not be used to sign documents."),
    "expired": ("Chứng thư số đã hết hạn ngày {not_after} trước thời điểm ký.",
                "The certificate expired on {not_after}, before the signing time."),
    "not_yet_valid": ("Chứng thư số chưa có hiệu lực tại thời điểm ký (từ {not_before}).",
                      "The certificate was not yet valid at signing time (from {not_before})."),
    "revoked": ("Chứng thư số đã bị thu hồi ngày {revoked_at}, trước thời điểm ký.",
                "The certificate was revoked on {revoked_at}, before the signing time."),
    "ca_revoked": ("Chứng thư của CA cấp cho người ký đã bị thu hồi trước thời điểm ký.",
                   "The issuing CA's certificate was revoked before the signing time."),
    "revocation_unknown": (
        "Không xác định được tình trạng thu hồi của chứng thư số (không có CRL/OCSP còn hiệu "
        "lực); hãy thử lại sau.",
        "The revocation status of the certificate cannot be determined (no current CRL or OCSP "
        "response); try again later."),
    "other_agency": ("Văn bản được ký bằng chứng thư số của {agency}, không phải của cơ quan "
                     "gửi; đây là mạo danh.",
                     "The document is signed with the certificate of {agency}, not of the "
                     "sending agency; this is impersonation."),
    "not_served_by_peer": ("Văn bản đến từ hệ thống liên thông “{peer}”, nhưng cơ quan gửi "
                           "{agency} không do hệ thống đó phục vụ; đây là mạo danh.",
                           "The document came from the peer installation “{peer}”, but the "
                           "sending agency {agency} is not served by it; this is impersonation."),
    "not_local": ("Văn bản đến qua trục liên thông của hệ thống này, nhưng cơ quan gửi {agency} "
                  "không thuộc hệ thống này; đây là mạo danh.",
                  "The document came through this installation's hub, but the sending agency "
                  "{agency} is not served by this installation; this is impersonation."),
    "unregistered": ("Chứng thư số của người ký chưa được đăng ký cho cơ quan gửi.",
                     "The signer's certificate is not registered to the sending agency."),
    "time_claimed": ("Thời điểm ký {time} do người ký tự khai (không có dấu thời gian).",
                     "Signing time {time} as claimed by the signer (no time-stamp)."),
    "time_unknown": ("Chữ ký không ghi thời điểm ký.", "The signature records no signing time."),
    "time_in_future": ("Thời điểm ký {time} ở sau thời điểm nhận; chữ ký không đáng tin.",
                       "The signing time {time} is after the time of receipt; the signature "
                       "cannot be trusted."),
    "signed_after_moment": (
        "Thời điểm ký {time} ở sau thời điểm kiểm tra {moment}: khi đó văn bản chưa được ký.",
        "The signing time {time} is after the moment checked, {moment}: the document was not "
        "signed yet then."),
    "revoked_after_signing": (
        "Chứng thư số bị thu hồi ngày {revoked_at} (lý do: {why_vi}), sau thời điểm chữ ký đã "
        "được chứng minh là tồn tại ({time}); việc thu hồi không làm mất hiệu lực chữ ký này.",
        "The certificate was revoked on {revoked_at} (reason: {why}), after the time the "
        "signature is proven to have existed ({time}); the revocation does not invalidate "
        "it."),
    "revoked_after_moment": (
        "Chứng thư số bị thu hồi ngày {revoked_at} (lý do: {why_vi}), sau thời điểm kiểm tra "
        "{moment}; tại thời điểm đó chứng thư chưa bị thu hồi.",
        "The certificate was revoked on {revoked_at} (reason: {why}), after the moment "
        "checked, {moment}; it was not revoked at that moment."),
    "bad_timestamp": ("Dấu thời gian gắn với chữ ký không hợp lệ hoặc không được tin cậy.",
                      "The time-stamp on the signature is invalid or not trusted."),
    "mark_elsewhere": ("Dấu chữ ký hiển thị không ở góc dưới bên trái trang đầu (quy định "
                       "của tỉnh).",
                       "The visible signature mark is not at the bottom left of page 1 (the "
                       "provincial rule)."),
    "mark_missing": ("Chữ ký không có dấu hiển thị trên trang đầu.",
                     "The signature has no visible mark on page 1."),
    "skipped": ("Không kiểm tra vì bước trước không đạt.",
                "Not checked because an earlier check failed."),
}


@dataclass(frozen=True)
class Check:
    """One check's outcome, as stored in :attr:`Verification.checks`."""

    code: str
    status: str
    vi: str
    en: str
    reason: str = ""
    detail: str = ""  # technical cause, for logs and support; not shown to a clerk

    def as_dict(self) -> dict[str, Any]:
        """The JSON form stored in the record."""
        return asdict(self)


def passed(code: Code, **params: str) -> Check:
    """The check passed (``params`` fill the message, e.g. the signing time)."""
    vi, en = PASSED[code]
    return Check(str(code), Status.PASS, vi.format(**params), en.format(**params))


def failed(code: Code, reason: str, *, detail: str = "", warning: bool = False,
           **params: str) -> Check:
    """The check failed (or warns) for ``reason``, one of :data:`REASONS`."""
    vi, en = REASONS[reason]
    status = Status.WARNING if warning else Status.FAIL
    return Check(str(code), status, vi.format(**params), en.format(**params), reason,
                 detail[:300])


def noted(code: Code, reason: str, **params: str) -> Check:
    """The check passed, with a remark the reader must see (``reason``, one of
    :data:`REASONS`): e.g. a revocation that came after the signature and does not count."""
    vi, en = REASONS[reason]
    return Check(str(code), Status.PASS, vi.format(**params), en.format(**params), reason)


def rejected(code: Code, *, vi: str, en: str, reason: str, detail: str = "") -> Check:
    """The check failed with a message made elsewhere (the PDF intake's refusal)."""
    return Check(str(code), Status.FAIL, vi, en, reason, detail[:300])


def complete(checks: list[Check]) -> list[Check]:
    """``checks`` in the standard order, every check not run marked as skipped."""
    done = {c.code: c for c in checks}
    vi, en = REASONS["skipped"]
    return [done.get(str(code)) or Check(str(code), Status.SKIPPED, vi, en, "skipped")
            for code in ORDER]


def is_valid(checks: list[Check]) -> bool:
    """Valid when no check failed (warnings and skipped informative checks allowed)."""
    return not any(c.status == Status.FAIL for c in checks)
