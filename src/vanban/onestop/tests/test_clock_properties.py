"""Properties of the one-stop clock over 2025–2027, with hypothesis (R11.3, R12.1 due dates)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.core.clock import VN_TZ
from vanban.core.workdays import WorkCalendar, public_holiday_name
from vanban.onestop.core.calendar_schedule import ClockCalendar
from vanban.onestop.core.clock import (
    DEFAULT_RULES,
    ClockRules,
    Limit,
    Mode,
    Pause,
    Unit,
    appointment,
    clock_start,
    due_at,
    working_time_between,
)

CALENDAR = ClockCalendar.of(WorkCalendar())
MOMENTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 6, 30)).map(
    lambda moment: moment.replace(second=0, microsecond=0, tzinfo=VN_TZ))
HALF_DAYS = st.integers(0, 60).map(lambda n: Limit(Decimal(n) / 2, Unit.WORKING_DAYS))
POSITIVE = st.one_of(
    st.integers(1, 60).map(lambda n: Limit(Decimal(n) / 2, Unit.WORKING_DAYS)),
    st.integers(1, 120).map(lambda n: Limit(Decimal(n), Unit.WORKING_HOURS)),
)
ANY_LIMIT = st.one_of(
    HALF_DAYS,
    st.integers(0, 120).map(lambda n: Limit(Decimal(n), Unit.WORKING_HOURS)),
    st.integers(0, 60).map(lambda n: Limit(Decimal(n), Unit.CALENDAR_DAYS)),
    st.integers(0, 12).map(lambda n: Limit(Decimal(n), Unit.MONTHS)),
)
RULES = st.sampled_from([DEFAULT_RULES, ClockRules(mode=Mode.DAY_BASED)])
FAST = settings(max_examples=150, deadline=None)


def _statutory_day_off(day: date) -> bool:
    """A weekend that is no make-up day, a public holiday not declared worked, a day in lieu or
    a day off of the yearly schedule: checked against the sources, not the clock's own test."""
    declared = CALENDAR.days
    if day in declared.extra_working_days:
        return False
    return (day.weekday() >= 5 or public_holiday_name(day) is not None
            or day in declared.extra_days_off)


@FAST
@given(MOMENTS, ANY_LIMIT, RULES)
def test_due_never_on_a_day_off(received: datetime, limit: Limit, rules: ClockRules) -> None:
    """R12.1, §12: no due time falls on a weekend, holiday or day in lieu (one may fall on a
    make-up day); it is inside the working hours of its day."""
    due = appointment(received, limit, CALENDAR, rules).due
    assert not _statutory_day_off(due.date())
    assert datetime.combine(due.date(), rules.sessions[0][0], VN_TZ) < due \
        <= datetime.combine(due.date(), rules.sessions[-1][1], VN_TZ)


@FAST
@given(MOMENTS)
def test_clock_starts_at_a_working_moment(received: datetime) -> None:
    """R11.3: the clock never starts before the acceptance nor outside working hours."""
    start = clock_start(received, CALENDAR)
    assert start >= received
    assert not _statutory_day_off(start.date())
    assert working_time_between(start, start + timedelta(minutes=1), CALENDAR) \
        == timedelta(minutes=1)


@FAST
@given(MOMENTS, POSITIVE, POSITIVE, RULES)
def test_monotonic_in_the_limit(received: datetime, a: Limit, b: Limit,
                                rules: ClockRules) -> None:
    """A longer limit never gives an earlier due time (for positive limits; the same-day limit
    ends at the start day's closing, so it is compared with a whole day below)."""
    start = clock_start(received, CALENDAR, rules)
    hours = {Unit.WORKING_DAYS: 8, Unit.WORKING_HOURS: 1}
    small, large = sorted((a, b), key=lambda lim: lim.value * hours[lim.unit])
    assert due_at(start, small, CALENDAR, rules) <= due_at(start, large, CALENDAR, rules)
    same_day = due_at(start, Limit(Decimal(0)), CALENDAR, rules)
    assert same_day <= due_at(start, Limit(Decimal(1)), CALENDAR, rules)


@FAST
@given(MOMENTS, st.integers(0, 72 * 60), ANY_LIMIT, RULES)
def test_monotonic_in_the_start(received: datetime, later_by: int, limit: Limit,
                                rules: ClockRules) -> None:
    """A dossier accepted later is never due earlier (the cutoff included)."""
    later = received + timedelta(minutes=later_by)
    assert appointment(received, limit, CALENDAR, rules).due \
        <= appointment(later, limit, CALENDAR, rules).due


@FAST
@given(MOMENTS, POSITIVE)
def test_working_time_between_inverts_due_at(received: datetime, limit: Limit) -> None:
    """The working time from the start to the due time is exactly the limit."""
    start = clock_start(received, CALENDAR)
    due = due_at(start, limit, CALENDAR)
    expected = timedelta(hours=int(limit.value * (8 if limit.unit == Unit.WORKING_DAYS else 1)))
    assert working_time_between(start, due, CALENDAR) == expected
    assert working_time_between(due, start, CALENDAR) == -expected


@FAST
@given(MOMENTS, ANY_LIMIT, st.integers(0, 30 * 24 * 60), st.integers(0, 30 * 24 * 60),
       st.booleans())
def test_a_pause_never_makes_the_due_time_earlier(received: datetime, limit: Limit,
                                                  after: int, length: int,
                                                  restart: bool) -> None:
    """R11.3 (Art. 19.5): a supplement or a fee wait never brings the due time forward."""
    plain = appointment(received, limit, CALENDAR)
    begin = received + timedelta(minutes=after)
    pause = Pause(begin, begin + timedelta(minutes=length), restart=restart)
    paused = appointment(received, limit, CALENDAR, pauses=[pause])
    assert paused.due >= plain.due
    assert not _statutory_day_off(paused.due.date())
