"""Fixtures of the accounts tests: two agencies, their managers, a province administrator, and
helpers for real TOTP codes and frozen time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pyotp
import pytest

from vanban.accounts.models import TOTPDevice, User
from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit

PASSWORD = "Mật-khẩu-Thử-123"
STRONG = "Bắc-Giang-2025!x"
T0 = datetime(2025, 3, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def agency_x(make_agency: Callable[..., Agency]) -> Agency:
    return make_agency("000.00.31.H06", name="Sở Tư pháp", short_name="STP")


@pytest.fixture
def agency_y(make_agency: Callable[..., Agency]) -> Agency:
    return make_agency("000.00.32.H06", name="Sở Y tế", short_name="SYT")


@pytest.fixture
def agency_ict(make_agency: Callable[..., Agency]) -> Agency:
    return make_agency("000.00.22.H06", name="Sở Thông tin và Truyền thông", short_name="STTTT")


@pytest.fixture
def unit_x(agency_x: Agency) -> Unit:
    return Unit.objects.create(agency=agency_x, code="VP", name="Văn phòng Sở",
                               created_at=clock.now())


@pytest.fixture
def unit_y(agency_y: Agency) -> Unit:
    return Unit.objects.create(agency=agency_y, code="VP", name="Văn phòng Sở Y tế",
                               created_at=clock.now())


@pytest.fixture
def head_x(make_user: Callable[..., User], agency_x: Agency) -> User:
    return make_user(agency_x, roles=[Role.HEAD], username="head_x")


@pytest.fixture
def clerk_x(make_user: Callable[..., User], agency_x: Agency) -> User:
    return make_user(agency_x, roles=[Role.CLERK], username="clerk_x")


@pytest.fixture
def head_y(make_user: Callable[..., User], agency_y: Agency) -> User:
    return make_user(agency_y, roles=[Role.HEAD], username="head_y")


@pytest.fixture
def province_admin(make_user: Callable[..., User], agency_ict: Agency) -> User:
    return make_user(agency_ict, roles=[Role.PROVINCE_ADMIN], username="province_admin")


def confirmed_device(user: User, secret: str | None = None) -> TOTPDevice:
    """A confirmed TOTP device (test set-up; enrolment itself is tested through the services)."""
    device = TOTPDevice(user=user, confirmed_at=clock.now(), created_at=clock.now())
    device.secret = secret or pyotp.random_base32()
    device.save()
    return device


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    """The authenticator app's code at the (possibly frozen) current time, ``offset`` steps on."""
    return pyotp.TOTP(device.secret).at(clock.now(), counter_offset=offset)
