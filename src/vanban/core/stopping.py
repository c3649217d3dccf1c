"""Service loops (``checks scheduler``, ``notices run --loop``, ``mail gateway``) stop on
SIGTERM or SIGINT after the pass in hand, so a pass is never cut in half by a stop."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def stop_on_signal() -> Iterator[list[int]]:
    """While inside, SIGTERM and SIGINT append their number to the yielded list instead of
    ending the process; the loop checks the list between passes. The previous handlers are put
    back on leaving."""
    stop: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
