"""Whether the seals cover the chain as the schedule promises (R14.3).

An administrator who deletes seal rows and then rewrites the events they covered leaves a chain
that is internally consistent; what gives it away is the schedule: a seal is due at every multiple
of ``VANBAN_AUDIT_SEAL_EVERY`` and no event may stay unsealed for more than two periods of
``VANBAN_AUDIT_SEAL_SECONDS``. Pure logic over seal rows and event times, so the rule is tested
without a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from vanban.audit.findings import Failure, FailureKind, SealRow
from vanban.audit.schedule import Schedule


def _missing(seq: int, vi_why: str, en_why: str) -> Failure:
    return Failure(seq, FailureKind.SEAL_MISSING,
                   f"Thiếu dấu niêm phong: sự kiện #{seq} lẽ ra đã được niêm phong ({vi_why}); "
                   f"dấu niêm phong có thể đã bị xoá để viết lại các sự kiện từ #{seq}.",
                   f"A seal is missing: event #{seq} should have been sealed ({en_why}); seals "
                   f"may have been deleted to rewrite the events from #{seq}.")


def coverage_failure(*, seals: Sequence[SealRow], last_seq: int, schedule: Schedule,
                     first_unsealed_at: Mapping[int, datetime], now: datetime) -> Failure | None:
    """The first place the seals fall short of ``schedule`` on a chain that ends at
    ``last_seq``. ``first_unsealed_at[s]`` is the time of event ``s + 1`` for ``s`` = 0 and every
    sealed ``s`` (the first event each seal left uncovered)."""
    sealed = sorted({s.seq for s in seals if s.seq <= last_seq})
    seal_at = {s.seq: datetime.fromisoformat(s.at_iso) for s in seals}
    previous = 0
    for seq in [*sealed, None]:
        end = last_seq if seq is None else seq
        if end <= previous:
            break
        if schedule.every > 0:
            due = (previous // schedule.every + 1) * schedule.every
            if due < end or (seq is None and due == end):
                return _missing(due, f"cứ {schedule.every} sự kiện một lần",
                                f"every {schedule.every} events")
        started = first_unsealed_at.get(previous)
        if schedule.seconds > 0 and started is not None:
            covered = now if seq is None else seal_at[seq]
            if (covered - started).total_seconds() > 2 * schedule.seconds:
                return _missing(previous + 1, f"quá {int(2 * schedule.seconds)} giây chưa "
                                f"niêm phong", f"unsealed for more than "
                                f"{int(2 * schedule.seconds)} seconds")
        if seq is None:
            break
        previous = seq
    return None
