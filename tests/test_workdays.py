"""Property tests of the working-day calendar behind every deadline (R8.1): no database."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.core.workdays import DEFAULT_CALENDAR, WorkCalendar, public_holiday_name
from vanban.core.year_schedule import SHARED_DEFAULT, SHIPPED, shared_calendar
from vanban.onestop.core.calendar_schedule import ClockCalendar
from vanban.onestop.core.clock import DEFAULT_RULES
from vanban.onestop.core.clock import counts as clock_counts

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=60)


@settings(max_examples=200, deadline=None)
@given(start=days, n=counts)
def test_result_is_a_working_day(start: date, n: int) -> None:
    """R8.1: a deadline always falls on a working day, never before the start."""
    end = DEFAULT_CALENDAR.add_working_days(start, n)
    assert DEFAULT_CALENDAR.is_working_day(end)
    assert end >= start


@settings(max_examples=200, deadline=None)
@given(start=days, n=counts, extra=st.integers(min_value=1, max_value=30))
def test_monotonic_in_days_and_start(start: date, n: int, extra: int) -> None:
    """R8.1: more working days never give an earlier deadline (a later one from one day on:
    0 days from a day off is the next working day, as is 1); nor does a later start."""
    cal = DEFAULT_CALENDAR
    assert cal.add_working_days(start, n) <= cal.add_working_days(start, n + extra)
    if n >= 1:
        assert cal.add_working_days(start, n) < cal.add_working_days(start, n + extra)
    assert cal.add_working_days(start, n) <= cal.add_working_days(
        start + timedelta(days=extra), n)


@settings(max_examples=200, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=60))
def test_counts_exactly_n_working_days(start: date, n: int) -> None:
    """R8.1: between the start and the deadline lie exactly ``n`` working days."""
    end = DEFAULT_CALENDAR.add_working_days(start, n)
    assert DEFAULT_CALENDAR.working_days_between(start, end) == n


def test_tet_2026_is_skipped() -> None:
    """R8.1: Tết 2026 (Saturday 14 to Sunday 22 February) holds no working day."""
    tet = [date(2026, 2, 14) + timedelta(days=i) for i in range(9)]
    assert not any(DEFAULT_CALENDAR.is_working_day(d) for d in tet)
    assert public_holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert DEFAULT_CALENDAR.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)


@given(n=st.integers(min_value=1, max_value=20))
def test_make_up_saturday_counts(n: int) -> None:
    """R8.1: a make-up Saturday is a working day and brings a deadline one day closer (or to
    that Saturday); an extra day off pushes it later."""
    saturday = date(2026, 11, 7)
    start = date(2026, 11, 2)
    plain = DEFAULT_CALENDAR.add_working_days(start, n)
    with_make_up = WorkCalendar.of(working=[saturday]).add_working_days(start, n)
    assert WorkCalendar.of(working=[saturday]).is_working_day(saturday)
    if plain > saturday:
        assert with_make_up < plain
    else:
        assert with_make_up == plain
    assert WorkCalendar.of(working=[saturday]).add_working_days(start, 5) == saturday
    off = WorkCalendar.of(off=[date(2026, 11, 3)])
    assert off.add_working_days(start, n) > plain


def expected_working(day: date, working: set[date] | frozenset[date] = frozenset(),
                     off: set[date] | frozenset[date] = frozenset(),
                     extra: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset()
                     ) -> bool:
    """The expectation written out here, not read from the calendar under test: the operators'
    entries, then the SHIPPED schedule's sets, then the recurring extra holidays, then the
    ``holidays`` package's days and weekends (its worked weekend days count)."""
    shipped = SHIPPED.get(day.year)
    declared_working = set(working) | (shipped.working_days if shipped else frozenset())
    declared_off = set(off) | (shipped.days_off if shipped else frozenset())
    if day in working or (day not in off and day in declared_working):
        return True
    if day in declared_off or (day.month, day.day) in extra:
        return False
    package = holidays.country_holidays("VN", years=day.year)
    if day.weekday() >= 5:
        return day in getattr(package, "weekend_workdays", ())
    return day not in package


