"""The government's yearly schedule of days off (Tết's span, days in lieu, make-up days) as data,
laid over vanban's shared working-day calendar for the one-stop clock (spec §7, §13).

Where each part of the calendar lives, and why:

- **Statutory days** (Bộ luật Lao động 2019, Art. 112) and the substitute days the ``holidays``
  package knows: :class:`vanban.core.workdays.WorkCalendar`, shared by all of vanban.
- **The yearly schedule** the government announces each year (which weekdays around Tết are off,
  which Saturday is worked in exchange, which day joins 2/9): :data:`SHIPPED` below, one
  :class:`YearSchedule` per known year, shipped with the code so an installation that entered
  nothing still gets 2025 and 2026 right.
- **Operators' entries**: the province's and the agency's ``CalendarDay`` rows in the directory
  (the calendar page), read by ``directory.selectors.work_calendar``. They win over the shipped
  schedule on the same date, so an operator corrects a shipped day (e.g. the 2/9 adjacent day,
  unconfirmed for 2026) without a code change.

A year with neither a shipped schedule nor a setting naming it (``scheduled_years``) is known
only by its statutory days: due dates that reach into it are flagged *provisional*
(``calendar.provisional``). A recurring extra holiday (``calendar.extra_holidays``, e.g. 24/11 if
the Labour Code adds it and the shared calendar does not know it yet) is a (month, day) pair.

Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from vanban.core.workdays import WorkCalendar, public_holiday_name


def _span(first: date, last: date) -> frozenset[date]:
    return frozenset(first + timedelta(days=n) for n in range((last - first).days + 1))


@dataclass(frozen=True)
class YearSchedule:
    """One year's announced days off and make-up working days."""

    year: int
    days_off: frozenset[date] = field(default_factory=frozenset)
    """Weekdays off: Tết's span, days in lieu, the day joining 2/9."""
    working_days: frozenset[date] = field(default_factory=frozenset)
    """Make-up working days (ngày làm bù), or a statutory date moved to another day."""
    source: str = ""
    """Where the schedule comes from, for an operator checking a dispute."""

    def __post_init__(self) -> None:
        stray = {d for d in self.days_off | self.working_days if d.year != self.year}
        if stray:
            raise ValueError(f"days outside {self.year}: {sorted(stray)}")
        if self.days_off & self.working_days:
            raise ValueError("a day cannot be both off and working")

    def with_national_day_adjacent(self, adjacent: date) -> YearSchedule:
        """The same schedule with ``adjacent`` (01/09 or 03/09) as the day joining 2/9: the
        other candidate becomes a working day again (spec §7: unconfirmed, a setting)."""
        candidates = {date(self.year, 9, 1), date(self.year, 9, 3)}
        if adjacent not in candidates:
            raise ValueError("the day joining 2/9 is 01/09 or 03/09")
        other = (candidates - {adjacent}).pop()
        off = (self.days_off - {other}) | {adjacent}
        working = self.working_days - {adjacent}
        if public_holiday_name(other) and other.weekday() < 5:
            working |= {other}
        return YearSchedule(self.year, off, working, self.source)


SHIPPED: Mapping[int, YearSchedule] = {
    2025: YearSchedule(
        2025,
        days_off=_span(date(2025, 1, 27), date(2025, 1, 31)) | {
            date(2025, 5, 2), date(2025, 9, 1)},
        working_days=frozenset({date(2025, 4, 26)}),
        source="Tết 27–31/01; 02/05 nghỉ, làm bù thứ Bảy 26/04; 01–02/09",
    ),
    2026: YearSchedule(
        2026,
        days_off=_span(date(2026, 2, 16), date(2026, 2, 20)) | {
            date(2026, 4, 27), date(2026, 8, 31), date(2026, 9, 1)},
        working_days=frozenset({date(2026, 8, 22)}),
        source="Tết 16–20/02; Giỗ Tổ (Chủ nhật 26/04) nghỉ bù 27/04; 31/08 nghỉ, làm bù thứ "
               "Bảy 22/08; ngày liền kề 2/9: 01/09 (chưa xác nhận, có thể là 03/09)",
    ),
}
"""The yearly schedules shipped with vanban (operators' calendar entries win over them)."""


def overlay(calendar: WorkCalendar, schedules: Iterable[YearSchedule]) -> WorkCalendar:
    """``calendar`` with the ``schedules`` beneath its own exceptions: on a date both name, the
    calendar's entry (an operator's) wins."""
    working: set[date] = set()
    off: set[date] = set()
    for schedule in schedules:
        working |= schedule.working_days
        off |= schedule.days_off
    own_working, own_off = calendar.extra_working_days, calendar.extra_days_off
    return WorkCalendar.of(working=(working - own_off) | own_working,
                           off=(off - own_working) | own_off)


@dataclass(frozen=True)
class ClockCalendar:
    """The calendar the one-stop clock reads: the shared calendar with the yearly schedules laid
    in, and which years are scheduled (the rest are provisional)."""

    days: WorkCalendar
    scheduled_years: frozenset[int] = field(default_factory=frozenset)
    extra_holidays: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    """(month, day) pairs off every year unless the calendar declares the date working."""

    @classmethod
    def of(cls, calendar: WorkCalendar, *,
           schedules: Mapping[int, YearSchedule] | None = None,
           scheduled_years: Iterable[int] = (),
           extra_holidays: Iterable[tuple[int, int]] = ()) -> ClockCalendar:
        """``calendar`` (from the directory) with ``schedules`` (default: :data:`SHIPPED`)."""
        chosen = SHIPPED if schedules is None else schedules
        return cls(overlay(calendar, chosen.values()),
                   frozenset(chosen) | frozenset(scheduled_years), frozenset(extra_holidays))

    def is_working_day(self, day: date) -> bool:
        """Whether staff work on ``day`` (make-up days included)."""
        if day in self.days.extra_working_days:
            return True
        if (day.month, day.day) in self.extra_holidays:
            return False
        return self.days.is_working_day(day)

    def is_makeup_day(self, day: date) -> bool:
        """A weekend day declared a working day (ngày làm bù)."""
        return day.weekday() >= 5 and day in self.days.extra_working_days

    def is_plain_saturday(self, day: date) -> bool:
        """A Saturday that is neither a holiday nor a declared day off (a desk may open)."""
        return (day.weekday() == 5 and day not in self.days.extra_days_off
                and (day.month, day.day) not in self.extra_holidays
                and public_holiday_name(day) is None)

    def provisional(self, year: int) -> bool:
        """True when ``year`` has no yearly schedule: only its statutory days are known."""
        return year not in self.scheduled_years

    def day_off_reason(self, day: date) -> str:
        """Why ``day`` is off, in Vietnamese (for an operator checking a dispute)."""
        if self.is_working_day(day):
            return ""
        name = public_holiday_name(day)
        if name:
            return name
        if day in self.days.extra_days_off:
            return "Ngày nghỉ theo lịch năm"
        if (day.month, day.day) in self.extra_holidays:
            return "Ngày nghỉ lễ bổ sung"
        return "Thứ Bảy" if day.weekday() == 5 else "Chủ nhật"
