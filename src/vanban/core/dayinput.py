"""Dates typed as ``dd/mm/yyyy``, whatever the browser's language (issue 13, observed 9).

A ``type="date"`` input shows the browser locale's order (mm/dd/yyyy in an English browser)
while every Vietnamese paper says dd/mm/yyyy; so dates are plain text inputs with a
``dd/mm/yyyy`` hint, read by one parser that also takes ISO ``yyyy-mm-dd`` (API clients, old
bookmarks). Every form that asks for a day uses :class:`DayField` or :func:`parse_day`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms

from vanban.core.errors import ValidationFailed

DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
DISPLAY = "%d/%m/%Y"
# Browsers compile ``pattern`` with the ``v`` flag, where ``/`` must be escaped inside a class
# (``[/.\-]`` is invalid there and Chromium then ignores the attribute altogether).
PATTERN = r"\d{1,2}[\/.\-]\d{1,2}[\/.\-]\d{4}|\d{4}-\d{2}-\d{2}"


def parse_day(value: str) -> date | None:
    """``dd/mm/yyyy`` (also ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``) or ``yyyy-mm-dd``;
    empty is None; anything else is refused in both languages."""
    value = value.strip()
    if not value:
        return None
    for fmt in DAY_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationFailed(f"Ngày “{value}” không hợp lệ (dd/mm/yyyy).",
                           f"Invalid date “{value}” (dd/mm/yyyy).", code="bad_date")


class DayInput(forms.TextInput):
    """A text input showing ``dd/mm/yyyy``, never the browser's date picker order."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"placeholder": "dd/mm/yyyy", "inputmode": "numeric",
                          "autocomplete": "off", "pattern": PATTERN, "class": "day",
                          **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        """A date shows as ``dd/mm/yyyy``; text typed by the user comes back unchanged."""
        if isinstance(value, date):
            return value.strftime(DISPLAY)
        shown: str | None = super().format_value(value)
        return shown


class DayField(forms.DateField):
    """A date field read with :data:`DAY_FORMATS`, shown with :class:`DayInput`."""

    widget = DayInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", list(DAY_FORMATS))
        super().__init__(**kwargs)
