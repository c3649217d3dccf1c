"""§10's on-time rules (issue 12 point 7), the pure core the statistics page and XLSX use."""

from datetime import datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from vanban.onestop.core.ontime import (
    VN_TZ,
    Ending,
    Outcome,
    Period,
    Tally,
    Timing,
    count,
    judged_due,
    outcome,
    tally,
)


def vn(day: int, hour: int = 10, month: int = 6) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=VN_TZ)


DUE = vn(15, 17)  # Mon 15/06/2026 17:00


def test_done_before_the_due_day_is_early() -> None:
    """Early = done before the due day, not merely before the due time."""
    assert outcome(Timing(vn(1), DUE, done_at=vn(12, 16)), as_of=vn(30)) == Outcome.EARLY
    assert outcome(Timing(vn(1), DUE, done_at=vn(15, 9)), as_of=vn(30)) == Outcome.ON_TIME
    assert outcome(Timing(vn(1), DUE, done_at=DUE), as_of=vn(30)) == Outcome.ON_TIME
    assert outcome(Timing(vn(1), DUE, done_at=vn(15, 18)), as_of=vn(30)) == Outcome.LATE


def test_two_supplement_requests_are_late() -> None:
    """Two or more supplement requests make a dossier late even when done early."""
    assert outcome(Timing(vn(1), DUE, done_at=vn(5), supplement_requests=2),
                   as_of=vn(30)) == Outcome.LATE
    assert outcome(Timing(vn(1), DUE, done_at=vn(5), supplement_requests=1),
                   as_of=vn(30)) == Outcome.EARLY


def test_extended_dossier_is_judged_against_the_original_due() -> None:
    """Mẫu 04 moves the appointment, not the statistics."""
    new_due = vn(22, 17)
    due = judged_due(new_due, DUE)
    assert due == DUE
    assert outcome(Timing(vn(1), due, done_at=vn(19), extended=True),
                   as_of=vn(30)) == Outcome.LATE
    assert judged_due(new_due, None) == new_due


def test_awaiting_supplement_is_measured_at_the_request() -> None:
    """Its clock is paused: a request made in time keeps it within time after the due time."""
    waiting = Timing(vn(1), DUE, awaiting_since=vn(3))
    assert outcome(waiting, as_of=vn(30)) == Outcome.WITHIN
    assert outcome(Timing(vn(1), DUE), as_of=vn(30)) == Outcome.OVERDUE
    assert outcome(Timing(vn(1), DUE, awaiting_since=vn(16)), as_of=vn(30)) == Outcome.OVERDUE


def test_period_carried_over_and_new() -> None:
    """Received = carried over (accepted before, not done before) + new (accepted in it)."""
    h1 = Period.half_year(2026, 1)
    now = vn(1, 9, 12)
    rows = [
        Timing(datetime(2025, 12, 20, tzinfo=VN_TZ), datetime(2026, 1, 5, 17, tzinfo=VN_TZ),
               done_at=datetime(2026, 1, 5, 9, tzinfo=VN_TZ), ending=Ending.RESULT),
        Timing(datetime(2025, 12, 1, tzinfo=VN_TZ), datetime(2025, 12, 5, tzinfo=VN_TZ),
               done_at=datetime(2025, 12, 4, tzinfo=VN_TZ), ending=Ending.RESULT),  # not in H1
        Timing(vn(1, 10, 3), vn(10, 17, 3), done_at=vn(2, 10, 3), ending=Ending.REFUSED),
        Timing(vn(1, 10, 6), vn(3, 17, 7)),  # still open at 01/07, due after: within
        Timing(vn(1, 10, 6), vn(10, 17, 6), done_at=vn(3, 10, 7)),  # done after H1: overdue
        Timing(None, None, done_at=vn(1, 11, 2), ending=Ending.REFUSED),  # intake refusal
        Timing(vn(1, 10, 8), vn(10, 17, 8)),  # accepted after H1
    ]
    out = tally(rows, h1, now=now)
    assert (out.carried_over, out.new, out.received) == (1, 3, 4)
    assert (out.early, out.on_time, out.late, out.within, out.overdue) == (1, 1, 0, 1, 1)
    assert out.refused == 2
    assert out.done == 2


def test_half_years() -> None:
    """Calendar half-years in Viet Nam time (``stats.rules`` default)."""
    h2 = Period.half_year(2026, 2)
    assert h2.start == datetime(2026, 7, 1, tzinfo=VN_TZ)
    assert h2.end == datetime(2027, 1, 1, tzinfo=VN_TZ)
    assert Period.days(vn(1).date(), vn(30).date()).end == datetime(2026, 7, 1, tzinfo=VN_TZ)
    with pytest.raises(ValueError, match="1 or 2"):
        Period.half_year(2026, 3)


moments = st.integers(min_value=0, max_value=60 * 24 * 200).map(
    lambda m: datetime(2026, 1, 1, tzinfo=VN_TZ) + timedelta(minutes=m))
timings = st.builds(
    Timing, accepted_at=st.one_of(st.none(), moments), due=st.one_of(st.none(), moments),
    done_at=st.one_of(st.none(), moments), ending=st.one_of(st.none(), st.sampled_from(Ending)),
    supplement_requests=st.integers(0, 3), awaiting_since=st.one_of(st.none(), moments),
    extended=st.booleans())


@given(timings, moments, moments)
def test_each_received_dossier_has_exactly_one_standing(timing, a, b) -> None:
    """In any period a received dossier is counted once: early, on time, late, within or
    overdue; a dossier not received counts nowhere but among the refused."""
    period = Period(min(a, b), max(a, b) + timedelta(minutes=1))
    row = count(timing, period, now=datetime(2027, 1, 1, tzinfo=VN_TZ))
    standings = row.early + row.on_time + row.late + row.within + row.overdue
    assert standings == row.received <= 1
    if row.received == 0:
        assert row.refused <= 1
        assert row == Tally(refused=row.refused)


@given(timings)
def test_splitting_a_period_never_loses_a_done_dossier(timing) -> None:
    """Done counts add up over two halves of a year (for a dossier done after it was
    accepted: the only kind there is)."""
    assume(timing.done_at is None or timing.accepted_at is None
           or timing.done_at >= timing.accepted_at)
    now = datetime(2028, 1, 1, tzinfo=VN_TZ)
    whole = count(timing, Period(Period.half_year(2026, 1).start, Period.half_year(2026, 2).end),
                  now=now)
    halves = Tally()
    for half in (1, 2):
        halves.add(count(timing, Period.half_year(2026, half), now=now))
    assert whole.done == halves.done
    assert whole.new == halves.new
