"""The one-stop clock applied to a dossier: the agency's calendar from the directory with the
yearly schedules, and the clock rules, handed to the pure ``core/clock.py``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from vanban.directory.selectors import work_calendar
from vanban.onestop.core.calendar_schedule import ClockCalendar
from vanban.onestop.core.clock import DEFAULT_RULES, Limit, Unit
from vanban.onestop.core.clock import due_at as clock_due_at
from vanban.onestop.models import Procedure


def calendar_of(agency_id: int) -> ClockCalendar:
    """The working-time calendar of the agency (province days, its own days, Tết schedules)."""
    return ClockCalendar.of(work_calendar(agency_id))


def limit_of(procedure: Procedure) -> Limit:
    """The procedure's time limit (thời hạn giải quyết)."""
    return Limit(procedure.limit_value, Unit(procedure.limit_unit))


def step_deadline(start: datetime, value: Decimal, unit: str, agency_id: int) -> datetime:
    """When a step started at ``start`` is due (its own time on the agency's calendar)."""
    return clock_due_at(start, Limit(value, Unit(unit)), calendar_of(agency_id), DEFAULT_RULES)
