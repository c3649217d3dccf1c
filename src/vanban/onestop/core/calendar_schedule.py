"""The one-stop clock's view of vanban's one working-day calendar (spec §7, §13; ADR 0019).

The yearly schedule (:class:`YearSchedule`, :data:`SHIPPED`) and the layering of statutory days,
shipped schedules, recurring extra holidays and operators' entries live in
:mod:`vanban.core.year_schedule`, shared with workflow deadlines, check windows and notices;
they are re-exported here for the clock's callers. What stays here is one-stop only: which
Saturdays a desk could open and which weekend days are make-up days.

Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from vanban.core.workdays import WorkCalendar, public_holiday_name
from vanban.core.year_schedule import SHIPPED, YearSchedule, overlay, shared_calendar

__all__ = ["SHIPPED", "ClockCalendar", "YearSchedule", "overlay"]


@dataclass(frozen=True)
class ClockCalendar:
    """The calendar the one-stop clock reads: the shared calendar (``days``, yearly schedules
    laid in) and the clock's questions about it."""

    days: WorkCalendar

    @classmethod
    def of(cls, calendar: WorkCalendar, *,
           schedules: Mapping[int, YearSchedule] | None = None,
           scheduled_years: Iterable[int] = (),
           extra_holidays: Iterable[tuple[int, int]] = ()) -> ClockCalendar:
        """``calendar`` (operators' days only) with ``schedules`` (default: :data:`SHIPPED`)
        laid beneath its own entries, for a calendar made without the directory (tests,
        benchmarks). The directory's ``work_calendar`` has them already: wrap it as it is,
        ``ClockCalendar(calendar)``, as ``clock_config.clock_calendar`` does."""
        return cls(shared_calendar(calendar, schedules=schedules,
                                   scheduled_years=scheduled_years,
                                   extra_holidays=extra_holidays))

    def is_working_day(self, day: date) -> bool:
        """Whether staff work on ``day`` (make-up days included)."""
        return self.days.is_working_day(day)

    def is_makeup_day(self, day: date) -> bool:
        """A weekend day that is worked (ngày làm bù)."""
        return day.weekday() >= 5 and self.days.is_working_day(day)

    def is_plain_saturday(self, day: date) -> bool:
        """A Saturday that is neither a holiday nor a declared day off (a desk may open)."""
        return (day.weekday() == 5 and day not in self.days.extra_days_off
                and (day.month, day.day) not in self.days.recurring_days_off
                and public_holiday_name(day) is None)

    def provisional(self, year: int) -> bool:
        """True when ``year`` has no yearly schedule: only its statutory days are known."""
        return self.days.provisional(year)

    def day_off_reason(self, day: date) -> str:
        """Why ``day`` is off, in Vietnamese (for an operator checking a dispute)."""
        return self.days.day_off_reason(day)
