"""Tries of the tracking page (spec §11, ``portal.secret``): at most ``track_tries`` wrong
code-and-secret pairs per client address, and per client address and code, in a window of
``track_minutes``.

Counted on fixed windows with ``cache.add`` and ``cache.incr``, which are atomic in Django's
cache backends, so concurrent tries cannot lose a count. A code is never locked for everyone:
an attacker trying one code from many addresses does not keep its applicant out (an 8-letter
secret cannot be guessed in a few tries per address anyway). Production runs several processes:
give them one shared cache (``CACHES``, e.g. Redis or Memcached) — a per-process cache counts
per process and lets the limit be multiplied by their number.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from django.core.cache import cache

from vanban.core import clock
from vanban.onestop.portal import config

_PREFIX = "portal_track"


def _window() -> tuple[int, int]:
    """(the current window's number, its length in seconds)."""
    length = config.track_minutes() * 60
    return int(clock.now().timestamp()) // length, length


def _keys(ip: str, code: str, window: int) -> list[str]:
    digest = hashlib.sha256(code.strip().upper().encode()).hexdigest()[:32]
    client = ip or "-"
    return [f"{_PREFIX}:{window}:ip:{client}", f"{_PREFIX}:{window}:pair:{client}:{digest}"]


def blocked_until(ip: str, code: str) -> datetime | None:
    """When the next try is allowed (the end of the window), or None when it is allowed now."""
    window, length = _window()
    counts = cache.get_many(_keys(ip, code, window))
    if any(int(n) >= config.track_tries() for n in counts.values()):
        return datetime.fromtimestamp((window + 1) * length, tz=UTC)
    return None


def failure_record(ip: str, code: str) -> None:
    """Count one wrong pair for the address, and for the address and the code."""
    window, length = _window()
    for key in _keys(ip, code, window):
        cache.add(key, 0, length + 60)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls: this try starts the count
            cache.add(key, 1, length + 60)
