"""Vietnamese working days: the one calendar of vanban (R8.1 deadlines, R10.2 checks, notices,
one-stop due dates; ADR 0019).

A day is a working day when it is Monday to Friday, not a public holiday of Viet Nam (Tết and the
others, from the ``holidays`` package, which also knows the substitute days off and the make-up
Saturdays they are swapped with), and not a day the calendar declares off; a Saturday or Sunday
the calendar declares a make-up working day (ngày làm bù) is a working day. The calendar's own
days are the government's yearly schedule (:mod:`vanban.core.year_schedule`) with the province's
and the agency's entries over it; a recurring extra holiday (``dd/mm``) is off every year unless
declared worked. Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _statutory(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """The public holidays of ``year`` and the weekend days the package knows are worked."""
    found = holidays.country_holidays("VN", years=year, language="vi")
    worked = frozenset(d for d in getattr(found, "weekend_workdays", ()) if d.year == year)
    return frozenset(found.keys()), worked


def _public_holidays(year: int) -> frozenset[date]:
    return _statutory(year)[0]


def public_holiday_name(day: date) -> str | None:
    """The Vietnamese name of the public holiday on ``day``, if any."""
    found = holidays.country_holidays("VN", years=day.year, language="vi").get(day)
    return str(found) if found else None


@dataclass(frozen=True)
class WorkCalendar:
    """Public holidays plus declared exceptions (the yearly schedule's, the province's, an
    agency's), recurring extra holidays, and the years whose yearly schedule is known."""

    extra_working_days: frozenset[date] = field(default_factory=frozenset)
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    recurring_days_off: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    """(month, day) pairs off every year unless the calendar declares the date working."""
    scheduled_years: frozenset[int] = field(default_factory=frozenset)
    """Years with a yearly schedule; any other is *provisional* (statutory days only)."""

    @classmethod
    def of(cls, *, working: Iterable[date] = (), off: Iterable[date] = (),
           recurring_off: Iterable[tuple[int, int]] = (),
           scheduled_years: Iterable[int] = ()) -> WorkCalendar:
        """A calendar from the make-up working days and the extra days off."""
        return cls(frozenset(working), frozenset(off), frozenset(recurring_off),
                   frozenset(scheduled_years))

    def is_working_day(self, day: date) -> bool:
        """Whether staff work on ``day``."""
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        if self.recurring_days_off and (day.month, day.day) in self.recurring_days_off:
            return False
        holidays_of_year, worked_weekends = _statutory(day.year)
        if day.weekday() >= 5:
            return day in worked_weekends
        return day not in holidays_of_year

    def provisional(self, year: int) -> bool:
        """True when ``year`` has no yearly schedule: only its statutory days are known."""
        return year not in self.scheduled_years

    def day_off_reason(self, day: date) -> str:
        """Why ``day`` is off, in Vietnamese (for an operator checking a dispute); empty when
        it is a working day."""
        if self.is_working_day(day):
            return ""
        name = public_holiday_name(day)
        if name:
            return name
        if day in self.extra_days_off:
            return "Ngày nghỉ theo lịch năm"
        if (day.month, day.day) in self.recurring_days_off:
            return "Ngày nghỉ lễ bổ sung"
        return "Thứ Bảy" if day.weekday() == 5 else "Chủ nhật"

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (the start day itself not counted).

        A deadline of 0 working days is ``start`` itself when it is a working day, else the
        next working day.
        """
        if days < 0:
            raise ValueError("days must be ≥ 0")
        current = start
        if days == 0:
            while not self.is_working_day(current):
                current += timedelta(days=1)
            return current
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


DEFAULT_CALENDAR = WorkCalendar()
"""Statutory days only (the package's holidays, days in lieu and make-up Saturdays): the bottom
layer of the shared calendar (:func:`vanban.core.year_schedule.shared_calendar`, with the shipped
yearly schedules and the settings), which is what deadlines and the calendar page read."""
