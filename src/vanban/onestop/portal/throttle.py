"""Tries of the tracking page (spec §11, ``portal.secret``): at most ``track_tries`` wrong
code-and-secret pairs per client address and per code in ``track_minutes``.

The same sliding window as the API's per-token limit (Django REST framework's
``SimpleRateThrottle``): the times of recent tries kept in Django's cache under one key per
address and one per code. A code is counted whether it exists or not, so the limit tells
nothing about which codes exist. Production runs several processes: give them one shared cache
(``CACHES``, e.g. Redis) so the limit holds across them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.core.cache import cache

from vanban.core import clock
from vanban.onestop.portal import config

_PREFIX = "portal_track"


def _keys(ip: str, code: str) -> list[str]:
    digest = hashlib.sha256(code.strip().upper().encode()).hexdigest()[:32]
    return [f"{_PREFIX}:ip:{ip or '-'}", f"{_PREFIX}:code:{digest}"]


def _recent(key: str, now: datetime) -> list[float]:
    since = (now - timedelta(minutes=config.track_minutes())).timestamp()
    return [t for t in cache.get(key, []) if t > since]


def blocked_until(ip: str, code: str) -> datetime | None:
    """When the next try is allowed, or None when it is allowed now."""
    now = clock.now()
    limit = config.track_tries()
    ends: list[datetime] = []
    for key in _keys(ip, code):
        recent = _recent(key, now)
        if len(recent) >= limit:
            oldest = sorted(recent)[len(recent) - limit]
            ends.append(datetime.fromtimestamp(oldest, tz=now.tzinfo)
                        + timedelta(minutes=config.track_minutes()))
    return max(ends) if ends else None


def failure_record(ip: str, code: str) -> None:
    """Count one wrong pair for the address and for the code."""
    now = clock.now()
    window = config.track_minutes() * 60
    for key in _keys(ip, code):
        cache.set(key, [*_recent(key, now), now.timestamp()], window)
