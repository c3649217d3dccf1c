"""The one-stop clock: when a dossier's time starts and when it is due, in Vietnamese working
time (spec onestop.md §7, §12, §13; R11.3, R12.1).

Usage (times are aware datetimes; the answer is in Asia/Ho_Chi_Minh)::

    from vanban.onestop.clock_config import clock_calendar  # the settings side (Django)
    from vanban.onestop.core.clock import DEFAULT_RULES, Limit, Unit, appointment

    calendar = clock_calendar(agency_id)                 # clock_config: the directory's calendar
    result = appointment(received_at, Limit(Decimal(3), Unit.WORKING_DAYS), calendar)
    result.clock_start, result.due, result.days_counted, result.provisional

    clock_start(received_at, calendar)                   # after 15:00 → next opening
    due_at(start, limit, calendar)                       # start + limit in working time
    working_time_between(a, b, calendar)                 # the inverse of due_at
    online_answer_due(filed_at, calendar)                # Art. 17.2: 8 working hours
    supplement_closes_at(requested_at, calendar)         # Art. 19.5: 15 days, then closed

The rules (all in :class:`ClockRules`, defaults of §13): sessions 08:00–12:00 and 13:00–17:00,
Monday to Friday; a working day is one day's working time (½ day = 4 h); accepted after the 15:00
cutoff → the clock starts at the next working day's opening; out of hours → the next opening;
due = start + limit in working time; a limit of 0 (same day) → the closing of the start day.
Make-up days count, Saturday openings do not. Calendar days and months follow Bộ luật Dân sự
2015 Art. 147–148: the day the clock starts is not counted unless the clock starts at its
opening; a period ends at the end of its last day, moved to the next working day when that is a
day off; the end of a day is the desk's closing, when results are handed over. ``mode``
``day_based`` counts working days whole instead (due at the closing of the last one).

Pauses: intake supplements come before acceptance, so the clock has not started. An appraisal
supplement restarts the clock at the full supplement with the whole limit (Art. 19.5); a fee
wait, when the procedure says so, stops it and the remaining working time resumes afterwards.
A monotone rule: a pause never makes the due time earlier.

Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from functools import lru_cache

from vanban.core.clock import VN_TZ
from vanban.core.errors import ValidationFailed
from vanban.core.workdays import WorkCalendar
from vanban.onestop.core.calendar_schedule import ClockCalendar

SEARCH_DAYS = 800  # a calendar with no working day in this many days is a configuration error
MAX_LIMIT = Decimal(3660)  # ten years of days: longer is a typing mistake, not a procedure


class Unit(StrEnum):
    """Unit of a procedure's time limit (§4; the procedure model's ``limit_unit``)."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"


class Mode(StrEnum):
    """``clock.mode``: working time to the minute, or whole working days."""

    WORKING_TIME = "working_time"
    DAY_BASED = "day_based"


@dataclass(frozen=True)
class Limit:
    """A time limit (thời hạn giải quyết): 0 means the same day; ½ working day is allowed."""

    value: Decimal
    unit: Unit = Unit.WORKING_DAYS

    def __post_init__(self) -> None:
        value = Decimal(self.value)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "unit", Unit(self.unit))
        if not value.is_finite() or value < 0:
            raise ValidationFailed("Thời hạn phải là số không âm.",
                                   "A time limit is a number of at least 0.",
                                   code="bad_limit")
        if value > MAX_LIMIT:
            raise ValidationFailed(f"Thời hạn dài tối đa {MAX_LIMIT}.",
                                   f"A time limit is at most {MAX_LIMIT}.", code="bad_limit")
        if self.unit in (Unit.CALENDAR_DAYS, Unit.MONTHS) and value != value.to_integral():
            raise ValidationFailed("Thời hạn tính theo ngày hoặc tháng phải là số nguyên.",
                                   "A limit in calendar days or months is a whole number.",
                                   code="bad_limit")

    @property
    def same_day(self) -> bool:
        """A limit of 0: the result is due at the closing of the start day."""
        return self.value == 0