def test_adjacency_setting_alone_leaves_the_year_provisional() -> None:
    """R8.1: the 2/9 adjacency setting for a year with no shipped schedule lays that one day
    off but does not mark the whole year scheduled; for a shipped year it stays scheduled."""
    later = shared_calendar(national_day_adjacent=[date(2031, 9, 3)])
    assert not later.is_working_day(date(2031, 9, 3))
    assert later.provisional(2031)
    moved = shared_calendar(national_day_adjacent=[date(2026, 9, 3)])
    assert not moved.provisional(2026)
    assert not moved.is_working_day(date(2026, 9, 3))


# vanban's one calendar (ADR 0019): statutory days + shipped yearly schedules + settings +
# operators' entries, the same for every reader.

YEARS_2025_2027 = [date(2025, 1, 1) + timedelta(days=n) for n in range(3 * 365)]
operator_days = st.sets(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
                        max_size=12)
recurring = st.sets(st.tuples(st.integers(1, 12), st.integers(1, 28)), max_size=3)


def test_package_and_shipped_schedule_agree_2025_2026() -> None:
    """R8.1: for 2025–2026 the shipped yearly schedule (Tết, 30/4–1/5, 2/9, days in lieu, make-up
    Saturdays) names no day the ``holidays`` package disagrees with, so laying one over the other
    counts no day twice and moves none; 24/11 is off from 2026 only (the package: the Labour
    Code as amended)."""
    first, last = date(2025, 1, 1), date(2026, 12, 31)
    day = first
    while day <= last:
        assert SHARED_DEFAULT.is_working_day(day) == DEFAULT_CALENDAR.is_working_day(day), day
        day += timedelta(days=1)
    for year in (2025, 2026):
        schedule = SHIPPED[year]
        assert not any(DEFAULT_CALENDAR.is_working_day(d) for d in schedule.days_off)
        assert all(DEFAULT_CALENDAR.is_working_day(d) for d in schedule.working_days)
    assert SHARED_DEFAULT.is_working_day(date(2025, 11, 24))
    assert not SHARED_DEFAULT.is_working_day(date(2026, 11, 24))
    assert SHARED_DEFAULT.day_off_reason(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert not SHARED_DEFAULT.is_working_day(date(2027, 11, 24))


def test_an_operator_entry_overrides_24_11() -> None:
    """R8.1: an agency that works on 24/11 declares it with a calendar entry, which wins."""
    own = WorkCalendar.of(working=[date(2026, 11, 24)])
    assert shared_calendar(own).is_working_day(date(2026, 11, 24))
    assert shared_calendar(own).add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 24)


def test_laying_the_schedules_twice_changes_nothing() -> None:
    """R8.1: laying the shipped schedules over a calendar that has them already is a no-op,
    so no day is counted twice should any caller lay them again."""
    own = WorkCalendar.of(working=[date(2026, 9, 1)], off=[date(2026, 8, 22)],
                          recurring_off=[(12, 10)])
    once = shared_calendar(own, scheduled_years=[2027])
    assert shared_calendar(once) == once
    assert ClockCalendar.of(once).days == once


@settings(max_examples=25, deadline=None)
@given(working=operator_days, off=operator_days, extra=recurring)
def test_one_stop_clock_and_shared_calendar_agree(working: set[date], off: set[date],
                                                  extra: set[tuple[int, int]]) -> None:
    """R8.1, R11.2: whatever the operators enter and the settings add, the one-stop clock and
    the shared calendar agree on every day of 2025–2027, and the clock runs on exactly those
    days (default rules: make-up days count, plain Saturdays do not)."""
    own = WorkCalendar.of(working=working, off=off - working)
    shared = shared_calendar(own, extra_holidays=extra)
    timed = ClockCalendar.of(own, extra_holidays=extra)
    for day in YEARS_2025_2027:
        working_day = expected_working(day, working, off - working, extra)
        assert shared.is_working_day(day) == working_day, day
        assert timed.is_working_day(day) == working_day, day
        assert clock_counts(day, timed, DEFAULT_RULES) == working_day
        if day in own.extra_working_days or day in own.extra_days_off:
            assert working_day == (day in own.extra_working_days)
