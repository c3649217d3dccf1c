"""Typed domain errors. Every error a user can cause carries a Vietnamese and an English message;
pages show the one for the active language, the API returns both (RFC 9457 problem details).

Pure Python: no Django import.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of all errors a user can cause. ``code`` is stable for integrators."""

    status: int = 400
    code: str = "invalid"
    # Set once the refusal has been written to the audit log, so it is not recorded twice.
    audited: bool = False

    def __init__(self, vi: str, en: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en
        if code is not None:
            self.code = code
        self.extra = extra

    def message(self, language: str | None) -> str:
        """The message in ``language`` (Vietnamese unless English is asked for)."""
        return self.en if (language or "vi").startswith("en") else self.vi


class ValidationFailed(DomainError):
    """Input that breaks a rule (format, length, required field)."""

    status = 400
    code = "validation_failed"


class NotFound(DomainError):
    """Missing, or belonging to another agency (R1.1: we do not reveal which)."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """The actor's role or agency does not allow the action."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The action clashes with what is stored (duplicate, wrong state)."""

    status = 409
    code = "conflict"


def not_found(what_vi: str, what_en: str) -> NotFound:
    """The standard 'not found' error for an object kind."""
    return NotFound(f"Không tìm thấy {what_vi}.", f"{what_en} not found.")


def forbidden() -> Forbidden:
    """The standard 'not allowed' error."""
    return Forbidden(
        "Bạn không có quyền thực hiện thao tác này.",
        "You are not allowed to perform this action.",
    )