@dataclass(frozen=True)
class ClockRules:
    """The clock's parameters (``clock.*`` of spec §13), frozen per dossier."""

    sessions: tuple[tuple[time, time], ...] = ((time(8), time(12)), (time(13), time(17)))
    """Working sessions of a day, in order (``clock.hours``)."""
    cutoff: time | None = time(15)
    """Accepted after this time → the clock starts at the next working day's opening."""
    saturday_counts: bool = False
    """Whether a Saturday the desk opens on counts (holidays never do)."""
    makeup_counts: bool = True
    """Whether a make-up working day (ngày làm bù) counts."""
    mode: Mode = Mode.WORKING_TIME
    """``working_time``: to the minute; ``day_based``: whole working days."""
    closure_days: int = 15
    """Calendar days an applicant has for an appraisal supplement (Art. 19.5)."""
    tz: tzinfo = field(default=VN_TZ)

    def __post_init__(self) -> None:
        if not self.sessions:
            raise ValueError("at least one working session")
        previous = time.min
        for begin, end in self.sessions:
            if not previous <= begin < end:
                raise ValueError("sessions must be ordered and not overlap")
            previous = end
        if self.closure_days < 1:
            raise ValueError("closure_days must be ≥ 1")

    @property
    def day_length(self) -> timedelta:
        """One working day's working time (8 h by default)."""
        return sum((_minutes(e) - _minutes(b) for b, e in self.sessions), timedelta())


def _minutes(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute, seconds=moment.second)


DEFAULT_RULES = ClockRules()
ANSWER_ONLINE = Limit(Decimal(8), Unit.WORKING_HOURS)  # Art. 17.2


@dataclass(frozen=True)
class Pause:
    """A stop of the clock from ``start`` (the request) to ``end`` (the full answer)."""

    start: datetime
    end: datetime
    restart: bool = True
    """True: an appraisal supplement, the whole limit runs again from ``end`` (Art. 19.5);
    False: a fee wait, the remaining working time resumes at ``end``."""


@dataclass(frozen=True)
class Appointment:
    """When the clock starts and when the result is due, with what was counted."""

    received_at: datetime
    clock_start: datetime
    """When the clock (last) started: a restart after an appraisal supplement moves it."""
    due: datetime
    limit: Limit
    days_counted: tuple[date, ...]
    """The working days on which the clock runs, in order."""
    days_skipped: tuple[date, ...]
    """Days off between the clock's start and the due day (weekends, holidays, days in lieu)."""
    provisional: bool
    """A year reached has no yearly schedule: only statutory days were known."""


CalendarLike = ClockCalendar | WorkCalendar


def _calendar(calendar: CalendarLike) -> ClockCalendar:
    """The clock's view of ``calendar``. A bare :class:`WorkCalendar` is vanban's one calendar
    as the directory lays it (``work_calendar``: yearly schedules, settings and operators'
    entries already in), so it is taken as it is: laying the schedules again would only repeat
    the work (ADR 0019)."""
    return calendar if isinstance(calendar, ClockCalendar) else ClockCalendar(calendar)


def _local(moment: datetime, rules: ClockRules) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the one-stop clock needs aware datetimes")
    return moment.astimezone(rules.tz)


def counts(day: date, calendar: CalendarLike, rules: ClockRules = DEFAULT_RULES) -> bool:
    """Whether the clock runs on ``day``."""
    return _counts(day, _calendar(calendar), rules)


@lru_cache(maxsize=1 << 16)
def _counts(day: date, cal: ClockCalendar, rules: ClockRules) -> bool:
    """:func:`counts`, remembered: calendars and rules are frozen, and bulk work (a demo's or a
    benchmark's dossiers) asks about the same few hundred days again and again."""
    if day.weekday() >= 5:
        if cal.is_working_day(day):
            return rules.makeup_counts
        return rules.saturday_counts and cal.is_plain_saturday(day)
    return cal.is_working_day(day)


@lru_cache(maxsize=1 << 14)
def _sessions(day: date, rules: ClockRules) -> tuple[tuple[datetime, datetime], ...]:
    return tuple((datetime.combine(day, b, rules.tz), datetime.combine(day, e, rules.tz))
                 for b, e in rules.sessions)


def _days(first: date, cal: ClockCalendar, rules: ClockRules) -> Iterator[date]:
    """The clock's days from ``first`` on (``first`` included when it counts)."""
    day, idle = first, 0
    while idle < SEARCH_DAYS:
        if _counts(day, cal, rules):
            idle = 0
            yield day
        else:
            idle += 1
        day += timedelta(days=1)
    raise ValueError(f"no working day within {SEARCH_DAYS} days after {day - timedelta(idle)}")


def in_working_hours(moment: datetime, calendar: CalendarLike,
                     rules: ClockRules = DEFAULT_RULES) -> bool:
    """Whether ``moment`` is within a working session (its closing minute included) of a day
    the clock runs: the only times an appointment may be given for."""
    local = _local(moment, rules)
    day = local.date()
    if not _counts(day, _calendar(calendar), rules):
        return False
    return any(start <= local <= end for start, end in _sessions(day, rules))


