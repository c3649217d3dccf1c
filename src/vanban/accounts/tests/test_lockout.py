"""Lockout that a stranger cannot turn against an account's owner and that reveals no
usernames (R20.2, R16.2; issue 9, observed case 9)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client
from pytest_django.fixtures import Settings

from vanban.accounts import services
from vanban.accounts.models import LoginThrottle, User
from vanban.accounts.services import LoginError
from vanban.accounts.tests.conftest import PASSWORD, T0
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency

pytestmark = pytest.mark.django_db
STRANGER, OWNER = "203.0.113.66", "10.0.0.1"


def _fail(username: str, ip: str, times: int) -> list[LoginError]:
    errors = []
    for _ in range(times):
        with pytest.raises(LoginError) as caught:
            services.login_attempt(username=username, password="sai-mat-khau", ip=ip)
        errors.append(caught.value)
    return errors


def test_stranger_cannot_lock_the_owner_out(clerk_x: User) -> None:
    """R20.2 (issue 9 case 9): twenty wrong passwords from a stranger's address do not stop
    the owner signing in from their own address; the stranger stays refused."""
    _fail("clerk_x", STRANGER, 20)
    assert services.login_attempt(username="clerk_x", password=PASSWORD, ip=OWNER).pk == \
        clerk_x.pk
    with pytest.raises(LoginError):
        services.login_attempt(username="clerk_x", password=PASSWORD, ip=STRANGER)


def test_same_answer_for_unknown_wrong_and_locked(clerk_x: User) -> None:
    """R20.2 (issue 9 case 9): an unknown username, a wrong password and a locked pair give
    the same message and code; an unknown username locks exactly like a known one."""
    unknown = _fail("khong_ton_tai", STRANGER, 6)
    wrong = _fail("clerk_x", STRANGER, 6)
    with pytest.raises(LoginError) as locked:
        services.login_attempt(username="clerk_x", password=PASSWORD, ip=STRANGER)
    answers = {(e.vi, e.en, e.code, e.status) for e in [*unknown, *wrong, locked.value]}
    assert len(answers) == 1
    refused = AuditEvent.objects.filter(action="login.refused_locked")
    assert {e.data.count("khong_ton_tai") for e in refused} >= {1}
    assert AuditEvent.objects.filter(action="account.locked").count() == 2


def test_backoff_doubles(make_user: Callable[..., User], agency_x: Agency) -> None:
    """R20.2: each further lock of the same pair lasts twice as long (15, then 30 minutes)."""
    with clock.frozen(T0):
        user = make_user(agency_x, roles=[Role.CLERK])
        _fail(user.username, STRANGER, 5)
    with clock.frozen(T0 + timedelta(minutes=16)):
        _fail(user.username, STRANGER, 5)
    with clock.frozen(T0 + timedelta(minutes=16 + 29)), pytest.raises(LoginError):
        services.login_attempt(username=user.username, password=PASSWORD, ip=STRANGER)
    with clock.frozen(T0 + timedelta(minutes=16 + 31)):
        assert services.login_attempt(username=user.username, password=PASSWORD,
                                      ip=STRANGER).pk == user.pk


def test_address_limit_across_accounts(settings: Settings, clerk_x: User,
                                       head_x: User) -> None:
    """R20.2: one address guessing many usernames is paused as a whole after
    VANBAN_LOCKOUT_IP_THRESHOLD failures, also for an account it never tried."""
    settings.VANBAN_LOCKOUT_IP_THRESHOLD = 8
    for n in range(8):
        _fail(f"doan_{n}", STRANGER, 1)
    with pytest.raises(LoginError):
        services.login_attempt(username="head_x", password=PASSWORD, ip=STRANGER)
    assert services.login_attempt(username="head_x", password=PASSWORD, ip=OWNER).pk == \
        head_x.pk


def test_unlock_lifts_every_address(head_x: User, clerk_x: User) -> None:
    """R20.2: the manager's unlock clears the account's locks from every address."""
    _fail("clerk_x", STRANGER, 5)
    clerk_x.refresh_from_db()
    assert services.lock_end(clerk_x) is not None
    services.staff_unlock(actor=head_x, user=clerk_x)
    assert not LoginThrottle.objects.filter(username="clerk_x").exists()
    assert services.login_attempt(username="clerk_x", password=PASSWORD, ip=STRANGER)


def test_login_page_same_text(client: Client, clerk_x: User) -> None:
    """R20.2: the sign-in page shows the same text for an unknown name and a wrong password."""
    def message(username: str) -> str:
        page = client.post("/accounts/login/", {"username": username, "password": "x"})
        body = page.content.decode()
        start = body.index("Tên đăng nhập hoặc mật khẩu không đúng")
        return body[start:start + 200]
    assert message("khong_co_ai") == message("clerk_x")


class _TimedHasher(PBKDF2PasswordHasher):
    """A real PBKDF2 with fewer rounds: enough work to dominate a sign-in's time."""

    iterations = 60_000


def test_similar_timing_for_unknown_and_known(settings: Settings,
                                              make_user: Callable[..., User],
                                              agency_x: Agency) -> None:
    """R20.2: an unknown username costs a password hash like a known one, so the answer's
    time does not tell which usernames exist (median of five, within a factor of two)."""
    settings.PASSWORD_HASHERS = [f"{__name__}._TimedHasher"]
    make_user(agency_x, roles=[Role.CLERK], username="co_that")

    def timed(username: str, n: int) -> float:
        start = time.perf_counter()
        with pytest.raises(LoginError):
            services.login_attempt(username=username, password="sai", ip=f"10.9.0.{n}")
        return time.perf_counter() - start

    known = statistics.median(timed("co_that", n) for n in range(5))
    unknown = statistics.median(timed("khong_co", n) for n in range(5))
    assert 0.5 < unknown / known < 2.0, (known, unknown)
