"""What a verification of the audit log finds: the kinds of failure, the first failure with its
reason in both languages, the result, and a stored seal as read back. Plain data with no Django
import, shared by the chain verifier, the seal-schedule check and the checkpoint check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class FailureKind(StrEnum):
    """What went wrong, as a stable code for scripts and the API."""

    ALTERED = "altered"
    REMOVED = "removed"
    INSERTED = "inserted"
    SEAL_INVALID = "seal_invalid"
    SEAL_MISMATCH = "seal_mismatch"
    HEAD_MISMATCH = "head_mismatch"
    SEAL_MISSING = "seal_missing"  # the schedule promised a seal that is not there
    REORDERED = "reordered"  # an event was moved to another position
    TRUNCATED = "truncated"  # the log is shorter than a checkpoint that left the machine
    REWRITTEN = "rewritten"  # the chain no longer reaches a checkpoint's head
    CHECKPOINT_INVALID = "checkpoint_invalid"  # the checkpoint itself does not verify
    CHECKPOINT_UNCERTIFIED = "checkpoint_uncertified"  # its key not certified by the root
    RECORD_ALTERED = "record_altered"  # a row differs from the hash its audit event carries
    RECORD_REMOVED = "record_removed"  # an audit event vouches for a row that is gone
    RECORD_UNVOUCHED = "record_unvouched"  # a row no audit event vouches for


@dataclass(frozen=True)
class Failure:
    """The first problem found: the event's ``seq``, its kind and the reason in both languages."""

    seq: int
    kind: FailureKind
    vi: str
    en: str

    def message(self, language: str | None) -> str:
        """The reason in ``language`` (Vietnamese unless English is asked for)."""
        return self.en if (language or "vi").startswith("en") else self.vi


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a verification. ``count`` is the number of events checked."""

    ok: bool
    count: int
    seals: int
    last_seq: int
    last_hash: str
    failure: Failure | None

    def message(self, language: str | None) -> str:
        """One sentence for a person: intact, or the first bad event."""
        if self.failure is not None:
            return self.failure.message(language)
        if (language or "vi").startswith("en"):
            return f"The audit log is intact: {self.count} events and {self.seals} seals checked."
        return (f"Nhật ký kiểm toán nguyên vẹn: đã kiểm tra {self.count} sự kiện và "
                f"{self.seals} dấu niêm phong.")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``vanban audit verify --json``)."""
        data = asdict(self)
        if self.failure is not None:
            data["failure"]["kind"] = str(self.failure.kind)
        return data


@dataclass(frozen=True)
class SealRow:
    """A seal as stored: the signed (seq, hash, time) and who signed it."""

    seq: int
    hash: str
    at_iso: str
    key_id: str
    signature: str
