"""The government's yearly schedule of days off (Tết's span, days in lieu, make-up days) as data,
laid into vanban's one working-day calendar (ADR 0019; onestop.md §7, §13).

Where each part of the calendar lives, from the bottom up, and why:

- **Statutory days** (Bộ luật Lao động 2019, Art. 112, as amended: 24/11 from 2026) with the
  substitute days and make-up Saturdays the ``holidays`` package knows:
  :class:`vanban.core.workdays.WorkCalendar`.
- **The yearly schedule** the government announces each year (which weekdays around Tết are off,
  which Saturday is worked in exchange, which day joins 2/9): :data:`SHIPPED` below, one
  :class:`YearSchedule` per known year, shipped with the code so an installation that entered
  nothing still gets 2025 and 2026 right. Where the package already knows a day, the schedule
  names it again; the calendar is a set of days, so nothing is counted twice.
- **Recurring extra holidays** from the settings (``dd/mm``, e.g. a day the Labour Code adds
  before the package knows it).
- **Operators' entries**: the province's and the agency's ``CalendarDay`` rows in the directory
  (the calendar page), read by ``directory.selectors.work_calendar``. They win over the shipped
  schedule on the same date, so an operator corrects a shipped day without a code change.

Every reader (workflow deadlines, the twice-daily check windows, notices, the one-stop clock)
gets this same calendar from ``directory.selectors.work_calendar``. A year with neither a shipped
schedule nor a setting naming it is known only by its statutory days: answers reaching into it
are *provisional* (:meth:`WorkCalendar.provisional`).

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
    calendar's entry (an operator's) wins. Laying the same schedules twice changes nothing."""
    working: set[date] = set()
    off: set[date] = set()
    years: set[int] = set()
    for schedule in schedules:
        working |= schedule.working_days
        off |= schedule.days_off
        years.add(schedule.year)
    own_working, own_off = calendar.extra_working_days, calendar.extra_days_off
    return WorkCalendar.of(working=(working - own_off) | own_working,
                           off=(off - own_working) | own_off,
                           recurring_off=calendar.recurring_days_off,
                           scheduled_years=calendar.scheduled_years | years)


def shared_calendar(own: WorkCalendar | None = None, *,
                    schedules: Mapping[int, YearSchedule] | None = None,
                    scheduled_years: Iterable[int] = (),
                    extra_holidays: Iterable[tuple[int, int]] = (),
                    national_day_adjacent: Iterable[date] = ()) -> WorkCalendar:
    """vanban's one calendar: statutory days, the yearly ``schedules`` (default:
    :data:`SHIPPED`, with a year's day joining 2/9 moved by ``national_day_adjacent``), the
    recurring ``extra_holidays`` and, winning over all of them, ``own`` (the operators' days).
    ``scheduled_years``: years whose schedule the operators entered themselves."""
    chosen = dict(SHIPPED if schedules is None else schedules)
    # A year only the 2/9 setting names has no schedule: its other days are still unknown, so
    # it stays provisional (the day is laid, the year is not counted as scheduled).
    adjacency_only = {a.year for a in national_day_adjacent if a.year not in chosen}
    for adjacent in national_day_adjacent:
        base = chosen.get(adjacent.year, YearSchedule(adjacent.year))
        chosen[adjacent.year] = base.with_national_day_adjacent(adjacent)
    base_calendar = own if own is not None else WorkCalendar()
    laid = overlay(base_calendar, chosen.values())
    years = (base_calendar.scheduled_years | frozenset(scheduled_years)
             | {year for year in chosen if year not in adjacency_only})
    return WorkCalendar.of(
        working=laid.extra_working_days, off=laid.extra_days_off,
        recurring_off=laid.recurring_days_off | frozenset(extra_holidays),
        scheduled_years=years)


SHARED_DEFAULT = shared_calendar()
"""The shared calendar of an installation that entered nothing (statutory days + SHIPPED)."""
