"""Property tests of the working-day calendar behind every deadline (R8.1): no database."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.core.workdays import DEFAULT_CALENDAR, WorkCalendar, public_holiday_name

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
