"""Check windows of a day (R10.2, Art. 10.2 of the regulation): the clerk must open the inbox at
least once before the end of the morning and once before the end of the afternoon.

The configured check times (``VANBAN_CHECK_TIMES``, default ``11:30,16:30`` local time) cut the
day into windows: the first runs from the start of the day to the first time, each next one from
the previous time to its own. A check counts for the window it falls in; a check after the last
time counts for no window of that day. Working days are not decided here (they depend on the
agency's calendar): the scheduler wakes at every window end and the reminder job skips the
agencies for which the day is not a working day.

Pure Python: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

DEFAULT_CHECK_TIMES = "11:30,16:30"


def parse_check_times(text: str) -> tuple[time, ...]:
    """``"11:30,16:30"`` → the window end times, strictly increasing; ``ValueError`` otherwise."""
    out: list[time] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        hours, sep, minutes = part.partition(":")
        if not sep or not hours.isdigit() or not minutes.isdigit():
            raise ValueError(f"check time {part!r} is not HH:MM")
        value = time(int(hours), int(minutes))  # ValueError when out of range
        if value == time(0, 0):
            raise ValueError("a check window cannot end at 00:00")
        if out and value <= out[-1]:
            raise ValueError("check times must be strictly increasing")
        out.append(value)
    if not out:
        raise ValueError("at least one check time is needed")
    return tuple(out)


@dataclass(frozen=True)
class Window:
    """One check window of one local day. ``index`` 0 is the morning, 1 the afternoon."""

    day: date
    index: int
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        """Whether a check made at ``moment`` (timezone-aware) counts for this window."""
        return self.start <= moment < self.end


def windows_of(day: date, times: tuple[time, ...], tz: tzinfo) -> list[Window]:
    """The windows of ``day`` in the local timezone ``tz``, in order."""
    out: list[Window] = []
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    for index, end_time in enumerate(times):
        end = datetime.combine(day, end_time, tzinfo=tz)
        out.append(Window(day=day, index=index, start=start, end=end))
        start = end
    return out


def window_at(moment: datetime, times: tuple[time, ...], tz: tzinfo) -> Window | None:
    """The window a check made at ``moment`` counts for (``None`` after the last time)."""
    local = moment.astimezone(tz)
    for window in windows_of(local.date(), times, tz):
        if window.contains(local):
            return window
    return None


def windows_ended(moment: datetime, times: tuple[time, ...], tz: tzinfo) -> list[Window]:
    """The windows of ``moment``'s local day that have ended at ``moment`` (end ≤ moment)."""
    local = moment.astimezone(tz)
    return [w for w in windows_of(local.date(), times, tz) if w.end <= local]


def next_window_end(moment: datetime, times: tuple[time, ...], tz: tzinfo) -> datetime:
    """The first window end strictly after ``moment``: when the scheduler wakes next."""
    local = moment.astimezone(tz)
    for offset in (0, 1):
        day = local.date() + timedelta(days=offset)
        for window in windows_of(day, times, tz):
            if window.end > local:
                return window.end
    raise AssertionError("unreachable: tomorrow always has a window end")  # pragma: no cover


def window_label(index: int, count: int) -> tuple[str, str]:
    """The window's name in Vietnamese and English: morning and afternoon when there are two
    windows (the regulation's case), else "check 1", "check 2", …"""
    if count == 2:
        return ("buổi sáng", "morning") if index == 0 else ("buổi chiều", "afternoon")
    return f"lần kiểm tra {index + 1}", f"check {index + 1}"