def _opening(day: date, rules: ClockRules) -> datetime:
    return datetime.combine(day, rules.sessions[0][0], rules.tz)


def _closing(day: date, rules: ClockRules) -> datetime:
    return datetime.combine(day, rules.sessions[-1][1], rules.tz)


def next_opening(moment: datetime, calendar: CalendarLike,
                 rules: ClockRules = DEFAULT_RULES) -> datetime:
    """``moment`` when the clock could run then, else the next time it can (out of hours)."""
    cal = _calendar(calendar)
    local = _local(moment, rules)
    for day in _days(local.date(), cal, rules):
        for begin, end in _sessions(day, rules):
            if local < end:
                return max(begin, local)
    raise AssertionError("unreachable")  # pragma: no cover - _days raises first


def clock_start(received_at: datetime, calendar: CalendarLike,
                rules: ClockRules = DEFAULT_RULES) -> datetime:
    """When the clock starts for a dossier accepted at ``received_at`` (Art. 17.3, 18.2): after
    the cutoff on a working day it starts at the next working day's opening."""
    cal = _calendar(calendar)
    local = _local(received_at, rules)
    if rules.cutoff is not None and local.time() > rules.cutoff and counts(local.date(), cal,
                                                                            rules):
        return _opening(next(_days(local.date() + timedelta(days=1), cal, rules)), rules)
    return next_opening(local, cal, rules)


def _add_working_time(start: datetime, amount: timedelta, cal: ClockCalendar,
                      rules: ClockRules) -> datetime:
    moment = next_opening(start, cal, rules)
    remaining = amount
    for day in _days(moment.date(), cal, rules):
        for opens, end in _sessions(day, rules):
            if end <= moment:
                continue
            begin = max(opens, moment)
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
    raise AssertionError("unreachable")  # pragma: no cover


def _anchor(moment: datetime, rules: ClockRules) -> date:
    """The day periods are counted from (not itself counted, Art. 147): the day before when the
    clock starts at a day's opening, so that whole day counts."""
    day = moment.date()
    return day - timedelta(days=1) if moment == _opening(day, rules) else day


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _period_end(last: date, cal: ClockCalendar, rules: ClockRules) -> datetime:
    """Art. 148.5: a period ending on a day off ends on the next working day."""
    return _closing(next(_days(last, cal, rules)), rules)


def due_at(start: datetime, limit: Limit, calendar: CalendarLike,
           rules: ClockRules = DEFAULT_RULES) -> datetime:
    """When a clock started at ``start`` runs out after ``limit``."""
    cal = _calendar(calendar)
    moment = next_opening(start, cal, rules)
    if limit.same_day:
        return _closing(moment.date(), rules)
    if limit.unit == Unit.WORKING_HOURS:
        return _add_working_time(moment, _amount(limit, rules), cal, rules)
    if limit.unit == Unit.WORKING_DAYS and rules.mode == Mode.WORKING_TIME:
        return _add_working_time(moment, _amount(limit, rules), cal, rules)
    if limit.unit == Unit.WORKING_DAYS:
        return _whole_days(moment, limit.value, cal, rules)
    anchor = _anchor(moment, rules)
    if limit.unit == Unit.CALENDAR_DAYS:
        return _period_end(anchor + timedelta(days=int(limit.value)), cal, rules)
    return _period_end(_add_months(anchor, int(limit.value)), cal, rules)


def _amount(limit: Limit, rules: ClockRules) -> timedelta:
    """A working-time limit as a duration (days × the day's working time, or hours)."""
    unit = rules.day_length if limit.unit == Unit.WORKING_DAYS else timedelta(hours=1)
    return timedelta(seconds=int(Decimal(unit.total_seconds()) * limit.value))


def _whole_days(moment: datetime, value: Decimal, cal: ClockCalendar,
                rules: ClockRules) -> datetime:
    """``day_based``: the Nth working day after the anchor, to its closing; a fraction ends
    part-way through the last day."""
    whole = int(value.to_integral_value(rounding=ROUND_CEILING))
    days = _days(_anchor(moment, rules) + timedelta(days=1), cal, rules)
    last = next(days)
    for _ in range(whole - 1):
        last = next(days)
    fraction = value - (whole - 1)
    if fraction == 1:
        return _closing(last, rules)
    part = timedelta(seconds=int(Decimal(rules.day_length.total_seconds()) * fraction))
    return _add_working_time(_opening(last, rules), part, cal, rules)


