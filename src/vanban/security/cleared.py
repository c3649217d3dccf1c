"""Files the quarantine has just found clean, while it releases them through the very service
that received them: that service's intake does not scan them a second time. Its own module so
that the intake and the quarantine both use it without importing each other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar

_cleared: ContextVar[frozenset[str]] = ContextVar("vanban_security_cleared", default=frozenset())


@contextlib.contextmanager
def cleared(sha256s: Sequence[str]) -> Iterator[None]:
    """Within the block, files with these SHA-256s count as scanned clean."""
    token = _cleared.set(_cleared.get() | frozenset(sha256s))
    try:
        yield
    finally:
        _cleared.reset(token)


def cleared_now() -> frozenset[str]:
    """The SHA-256s that count as scanned clean in this context."""
    return _cleared.get()
