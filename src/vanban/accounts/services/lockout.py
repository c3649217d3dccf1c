"""Sign-in throttling (R20.2) that a stranger cannot turn against the owner of an account.

Failures are counted per (typed username, client address): after ``VANBAN_LOCKOUT_THRESHOLD``
of them that pair is refused for ``VANBAN_LOCKOUT_MINUTES``, doubled at each further lock up to
``VANBAN_LOCKOUT_MAX_MINUTES``. Failures from one address across all usernames are counted too:
after ``VANBAN_LOCKOUT_IP_THRESHOLD`` the address itself waits, with the same back-off. A quiet
``VANBAN_LOCKOUT_MAX_MINUTES`` forgets a row's history. Unknown usernames are counted exactly
like known ones, so the lockout tells nothing about which accounts exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from vanban.accounts.models import LoginThrottle, User
from vanban.core import clock

Scope = LoginThrottle.Scope


def username_key(username: str) -> str:
    """The form a username is counted under (usernames are case-insensitive)."""
    return username.strip().lower()[:150]


def backoff(locks: int) -> timedelta:
    """How long the ``locks``-th lock in a row lasts: doubling, capped."""
    base = settings.VANBAN_LOCKOUT_MINUTES
    cap = settings.VANBAN_LOCKOUT_MAX_MINUTES
    return timedelta(minutes=min(cap, base * 2 ** max(0, min(locks - 1, 20))))


def blocked_until(username: str, ip: str) -> datetime | None:
    """When sign-in of ``username`` from ``ip`` may be tried again, or None when it may now."""
    now = clock.now()
    ends = LoginThrottle.objects.filter(locked_until__gt=now).filter(
        scope=Scope.ACCOUNT_IP, username=username_key(username), ip=ip
    ).values_list("locked_until", flat=True)
    ip_ends = LoginThrottle.objects.filter(
        scope=Scope.IP, username="", ip=ip, locked_until__gt=now
    ).values_list("locked_until", flat=True)
    found = [t for t in (*ends, *ip_ends) if t is not None]
    return max(found) if found else None


def _row(scope: str, username: str, ip: str) -> LoginThrottle:
    """The locked row of a counter, created on first use."""
    now = clock.now()
    found = LoginThrottle.objects.select_for_update().filter(
        scope=scope, username=username, ip=ip).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LoginThrottle.objects.create(scope=scope, username=username, ip=ip,
                                                last_failure_at=now)
    except IntegrityError:  # created by a concurrent failure
        return LoginThrottle.objects.select_for_update().get(scope=scope, username=username,
                                                             ip=ip)


def _count(row: LoginThrottle, threshold: int) -> datetime | None:
    """One more failure on ``row``; returns the lock's end when this failure locks."""
    now = clock.now()
    if now - row.last_failure_at > timedelta(minutes=settings.VANBAN_LOCKOUT_MAX_MINUTES):
        row.failures, row.locks = 0, 0
    row.failures += 1
    row.last_failure_at = now
    until = None
    if row.failures >= threshold:
        row.locks += 1
        row.failures = 0
        until = row.locked_until = now + backoff(row.locks)
    row.save()
    return until


def failure_record(username: str, ip: str) -> datetime | None:
    """Count a failure for (username, ip) and for ip, in the caller's transaction. Returns the
    end of the lock this failure set on the (username, ip) pair, if it set one."""
    key = username_key(username)
    pair = _count(_row(Scope.ACCOUNT_IP, key, ip), settings.VANBAN_LOCKOUT_THRESHOLD)
    _count(_row(Scope.IP, "", ip), settings.VANBAN_LOCKOUT_IP_THRESHOLD)
    return pair


def success_record(username: str, ip: str) -> None:
    """Forget the pair's failures after a successful sign-in (the address's stay counted)."""
    LoginThrottle.objects.filter(scope=Scope.ACCOUNT_IP, username=username_key(username),
                                 ip=ip).delete()


def clear_login_throttle(user: User) -> None:
    """Lift every lock of ``user``'s username, from every address (unlock, password reset)."""
    LoginThrottle.objects.filter(scope=Scope.ACCOUNT_IP,
                                 username=username_key(user.username)).delete()