def working_time_between(a: datetime, b: datetime, calendar: CalendarLike,
                         rules: ClockRules = DEFAULT_RULES) -> timedelta:
    """Working time from ``a`` to ``b`` (negative when ``b`` is earlier)."""
    if b < a:
        return -working_time_between(b, a, calendar, rules)
    cal = _calendar(calendar)
    total = timedelta()
    for _day, span in _runs(a, b, cal, rules):
        total += span
    return total


def _runs(a: datetime, b: datetime, cal: ClockCalendar,
          rules: ClockRules) -> Iterator[tuple[date, timedelta]]:
    """(day, working time of that day within [a, b]) for each day the clock runs on."""
    local_a, local_b = _local(a, rules), _local(b, rules)
    day = local_a.date()
    while day <= local_b.date():
        if counts(day, cal, rules):
            span = sum((max(timedelta(), min(end, local_b) - max(begin, local_a))
                        for begin, end in _sessions(day, rules)), timedelta())
            if span:
                yield day, span
        day += timedelta(days=1)


def appointment(received_at: datetime, limit: Limit, calendar: CalendarLike,
                rules: ClockRules = DEFAULT_RULES, *,
                pauses: Sequence[Pause] = ()) -> Appointment:
    """The clock of a dossier accepted at ``received_at``: start, due, days counted, and whether
    the answer rests on a provisional calendar; ``pauses`` are its supplements and fee waits."""
    cal = _calendar(calendar)
    start = clock_start(received_at, cal, rules)
    due = due_at(start, limit, cal, rules)
    segments: list[tuple[datetime, datetime]] = []
    run_from = start
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.end < pause.start or pause.start < received_at:
            raise ValidationFailed("Thời gian tạm dừng không hợp lệ.",
                                   "A pause must end after it starts, after the acceptance.",
                                   code="bad_pause")
        if pause.start >= due:  # after the due time: it moves nothing, the next may still
            continue
        resumed = clock_start(pause.end, cal, rules)
        if pause.restart:
            segments, run_from = [], resumed
            due = due_at(resumed, limit, cal, rules)
        else:
            remaining = working_time_between(max(pause.start, run_from), due, cal, rules)
            segments.append((run_from, max(pause.start, run_from)))
            run_from = resumed
            due = max(due, _add_working_time(resumed, remaining, cal, rules)
                      if remaining else resumed)
    segments.append((run_from, due))
    counted = sorted({day for a, b in segments for day, _ in _runs(a, b, cal, rules)})
    first = _local(start, rules).date()
    skipped = _skipped(first, _local(due, rules).date(), cal, rules)
    years = range(_local(received_at, rules).year, _local(due, rules).year + 1)
    return Appointment(received_at=received_at, clock_start=run_from, due=due, limit=limit,
                       days_counted=tuple(counted), days_skipped=skipped,
                       provisional=any(cal.provisional(year) for year in years))


def _skipped(first: date, last: date, cal: ClockCalendar, rules: ClockRules) -> tuple[date, ...]:
    days: list[date] = []
    day = first
    while day <= last:
        if not counts(day, cal, rules):
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def online_answer_due(filed_at: datetime, calendar: CalendarLike,
                      rules: ClockRules = DEFAULT_RULES) -> datetime:
    """Art. 17.2: an online dossier is accepted or sent back within 8 working hours of its
    filing (no cutoff: the hours run from the next working moment)."""
    return due_at(next_opening(filed_at, calendar, rules), ANSWER_ONLINE, calendar, rules)


def supplement_closes_at(requested_at: datetime, calendar: CalendarLike,
                         rules: ClockRules = DEFAULT_RULES) -> datetime:
    """Art. 19.5: with no full supplement within ``closure_days`` calendar days of the request
    (Art. 147–148: counted from the next day; a last day off moves to the next working day),
    the dossier is closed from this moment (midnight after the last day)."""
    cal = _calendar(calendar)
    last = _local(requested_at, rules).date() + timedelta(days=rules.closure_days)
    if not cal.is_working_day(last):
        last = next(d for d in _all_days(last) if cal.is_working_day(d))
    return datetime.combine(last + timedelta(days=1), time.min, rules.tz)


def _all_days(first: date) -> Iterable[date]:
    return (first + timedelta(days=n) for n in range(SEARCH_DAYS))
