"""The configured check windows (``VANBAN_CHECK_TIMES``), read once per call so tests can
override the setting."""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from vanban.checks.core import windows
from vanban.core import clock


def check_times() -> tuple[time, ...]:
    """The window end times; a bad value stops the job with a clear message."""
    text = str(getattr(settings, "VANBAN_CHECK_TIMES", windows.DEFAULT_CHECK_TIMES))
    try:
        return windows.parse_check_times(text)
    except ValueError as err:
        raise ImproperlyConfigured(f"VANBAN_CHECK_TIMES={text!r}: {err}") from err


def windows_of(day: date) -> list[windows.Window]:
    """The check windows of a local day."""
    return windows.windows_of(day, check_times(), clock.VN_TZ)


def window_at(moment: datetime) -> windows.Window | None:
    """The window a check made at ``moment`` counts for."""
    return windows.window_at(moment, check_times(), clock.VN_TZ)


def label(index: int, language: str | None = "vi") -> str:
    """A window's name in the page's language."""
    vi, en = windows.window_label(index, len(check_times()))
    return en if (language or "vi").startswith("en") else vi
