"""The installation's settings for vanban's one working-day calendar (ADR 0019).

Read at each call so tests can override them; a bad value stops with ``ImproperlyConfigured``
naming the setting. Each neutral name has the older one-stop name as an accepted alias: both are
read and their values joined, so a configuration written for the one-stop clock keeps working.

- ``VANBAN_CALENDAR_EXTRA_HOLIDAYS`` (alias ``VANBAN_ONESTOP_EXTRA_HOLIDAYS``): recurring days
  off as ``dd/mm`` (``"24/11,10/12"``);
- ``VANBAN_CALENDAR_SCHEDULED_YEARS`` (alias ``VANBAN_ONESTOP_SCHEDULED_YEARS``): years whose
  schedule the operators entered on the calendar page, beyond the shipped ones (``"2027"``);
- ``VANBAN_CALENDAR_NATIONAL_DAY_ADJACENT``: the day joining 2/9 where it differs from the
  shipped schedule, as ``dd/mm/yyyy`` (``"03/09/2026"``).
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALIASES = {
    "VANBAN_CALENDAR_EXTRA_HOLIDAYS": "VANBAN_ONESTOP_EXTRA_HOLIDAYS",
    "VANBAN_CALENDAR_SCHEDULED_YEARS": "VANBAN_ONESTOP_SCHEDULED_YEARS",
}


def _parts(name: str) -> list[tuple[str, str]]:
    """The comma-separated parts of ``name`` and of its alias, each with the name it came from."""
    parts: list[tuple[str, str]] = []
    for source in (name, ALIASES.get(name)):
        if source is None:
            continue
        text = str(getattr(settings, source, "") or "")
        parts += [(source, p.strip()) for p in text.split(",") if p.strip()]
    return parts


def extra_holidays() -> list[tuple[int, int]]:
    """Recurring extra days off, as (month, day) pairs."""
    days: list[tuple[int, int]] = []
    for source, part in _parts("VANBAN_CALENDAR_EXTRA_HOLIDAYS"):
        day, _, month = part.partition("/")
        try:
            pair = (int(month), int(day))
            date(2024, *pair)  # a leap year, so 29/02 is a day
        except (ValueError, TypeError) as err:
            raise ImproperlyConfigured(
                f"{source}: {part!r} không phải dd/mm (is not dd/mm)") from err
        days.append(pair)
    return days


def scheduled_years() -> list[int]:
    """Years whose yearly schedule the operators entered themselves."""
    years: list[int] = []
    for source, part in _parts("VANBAN_CALENDAR_SCHEDULED_YEARS"):
        try:
            years.append(int(part))
        except ValueError as err:
            raise ImproperlyConfigured(
                f"{source}: {part!r} không phải một năm (is not a year)") from err
    return years


def national_day_adjacent() -> list[date]:
    """The days joining 2/9 that differ from the shipped schedule (01/09 or 03/09 of a year)."""
    days: list[date] = []
    for source, part in _parts("VANBAN_CALENDAR_NATIONAL_DAY_ADJACENT"):
        try:
            day = datetime.strptime(part, "%d/%m/%Y").date()
        except ValueError as err:
            raise ImproperlyConfigured(
                f"{source}: {part!r} không phải dd/mm/yyyy (is not dd/mm/yyyy)") from err
        if (day.month, day.day) not in {(9, 1), (9, 3)}:
            raise ImproperlyConfigured(
                f"{source}: {part!r} không phải 01/09 hay 03/09 (is not 01/09 or 03/09)")
        days.append(day)
    return days
