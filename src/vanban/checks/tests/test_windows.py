"""The check windows and the scheduler's next wake-up (R10.2): pure functions, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vanban.checks.core.windows import (
    next_window_end,
    parse_check_times,
    window_at,
    window_label,
    windows_ended,
    windows_of,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TIMES = (time(11, 30), time(16, 30))
DAY = date(2026, 11, 25)


def local(hh: int, mm: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=VN)


def test_parse_check_times():
    """R10.2: the configured times, default 11:30 and 16:30; bad values refused."""
    assert parse_check_times("11:30,16:30") == TIMES
    assert parse_check_times(" 10:00 , 15:00 ,") == (time(10), time(15))
    for bad in ("", "11:30,11:30", "16:30,11:30", "25:00", "1130", "aa:bb", "00:00"):
        with pytest.raises(ValueError):  # noqa: PT011 - each message differs
            parse_check_times(bad)


def test_windows_cut_the_day_at_the_check_times():
    """R10.2: morning = start of day → 11:30, afternoon = 11:30 → 16:30."""
    morning, afternoon = windows_of(DAY, TIMES, VN)
    assert (morning.start, morning.end) == (local(0), local(11, 30))
    assert (afternoon.start, afternoon.end) == (local(11, 30), local(16, 30))
    assert window_at(local(8), TIMES, VN) == morning
    assert window_at(local(11, 29), TIMES, VN) == morning
    assert window_at(local(11, 30), TIMES, VN) == afternoon
    assert window_at(local(17), TIMES, VN) is None
    # A moment given in UTC counts in local time: 03:00 UTC is 10:00 in Hà Nội.
    assert window_at(datetime(2026, 11, 25, 3, tzinfo=UTC), TIMES, VN) == morning
    assert window_label(0, 2) == ("buổi sáng", "morning")
    assert window_label(1, 2) == ("buổi chiều", "afternoon")
    assert window_label(2, 3) == ("lần kiểm tra 3", "check 3")


def test_windows_ended():
    """R10.2: the job processes the windows whose end has passed."""
    assert windows_ended(local(11, 29), TIMES, VN) == []
    assert [w.index for w in windows_ended(local(11, 30), TIMES, VN)] == [0]
    assert [w.index for w in windows_ended(local(23, 59), TIMES, VN)] == [0, 1]


def test_next_window_end():
    """R10.2: the scheduler sleeps until the next end of a window (the next day after 16:30)."""
    assert next_window_end(local(7), TIMES, VN) == local(11, 30)
    assert next_window_end(local(11, 30), TIMES, VN) == local(16, 30)
    assert next_window_end(local(16, 29), TIMES, VN) == local(16, 30)
    assert next_window_end(local(16, 30), TIMES, VN) == local(11, 30, DAY + timedelta(days=1))
    assert next_window_end(local(23, 59), TIMES, VN) == local(11, 30, DAY + timedelta(days=1))
    # 20:00 UTC on the 24th is 03:00 on the 25th in Hà Nội.
    assert next_window_end(datetime(2026, 11, 24, 20, tzinfo=UTC), TIMES, VN) == local(11, 30)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                    timezones=st.just(UTC)))
def test_next_window_end_is_the_first_end_after(moment):
    """R10.2: no window end lies between a moment and the next wake-up, which is within a day."""
    wake = next_window_end(moment, TIMES, VN)
    assert moment < wake <= moment + timedelta(days=1)
    assert wake.astimezone(VN).time() in TIMES
    local_day = moment.astimezone(VN).date()
    ends = [w.end for d in (local_day, local_day + timedelta(days=1))
            for w in windows_of(d, TIMES, VN)]
    assert not [e for e in ends if moment < e < wake]
