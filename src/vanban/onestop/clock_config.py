"""The one-stop clock's inputs from the installation: its rules from the settings (spec §13
``clock.*``) and an agency's calendar, which is vanban's one working-day calendar from
``directory.selectors.work_calendar`` (ADR 0019; ``core/year_schedule.py`` says how it is laid).

Settings (all optional; the defaults are §13's):

- ``VANBAN_ONESTOP_CLOCK_HOURS``: ``"08:00-12:00,13:00-17:00"``;
- ``VANBAN_ONESTOP_CLOCK_CUTOFF``: ``"15:00"`` (empty: no cutoff);
- ``VANBAN_ONESTOP_CLOCK_MODE``: ``"working_time"`` or ``"day_based"``;
- ``VANBAN_ONESTOP_SATURDAY_COUNTS`` (no), ``VANBAN_ONESTOP_MAKEUP_COUNTS`` (yes);
- ``VANBAN_ONESTOP_CLOSURE_DAYS``: 15.

The calendar settings (§13 ``calendar.*``) are vanban-wide: ``VANBAN_CALENDAR_SCHEDULED_YEARS``
and ``VANBAN_CALENDAR_EXTRA_HOLIDAYS``, with ``VANBAN_ONESTOP_SCHEDULED_YEARS`` and
``VANBAN_ONESTOP_EXTRA_HOLIDAYS`` still accepted (``directory/calendar_settings.py``).

A bad value stops with ``ImproperlyConfigured`` naming the setting.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from vanban.directory.selectors import work_calendar
from vanban.onestop.core.calendar_schedule import ClockCalendar
from vanban.onestop.core.clock import DEFAULT_RULES, ClockRules, Mode

DEFAULT_HOURS = "08:00-12:00,13:00-17:00"


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _time(text: str, name: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError as err:
        raise ImproperlyConfigured(f"{name}: {text!r} is not HH:MM") from err


def _sessions(text: str) -> tuple[tuple[time, time], ...]:
    name = "VANBAN_ONESTOP_CLOCK_HOURS"
    sessions = []
    for part in (p for p in text.split(",") if p.strip()):
        begin, sep, end = part.partition("-")
        if not sep:
            raise ImproperlyConfigured(f"{name}: {part!r} is not HH:MM-HH:MM")
        sessions.append((_time(begin, name), _time(end, name)))
    return tuple(sessions)


def _flag(name: str, default: bool) -> bool:
    value = _setting(name, default)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def clock_rules() -> ClockRules:
    """The clock's rules from the settings, read at each call so tests can override them."""
    cutoff = str(_setting("VANBAN_ONESTOP_CLOCK_CUTOFF", "15:00")).strip()
    mode = str(_setting("VANBAN_ONESTOP_CLOCK_MODE", Mode.WORKING_TIME.value))
    try:
        return ClockRules(
            sessions=_sessions(str(_setting("VANBAN_ONESTOP_CLOCK_HOURS", DEFAULT_HOURS))),
            cutoff=_time(cutoff, "VANBAN_ONESTOP_CLOCK_CUTOFF") if cutoff else None,
            saturday_counts=_flag("VANBAN_ONESTOP_SATURDAY_COUNTS", DEFAULT_RULES.saturday_counts),
            makeup_counts=_flag("VANBAN_ONESTOP_MAKEUP_COUNTS", DEFAULT_RULES.makeup_counts),
            mode=Mode(mode),
            closure_days=int(_setting("VANBAN_ONESTOP_CLOSURE_DAYS",
                                      DEFAULT_RULES.closure_days)),
        )
    except ValueError as err:
        raise ImproperlyConfigured(f"VANBAN_ONESTOP_CLOCK_*: {err}") from err


def clock_calendar(agency_id: int | None) -> ClockCalendar:
    """The calendar an agency's dossiers are timed on (``None``: the province's): vanban's one
    calendar (public holidays, the shipped yearly schedules, the calendar settings, the
    province's and the agency's own entries), the same workflow deadlines count on."""
    return ClockCalendar(work_calendar(agency_id))


def rules_as_data(rules: ClockRules) -> dict[str, Any]:
    """The rules as JSON, to freeze them on a dossier at acceptance (spec §7)."""
    return {
        "sessions": [[b.isoformat("minutes"), e.isoformat("minutes")] for b, e in rules.sessions],
        "cutoff": rules.cutoff.isoformat("minutes") if rules.cutoff else None,
        "saturday_counts": rules.saturday_counts,
        "makeup_counts": rules.makeup_counts,
        "mode": rules.mode.value,
        "closure_days": rules.closure_days,
    }


def rules_from_data(data: dict[str, Any]) -> ClockRules:
    """The rules frozen by :func:`rules_as_data`; empty data (a dossier not yet accepted, or
    one from before freezing) gives the rules the settings say now."""
    if not data:
        return clock_rules()
    cutoff = data.get("cutoff")
    return ClockRules(
        sessions=tuple((time.fromisoformat(b), time.fromisoformat(e))
                       for b, e in data["sessions"]),
        cutoff=time.fromisoformat(cutoff) if cutoff else None,
        saturday_counts=bool(data["saturday_counts"]),
        makeup_counts=bool(data["makeup_counts"]),
        mode=Mode(data["mode"]),
        closure_days=int(data["closure_days"]),
    )
