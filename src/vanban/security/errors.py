"""Why a file is refused or waits at a door, in Vietnamese and English (R16.1). ``code`` values
are stable: pages, the API (RFC 9457 problems) and the audit log use them.

Pure Python: no Django import.
"""

from __future__ import annotations

from vanban.core.errors import DomainError, ValidationFailed


def _named(name: str) -> tuple[str, str]:
    return (f"Tệp “{name}”", f"The file “{name}”") if name else ("Tệp", "The file")


class MalwareFound(ValidationFailed):
    """The scanner found malware: the file is refused and nothing is stored."""

    code = "malware_found"

    def __init__(self, *, signature: str, sha256: str, name: str = "") -> None:
        vi, en = _named(name)
        super().__init__(
            f"{vi} chứa mã độc ({signature}); vì lý do an toàn hệ thống không nhận tệp này "
            "và đã ghi lại sự việc.",
            f"{en} contains malware ({signature}); it is refused for security reasons and the "
            "attempt has been recorded.",
            signature=signature, sha256=sha256)
        self.signature = signature
        self.sha256 = sha256


class Unscannable(ValidationFailed):
    """The scanner cannot judge this file (over its size limit): refused, never accepted blind."""

    code = "unscannable"

    def __init__(self, *, detail: str, sha256: str) -> None:
        super().__init__(
            "Không quét được virus cho tệp này (vượt giới hạn của bộ quét); hệ thống không nhận "
            "tệp chưa được quét.",
            "The file cannot be scanned for malware (over the scanner's limit); unscanned files "
            "are not accepted.", sha256=sha256)
        self.detail = detail


class ScannerUnavailable(DomainError):
    """The scanner did not answer. Nothing is accepted unscanned: the sender retries later (a
    peer's outbox does so by itself) or the file waits in quarantine."""

    status = 503
    code = "scanner_unavailable"
    retry_after = 300  # seconds, for the Retry-After header

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Dịch vụ quét mã độc đang tạm ngừng; tệp chưa được nhận. Hệ thống sẽ nhận khi quét "
            "xong — vui lòng gửi lại sau.",
            "The malware scanner is unavailable; the file has not been accepted. Send it again "
            "later.", retry_after=self.retry_after)
        self.detail = detail  # technical cause for logs; not shown to the user


class HeldForScanning(DomainError):
    """The scanner did not answer, so the files wait in quarantine; the action completes (or
    is refused) when ``vanban security rescan`` has scanned them. Not a failure: HTTP 202."""

    status = 202
    code = "held_for_scanning"

    def __init__(self, *, quarantine: str) -> None:
        super().__init__(
            "Tệp đang được giữ lại để quét mã độc (dịch vụ quét tạm ngừng). Thao tác sẽ tự hoàn "
            "tất khi quét xong, hoặc bị từ chối nếu tệp có mã độc.",
            "The file is held for malware scanning (the scanner is unavailable). The action "
            "completes by itself once the file is scanned, or is refused if it carries malware.",
            quarantine=quarantine)
        self.quarantine = quarantine


class RequestTooLarge(DomainError):
    """A request body over the limit, refused before (or while) it is read."""

    status = 413
    code = "request_too_large"

    def __init__(self, *, limit: int) -> None:
        megabytes = f"{limit / (1024 * 1024):.0f} MB"
        super().__init__(
            f"Dữ liệu gửi lên quá lớn; giới hạn cho phép là {megabytes}.",
            f"The upload is too large; the limit is {megabytes}.", limit=limit)
