"""Fixtures of the directory tests: a small province and staff with the roles that matter."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vanban.core.roles import Role
from vanban.directory.models import Agency, AgencyKind


@pytest.fixture
def province(make_agency: Callable[..., Agency]) -> Agency:
    """UBND tỉnh (root of the tree)."""
    return make_agency("000.00.00.H99", name="UBND tỉnh (thử)", short_name="UBND",
                       kind=AgencyKind.PROVINCE)


@pytest.fixture
def stttt(make_agency: Callable[..., Agency], province: Agency) -> Agency:
    """Sở Thông tin và Truyền thông, home of the province administrator."""
    return make_agency("000.00.16.H99", name="Sở Thông tin và Truyền thông", short_name="STTTT",
                       parent=province, mailbox="stttt@demo.bacgiang.gov.vn")


@pytest.fixture
def agency_x(make_agency: Callable[..., Agency], province: Agency) -> Agency:
    """An ordinary department."""
    return make_agency("000.00.02.H99", name="Sở Nội vụ", short_name="SNV", parent=province)


@pytest.fixture
def agency_y(make_agency: Callable[..., Agency], province: Agency) -> Agency:
    """Another department, whose units agency X's staff must not see (R1.1)."""
    return make_agency("000.00.03.H99", name="Sở Tài chính", short_name="STC", parent=province)


@pytest.fixture
def admin(make_user: Callable[..., object], stttt: Agency) -> object:
    """The province administrator."""
    return make_user(stttt, roles=[Role.PROVINCE_ADMIN], username="qttinh")


@pytest.fixture
def head_x(make_user: Callable[..., object], agency_x: Agency) -> object:
    """Head of agency X."""
    return make_user(agency_x, roles=[Role.HEAD], username="ld.x")


@pytest.fixture
def clerk_x(make_user: Callable[..., object], agency_x: Agency) -> object:
    """Clerk of agency X (no unit management)."""
    return make_user(agency_x, roles=[Role.CLERK], username="vt.x")
