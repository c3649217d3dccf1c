"""Vietnamese working days (R8.1 deadlines, R10.2 checks, one-stop due dates).

A day is a working day when it is Monday to Friday, not a public holiday of Viet Nam (Tết and the
others, from the ``holidays`` package, which also knows the substitute days off), and not a day
the agency's calendar declares off; a Saturday or Sunday the calendar declares a make-up working
day (ngày làm bù) is a working day. Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year, language="vi").keys())


def public_holiday_name(day: date) -> str | None:
    """The Vietnamese name of the public holiday on ``day``, if any."""
    found = holidays.country_holidays("VN", years=day.year, language="vi").get(day)
    return str(found) if found else None


@dataclass(frozen=True)
class WorkCalendar:
    """Public holidays plus an agency's (or the province's) own exceptions."""

    extra_working_days: frozenset[date] = field(default_factory=frozenset)
    extra_days_off: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, *, working: Iterable[date] = (), off: Iterable[date] = ()) -> WorkCalendar:
        """A calendar from the make-up working days and the extra days off."""
        return cls(frozenset(working), frozenset(off))

    def is_working_day(self, day: date) -> bool:
        """Whether staff work on ``day``."""
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off or day.weekday() >= 5:
            return False
        return day not in _public_holidays(day.year)

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
