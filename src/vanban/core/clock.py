"""The only place that reads the clock, so tests can freeze time (deadlines over Tết, expiry).

Pure Python: no Django import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

VN_TZ: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
_frozen: list[datetime] = []


def now() -> datetime:
    """Current time, timezone-aware UTC (or the frozen time inside :func:`frozen`)."""
    if _frozen:
        return _frozen[-1]
    return datetime.now(UTC)


def local_now() -> datetime:
    """Current time in Asia/Ho_Chi_Minh, for working-day and display logic."""
    return now().astimezone(VN_TZ)


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Freeze :func:`now` at ``at`` (must be timezone-aware) for the duration of the block."""
    if at.tzinfo is None:
        raise ValueError("frozen() needs a timezone-aware datetime")
    _frozen.append(at.astimezone(UTC))
    try:
        yield
    finally:
        _frozen.pop()
