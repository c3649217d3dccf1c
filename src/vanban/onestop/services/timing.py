"""The one-stop clock applied to a dossier: the agency's calendar and the clock rules from the
installation's settings (``clock_config``), handed to the pure ``core/clock.py``. A dossier
keeps the rules it was accepted under, so a later settings edit never moves its times."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from vanban.onestop.clock_config import clock_calendar, rules_from_data
from vanban.onestop.core.calendar_schedule import ClockCalendar
from vanban.onestop.core.clock import ClockRules, Limit, Unit
from vanban.onestop.core.clock import due_at as clock_due_at
from vanban.onestop.models import Dossier, Procedure


def calendar_of(agency_id: int) -> ClockCalendar:
    """The agency's working-time calendar: vanban's one calendar (statutory days, shipped
    yearly schedules, calendar settings, the province's and its own days; ADR 0019)."""
    return clock_calendar(agency_id)


def rules_of(dossier: Dossier) -> ClockRules:
    """The rules frozen on the dossier at acceptance, or today's settings before that."""
    return rules_from_data(dossier.clock_rules)


def limit_of(procedure: Procedure) -> Limit:
    """The procedure's time limit (thời hạn giải quyết)."""
    return Limit(procedure.limit_value, Unit(procedure.limit_unit))


def step_deadline(start: datetime, value: Decimal, unit: str, agency_id: int,
                  rules: ClockRules | None = None) -> datetime:
    """When a step started at ``start`` is due (its own time on the agency's calendar, under
    the dossier's frozen ``rules``; the settings' rules when none are given)."""
    return clock_due_at(start, Limit(value, Unit(unit)), calendar_of(agency_id),
                        rules if rules is not None else rules_from_data({}))
