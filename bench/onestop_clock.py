"""One-stop clock benchmark (issue 12, R12.1): due dates per second for dossiers spread over
2025–2026 with limits from ½ to 30 working days or 1 to 40 working hours, beside the shared
whole-day arithmetic (``WorkCalendar.add_working_days``) on the same dossiers in the same run.

Two figures: the due time alone (clock start + due, what intake stores) and the full answer
(also the days counted and skipped, the provisional flag: what ``vanban onestop due-date``
prints). Pure: no database. Run alone with ``python -m bench.onestop_clock``.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from bench import Result, markdown


def _dossiers(count: int) -> list[tuple[datetime, Decimal, str]]:
    from vanban.core.clock import VN_TZ

    draw = random.Random(12)
    first = datetime(2025, 1, 1, tzinfo=VN_TZ)
    out = []
    for _ in range(count):
        received = first + timedelta(minutes=draw.randrange(0, 2 * 365 * 24 * 60))
        if draw.random() < 0.8:
            out.append((received, Decimal(draw.randrange(1, 61)) / 2, "working_days"))
        else:
            out.append((received, Decimal(draw.randrange(1, 41)), "working_hours"))
    return out


def _rate(work: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


def run(args: argparse.Namespace) -> list[Result]:
    """Due dates per second, ours beside the whole-day baseline."""
    from vanban.core.workdays import WorkCalendar
    from vanban.onestop.core.calendar_schedule import ClockCalendar
    from vanban.onestop.core.clock import Limit, Unit, appointment, clock_start, due_at

    count = int(getattr(args, "clock_dossiers", 20_000))
    dossiers = _dossiers(count)
    limits = [(received, Limit(value, Unit(unit))) for received, value, unit in dossiers]
    calendar = ClockCalendar.of(WorkCalendar())
    base = WorkCalendar()

    def baseline() -> list[date]:
        return [base.add_working_days(received.date(), int(value.to_integral_value()))
                for received, value, _unit in dossiers]

    def due_only() -> list[datetime]:
        return [due_at(clock_start(received, calendar), limit, calendar)
                for received, limit in limits]

    def full() -> list[object]:
        return [appointment(received, limit, calendar) for received, limit in limits]

    baseline()  # warm the holiday tables of both
    due_only()
    base_rate = _rate(baseline, count)
    ours_due = _rate(due_only, count)
    ours_full = _rate(full, count)
    base_again = _rate(baseline, count)
    base_rate = max(base_rate, base_again)
    name = "whole working days (WorkCalendar.add_working_days)"
    return [
        Result(f"One-stop clock: due time, {count:,} dossiers", ours_due, "dossiers/s", name,
               base_rate, "≥ 1,000/s"),
        Result("One-stop clock: full answer (days counted, skipped, provisional)", ours_full,
               "dossiers/s", name, base_rate, "—"),
    ]


def main() -> None:
    """Run alone: ``python -m bench.onestop_clock [--clock-dossiers N]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.onestop_clock", description=__doc__)
    parser.add_argument("--clock-dossiers", type=int, default=20_000)
    print(markdown(run(parser.parse_args())))


if __name__ == "__main__":
    main()
