"""Second factor (R20.2): enrolment, confirmation and verification with real TOTP codes,
replay refused, removal by the user or a staff manager."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pyotp
import pytest

from vanban.accounts import services
from vanban.accounts.models import TOTPDevice, User
from vanban.accounts.services import AccountLockedError, LoginError
from vanban.accounts.tests.conftest import T0, code_for, confirmed_device
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vanban.core.roles import Role

pytestmark = pytest.mark.django_db


def test_enrol_and_confirm(clerk_x: User) -> None:
    """R20.2: a new secret is unconfirmed until a correct code from the app confirms it."""
    with clock.frozen(T0):
        device = services.totp_enrol_start(user=clerk_x)
        assert device.confirmed_at is None
        assert not services.has_confirmed_device(clerk_x)
        assert "otpauth://totp/" in services.provisioning_uri(device)
        with pytest.raises(ValidationFailed):
            services.totp_enrol_confirm(user=clerk_x, code="000000" if code_for(device) != "000000"
                                        else "111111")
        services.totp_enrol_confirm(user=clerk_x, code=code_for(device))
    assert services.has_confirmed_device(clerk_x)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"totp.enrol_started", "totp.failed", "totp.enrolled"} <= actions


def test_enrol_again_refused_while_on(clerk_x: User) -> None:
    """R20.2: a working second factor is not silently replaced."""
    confirmed_device(clerk_x)
    with pytest.raises(Conflict):
        services.totp_enrol_start(user=clerk_x)


def test_verify_refuses_replay(clerk_x: User) -> None:
    """R20.2: a code is accepted once; the same time step (or an earlier one) never again."""
    device = confirmed_device(clerk_x)
    with clock.frozen(T0):
        code = code_for(device)
        services.totp_verify(user=clerk_x, code=code)
        with pytest.raises(ValidationFailed):
            services.totp_verify(user=clerk_x, code=code)
        with pytest.raises(ValidationFailed):
            services.totp_verify(user=clerk_x, code=code_for(device, -1))
        services.totp_verify(user=clerk_x, code=code_for(device, +1))  # clock drift allowed
    assert AuditEvent.objects.filter(action="totp.failed").count() == 2
    assert AuditEvent.objects.filter(action="totp.verified").count() == 2


def test_verify_window_is_one_step(clerk_x: User) -> None:
    """R20.2: valid_window=1, so a code two steps (60 s) old is refused."""
    device = confirmed_device(clerk_x)
    with clock.frozen(T0):
        old = code_for(device)
    with clock.frozen(T0 + timedelta(seconds=61)), pytest.raises(ValidationFailed):
        services.totp_verify(user=clerk_x, code=old)
    with clock.frozen(T0 + timedelta(seconds=30)):
        services.totp_verify(user=clerk_x, code=old)


def test_wrong_codes_count_towards_lockout(clerk_x: User) -> None:
    """R20.2: guessing codes at the second sign-in step locks the account like passwords."""
    device = confirmed_device(clerk_x)
    wrong = "123456" if code_for(device) != "123456" else "654321"
    for _ in range(4):
        with pytest.raises(LoginError):
            services.login_second_factor(user=clerk_x, code=wrong, ip="10.0.0.9")
    with pytest.raises(AccountLockedError):
        services.login_second_factor(user=clerk_x, code=wrong, ip="10.0.0.9")
    with pytest.raises(AccountLockedError):
        services.login_second_factor(user=clerk_x, code=code_for(device), ip="10.0.0.9")


def test_disable_by_user_needs_a_code(clerk_x: User) -> None:
    """R20.2: the user turns 2FA off only with a current code."""
    device = confirmed_device(clerk_x)
    with pytest.raises(ValidationFailed):
        services.totp_disable(actor=clerk_x, user=clerk_x, code="")
    assert TOTPDevice.objects.filter(user=clerk_x).exists()
    services.totp_disable(actor=clerk_x, user=clerk_x, code=code_for(device))
    assert not TOTPDevice.objects.filter(user=clerk_x).exists()
    assert AuditEvent.objects.filter(action="totp.disabled", actor_id=clerk_x.pk).exists()


def test_disable_by_manager_only_in_own_agency(clerk_x: User, head_x: User, head_y: User,
                                               make_user: Callable[..., User]) -> None:
    """R20.1, R1.1: the agency's head may remove a lost phone's device; another agency's may not."""
    confirmed_device(clerk_x)
    with pytest.raises(NotFound):
        services.totp_disable(actor=head_y, user=clerk_x)
    other_clerk = make_user(clerk_x.agency, roles=[Role.CLERK])
    with pytest.raises(Forbidden):
        services.totp_disable(actor=other_clerk, user=clerk_x)
    assert TOTPDevice.objects.filter(user=clerk_x).exists()
    services.totp_disable(actor=head_x, user=clerk_x)
    assert not TOTPDevice.objects.filter(user=clerk_x).exists()
    assert AuditEvent.objects.filter(action="totp.disable.denied").count() == 2


def test_real_app_code_matches(clerk_x: User) -> None:
    """R20.2: a code made by pyotp's own ``now()`` (what an app shows) is accepted."""
    device = confirmed_device(clerk_x)
    services.totp_verify(user=clerk_x, code=pyotp.TOTP(device.secret).now())
