"""Cleaning the free text users type (subjects, notes, reasons, titles): one rule everywhere, so
a field refuses the same way in every app. Pure Python: no Django import."""

from __future__ import annotations

from vanban.core.errors import ValidationFailed


def clean_text(value: str | None, limit: int, vi: str, en: str, *,
               required: bool = False) -> str:
    """Whitespace-normalised text within ``limit`` characters; ``vi``/``en`` name the field in
    the error. A missing required value or an over-long one is refused, never cut silently."""
    cleaned = " ".join((value or "").split())
    if required and not cleaned:
        raise ValidationFailed(f"Thiếu {vi}.", f"The {en} is missing.", code="missing_field")
    if len(cleaned) > limit:
        raise ValidationFailed(f"{vi.capitalize()} dài tối đa {limit} ký tự.",
                               f"The {en} has at most {limit} characters.", code="too_long")
    return cleaned
