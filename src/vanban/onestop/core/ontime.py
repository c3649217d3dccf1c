"""Whether a dossier was handled early, on time or late, and the figures of a period (spec §10,
``stats.rules``; reported rules, unconfirmed).

The rules, in one place so the page, the XLSX and the SQL aggregate agree (a test compares the
SQL figures with :func:`tally` on the same dossiers):

- *done* is the first terminal status: result ready (Đã xử lý xong, before it is returned),
  else the stop, refusal or withdrawal;
- on time when done at or before the due time; *early* when done before the due **day**;
- two or more supplement requests during processing make a dossier late whatever its times;
- a dossier extended by Mẫu 04 is judged against its original due time;
- a dossier awaiting a supplement is measured at the request, not at the end of the period
  (its clock is paused while the applicant completes it);
- a period's *received* are the dossiers carried over (accepted before it, not done before it)
  and the new ones (accepted in it); a dossier refused at intake was never received and only
  counts among the refused.

Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

VN_TZ: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
LATE_SUPPLEMENTS = 2  # this many supplement requests make a dossier late


class Outcome(StrEnum):
    """A dossier's standing in a period."""

    EARLY = "early"  # done before the due day
    ON_TIME = "on_time"  # done on the due day, at or before the due time
    LATE = "late"  # done after the due time (or asked for supplements twice)
    WITHIN = "within"  # not done yet, still within its time
    OVERDUE = "overdue"  # not done yet, past its time


class Ending(StrEnum):
    """How a done dossier ended (the first terminal status)."""

    RESULT = "result"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Timing:
    """What the rules need of one dossier. Times are timezone-aware."""

    accepted_at: datetime | None  # when the clock's dossier was received (None: never accepted)
    due: datetime | None  # the due time judged against: the original one when extended
    done_at: datetime | None = None  # first terminal status
    ending: Ending | None = None  # which terminal status
    supplement_requests: int = 0  # supplement requests during processing
    awaiting_since: datetime | None = None  # the pending supplement request, if any
    extended: bool = False  # Mẫu 04 issued
    requested: tuple[datetime, ...] = ()  # when each supplement request was made (the counts)
    extended_at: datetime | None = None  # when Mẫu 04 was issued (the count)


def judged_due(due_at: datetime | None, original_due_at: datetime | None) -> datetime | None:
    """The due time a dossier is judged against: the original one when it was extended."""
    return original_due_at or due_at


def local_day(at: datetime) -> date:
    """The day of ``at`` in Viet Nam."""
    return at.astimezone(VN_TZ).date()


def outcome(timing: Timing, *, as_of: datetime) -> Outcome:
    """The standing of an accepted dossier at ``as_of``."""
    due = timing.due
    twice = timing.supplement_requests >= LATE_SUPPLEMENTS
    if timing.done_at is not None and timing.done_at <= as_of:
        if twice or (due is not None and timing.done_at > due):
            return Outcome.LATE
        if due is not None and local_day(timing.done_at) < local_day(due):
            return Outcome.EARLY
        return Outcome.ON_TIME
    measured = as_of
    if timing.awaiting_since is not None and timing.awaiting_since <= as_of:
        measured = timing.awaiting_since
    if twice or (due is not None and measured > due):
        return Outcome.OVERDUE
    return Outcome.WITHIN


@dataclass(frozen=True)
class Period:
    """A reporting period, ``start`` included, ``end`` excluded."""

    start: datetime
    end: datetime

    @classmethod
    def half_year(cls, year: int, half: int) -> Period:
        """The calendar half-year (1: January–June, 2: July–December), Viet Nam time."""
        if half not in (1, 2):
            raise ValueError("half is 1 or 2")
        start = date(year, 1 if half == 1 else 7, 1)
        end = date(year, 7, 1) if half == 1 else date(year + 1, 1, 1)
        return cls(datetime.combine(start, time(), VN_TZ), datetime.combine(end, time(), VN_TZ))

    @classmethod
    def days(cls, first: date, last: date) -> Period:
        """From the start of ``first`` to the end of ``last``, Viet Nam time."""
        if last < first:
            raise ValueError("the period ends before it starts")
        return cls(datetime.combine(first, time(), VN_TZ),
                   datetime.combine(last + timedelta(days=1), time(), VN_TZ))

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in the period."""
        return self.start <= moment < self.end


@dataclass
class Tally:
    """The figures of one period (one row of the report)."""

    carried_over: int = 0
    new: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    within: int = 0
    overdue: int = 0
    refused: int = 0
    withdrawn: int = 0
    supplement_requests: int = 0
    extended: int = 0

    @property
    def received(self) -> int:
        """Carried over plus new."""
        return self.carried_over + self.new

    @property
    def done(self) -> int:
        """Early plus on time plus late."""
        return self.early + self.on_time + self.late

    def add(self, other: Tally) -> None:
        """Add ``other``'s figures to these."""
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


def count(timing: Timing, period: Period, *, now: datetime) -> Tally:
    """One dossier's contribution to ``period``'s figures (all zero when it is not in it)."""
    out = Tally()
    as_of = min(period.end, now)
    done_in = timing.done_at is not None and period.start <= timing.done_at < period.end
    if timing.accepted_at is None:  # refused at intake: never received
        out.refused = int(done_in and timing.ending == Ending.REFUSED)
        return out
    if timing.accepted_at >= period.end or (
            timing.done_at is not None and timing.done_at < period.start):
        return out
    if timing.accepted_at < period.start:
        out.carried_over = 1
    else:
        out.new = 1
    standing = outcome(timing if done_in else _not_done(timing), as_of=as_of)
    setattr(out, standing.value, 1)
    out.refused = int(done_in and timing.ending == Ending.REFUSED)
    out.withdrawn = int(done_in and timing.ending == Ending.WITHDRAWN)
    # Requests and letters are counted in the period they were made, not per dossier present.
    out.supplement_requests = sum(1 for at in timing.requested if period.contains(at))
    out.extended = int(timing.extended_at is not None and period.contains(timing.extended_at))
    return out


def _not_done(timing: Timing) -> Timing:
    """``timing`` as it stood before it was done (done after the period)."""
    return Timing(accepted_at=timing.accepted_at, due=timing.due,
                  supplement_requests=timing.supplement_requests,
                  awaiting_since=timing.awaiting_since if timing.done_at is None else None,
                  extended=timing.extended)


def tally(timings: Iterable[Timing], period: Period, *, now: datetime) -> Tally:
    """The figures of ``period`` over ``timings``."""
    total = Tally()
    for timing in timings:
        total.add(count(timing, period, now=now))
    return total
