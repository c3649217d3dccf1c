"""The demo province (``vanban demo load``): Bắc Giang 2015 with staff for every role (R1.1,
R20.1)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from pytest_django import DjangoDbBlocker

from vanban.accounts.models import RoleGrant, User
from vanban.core.errors import Conflict
from vanban.core.roles import Role
from vanban.demo import data
from vanban.demo.loader import DemoResult, demo_load, new_password
from vanban.directory import selectors
from vanban.directory.codes import is_qcvn_code, level1_of
from vanban.directory.models import Agency, AgencyKind, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup: None,
           django_db_blocker: DjangoDbBlocker) -> Iterator[tuple[DemoResult, str]]:
    """One load shared by the module's tests (a load takes seconds), rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        result = demo_load(stdout=out)  # its duration is for benchmarks, not for tests
        assert result is not None
        yield result, out.getvalue()
        transaction.set_rollback(True)


def test_tree_shape(loaded: tuple[DemoResult, str]) -> None:
    """R1.1: one province tree: UBND tỉnh, its office, 15 departments, 10 districts, communes."""
    [root] = selectors.agency_tree()
    assert root.agency.name == "UBND tỉnh Bắc Giang"
    kinds = Counter(child.agency.kind for child in root.children)
    assert kinds == {AgencyKind.OFFICE: 1, AgencyKind.DEPARTMENT: 15, AgencyKind.DISTRICT: 10}
    districts = {c.agency.name: c for c in root.children if c.agency.kind == AgencyKind.DISTRICT}
    assert "UBND thành phố Bắc Giang" in districts
    assert "UBND huyện Hiệp Hòa" in districts
    with_communes = [d for d in districts.values() if d.children]
    assert len(with_communes) == 3
    assert all(c.agency.kind == AgencyKind.COMMUNE for d in with_communes for c in d.children)
    assert root.count() == Agency.objects.count() == 33
    stttt = Agency.objects.get(short_name="STTTT")
    assert stttt.name == "Sở Thông tin và Truyền thông"


def test_demo_codes_are_fictitious_qcvn(loaded: tuple[DemoResult, str]) -> None:
    """Codes have the QCVN 102:2016 shape but the demo level-1 code H99, never a real one."""
    codes = list(Agency.objects.values_list("code", flat=True))
    assert all(is_qcvn_code(c) and level1_of(c) == "H99" for c in codes)
    assert Agency.objects.get(parent=None).code == "000.00.00.H99"
    mailboxes = list(Agency.objects.values_list("mailbox", flat=True))
    assert all(m.endswith("@demo.bacgiang.gov.vn") for m in mailboxes)
    assert len(set(mailboxes)) == len(mailboxes)


def test_some_communes_not_connected(loaded: tuple[DemoResult, str]) -> None:
    """R3.2b needs agencies without the technical means: one or two communes."""
    offline = Agency.objects.filter(connected=False)
    assert 1 <= offline.count() <= 2
    assert all(a.kind == AgencyKind.COMMUNE for a in offline)


def test_every_role_present_where_expected(loaded: tuple[DemoResult, str]) -> None:
    """R20.1: every province, department and district agency has each role; communes four."""
    assert list(User.objects.filter(roles__role=Role.PROVINCE_ADMIN)
                .values_list("agency__short_name", flat=True)) == ["STTTT"]
    full = set(Role) - {Role.PROVINCE_ADMIN}
    for agency in Agency.objects.exclude(kind=AgencyKind.COMMUNE):
        roles = Counter(RoleGrant.objects.filter(user__agency=agency)
                        .values_list("role", flat=True))
        assert set(roles) - {Role.PROVINCE_ADMIN} == full, agency.code
        assert roles[Role.SPECIALIST] == 2
    for agency in Agency.objects.filter(kind=AgencyKind.COMMUNE):
        held = set(RoleGrant.objects.filter(user__agency=agency).values_list("role", flat=True))
        assert held == {Role.HEAD, Role.CLERK, Role.SPECIALIST, Role.ONESTOP}
    assert User.objects.count() == 27 * 8 + 6 * 4 + 1


def test_units_and_staff_details(loaded: tuple[DemoResult, str]) -> None:
    """Each agency has units; staff have Vietnamese names, positions, ASCII usernames, units of
    their own agency and mailboxes on the demo domain."""
    assert not Agency.objects.filter(units=None).exists()
    assert Unit.objects.filter(agency__short_name="STTTT", code="CNTT").exists()
    clerk = User.objects.get(username="vt.stttt")
    assert clerk.full_name
    assert clerk.position == "Văn thư"
    assert clerk.unit is not None
    assert clerk.unit.code == "VP"
    assert clerk.mailbox == f"vt.stttt@{data.DOMAIN}"
    assert User.objects.get(username="ld.stttt").position == "Giám đốc Sở"
    for user in User.objects.select_related("unit"):
        assert user.username.isascii()
        assert user.username == user.username.lower()
        assert user.unit is None or user.unit.agency_id == user.agency_id
    assert any(not name.isascii() for name in User.objects.values_list("full_name", flat=True))


def test_output_and_password(loaded: tuple[DemoResult, str]) -> None:
    """The load prints a short starter list (one clerk, head and specialist of a few sample
    agencies) and the password, not every account; the one password works for them all."""
    result, out = loaded
    password = result.password
    assert password in out
    assert "vt.stc" in out
    assert "ld.stc" in out
    assert "cv1.stc" in out
    assert "cv2.stttt" not in out
    assert len(out.splitlines()) < 30
    assert "vanban demo accounts --reset-password" in out
    assert authenticate(username="it.stttt", password=password) is not None
    assert authenticate(username="vt.anlac.sondong", password=password) is not None
    assert authenticate(username="vt.stttt", password="x" + password) is None


def test_passwords_random_and_strong() -> None:
    """Never a fixed password: each load makes a new one meeting the policy."""
    first, second = new_password(), new_password()
    assert first != second
    assert len(first) >= 16
    assert any(c.isupper() for c in first)
    assert any(c.islower() for c in first)
    assert any(c.isdigit() for c in first)
    assert not first.isalnum()


def test_second_load_refused_or_skipped(loaded: tuple[DemoResult, str]) -> None:
    """A second load never mixes: refused, or skipped with ``--if-empty``; nothing added."""
    users, agencies = User.objects.count(), Agency.objects.count()
    with pytest.raises(Conflict):
        demo_load(stdout=io.StringIO())
    out = io.StringIO()
    assert demo_load(stdout=out, if_empty=True) is None
    assert "bỏ qua" in out.getvalue()
    assert (User.objects.count(), Agency.objects.count()) == (users, agencies)



def test_every_demo_account_has_its_own_salt(loaded: tuple[DemoResult, str]) -> None:
    """R20.2 (issue 9 case 9): no two demo accounts share a password hash or salt, and the one
    printed password opens each of them."""
    result, _ = loaded
    hashes = list(User.objects.filter(agency__isnull=False).values_list("password", flat=True))
    assert len(hashes) == len(result.accounts)
    salts = [h.split("$")[-2] for h in hashes]
    assert len(set(hashes)) == len(hashes)
    assert len(set(salts)) == len(salts)
    for account in (result.accounts[0], result.accounts[-1]):
        assert authenticate(username=account.username, password=result.password) is not None
