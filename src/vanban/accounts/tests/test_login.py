"""Sign-in checks (R20.2, R16.2): lockout after repeated failures, unlock after the period,
every success, failure and lockout on the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from vanban.accounts import services
from vanban.accounts.models import User
from vanban.accounts.services import AccountLockedError, LoginError
from vanban.accounts.tests.conftest import PASSWORD, T0
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency

pytestmark = pytest.mark.django_db


def _fail(username: str, times: int) -> list[Exception]:
    errors: list[Exception] = []
    for _ in range(times):
        with pytest.raises((LoginError, AccountLockedError)) as caught:
            services.login_attempt(username=username, password="sai-mat-khau", ip="10.0.0.9")
        errors.append(caught.value)
    return errors


def test_success_returns_user_and_is_audited(clerk_x: User) -> None:
    """R16.2: a successful sign-in is recorded with the address it came from."""
    user = services.login_attempt(username="CLERK_X", password=PASSWORD, ip="10.0.0.1")
    assert user.pk == clerk_x.pk
    event = AuditEvent.objects.get(action="login.succeeded")
    assert event.actor_id == clerk_x.pk
    assert "10.0.0.1" in event.data


def test_lockout_after_five_failures(clerk_x: User) -> None:
    """R20.2: the fifth consecutive failure from one address pauses that address for the
    account; then even the right password is refused there, with the same message."""
    errors = _fail("clerk_x", 5)
    assert all(isinstance(e, LoginError) for e in errors)
    clerk_x.refresh_from_db()
    assert services.lock_end(clerk_x) is not None
    with pytest.raises(LoginError) as caught:
        services.login_attempt(username="clerk_x", password=PASSWORD, ip="10.0.0.9")
    first = errors[0]
    assert isinstance(first, LoginError)
    assert caught.value.vi == first.vi


def test_lockout_audited(clerk_x: User) -> None:
    """R16.2: failures, the lockout and the refused attempt while locked are all on record."""
    _fail("clerk_x", 5)
    with pytest.raises(LoginError):
        services.login_attempt(username="clerk_x", password=PASSWORD, ip="10.0.0.9")
    actions = list(AuditEvent.objects.filter(object_id=str(clerk_x.pk))
                   .values_list("action", flat=True))
    assert actions.count("login.failed") == 5
    assert actions.count("account.locked") == 1
    assert actions[-1] == "login.refused_locked"
    assert not any("sai-mat-khau" in e.data for e in AuditEvent.objects.all())


def test_unlock_after_lockout_period(make_user: Callable[..., User], agency_x: Agency) -> None:
    """R20.2: the lock lasts VANBAN_LOCKOUT_MINUTES (15), then the right password works."""
    with clock.frozen(T0):
        user = make_user(agency_x, roles=[Role.CLERK])
        _fail(user.username, 5)
    with clock.frozen(T0 + timedelta(minutes=14)), pytest.raises(LoginError):
        services.login_attempt(username=user.username, password=PASSWORD, ip="10.0.0.9")
    with clock.frozen(T0 + timedelta(minutes=16)):
        assert services.login_attempt(username=user.username, password=PASSWORD,
                                      ip="10.0.0.9").pk == user.pk
        user.refresh_from_db()
        assert user.failed_logins == 0
        assert services.lock_end(user) is None


def test_success_resets_the_failure_count(clerk_x: User) -> None:
    """R20.2: only consecutive failures count."""
    _fail("clerk_x", 4)
    services.login_attempt(username="clerk_x", password=PASSWORD, ip="10.0.0.9")
    errors = _fail("clerk_x", 4)
    assert all(isinstance(e, LoginError) for e in errors)


def test_unknown_username_same_message_as_wrong_password(clerk_x: User) -> None:
    """R20.2: the message does not reveal whether a username exists."""
    with pytest.raises(LoginError) as unknown:
        services.login_attempt(username="khong_co", password=PASSWORD, ip="10.0.0.9")
    with pytest.raises(LoginError) as wrong:
        services.login_attempt(username="clerk_x", password="sai", ip="10.0.0.9")
    assert (unknown.value.vi, unknown.value.en) == (wrong.value.vi, wrong.value.en)
    assert AuditEvent.objects.filter(action="login.failed").count() == 2


def test_inactive_account_refused(clerk_x: User) -> None:
    """R16.2: a deactivated account cannot sign in, with the generic message."""
    clerk_x.is_active = False
    clerk_x.save()
    with pytest.raises(LoginError):
        services.login_attempt(username="clerk_x", password=PASSWORD, ip="10.0.0.9")
