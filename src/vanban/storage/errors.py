"""Errors of the blob store. Corruption is not something a user causes, but it must be reported
in both languages like every other error (and ``vanban blobs verify`` names the blob).

Pure Python: no Django import.
"""

from __future__ import annotations

from vanban.core.errors import DomainError


class BlobIntegrityError(DomainError):
    """Stored bytes no longer match their SHA-256 name (tampering, disk fault, lost file)."""

    status = 500
    code = "blob_integrity"

    def __init__(self, vi: str, en: str, *, sha256: str) -> None:
        super().__init__(vi, en, sha256=sha256)
        self.sha256 = sha256


class BlobCorrupted(BlobIntegrityError):
    """The file exists but its content hashes to another value."""

    code = "blob_corrupted"

    def __init__(self, sha256: str, *, actual: str) -> None:
        super().__init__(
            f"Tệp lưu trữ {sha256} đã bị thay đổi hoặc hỏng (băm thực tế {actual}).",
            f"Stored file {sha256} was altered or is corrupted (actual hash {actual}).",
            sha256=sha256,
        )
        self.actual = actual


class BlobMissing(BlobIntegrityError):
    """The database knows the blob but the storage has no file for it."""

    code = "blob_missing"

    def __init__(self, sha256: str) -> None:
        super().__init__(
            f"Không tìm thấy tệp lưu trữ {sha256} trong kho.",
            f"Stored file {sha256} is missing from storage.",
            sha256=sha256,
        )
