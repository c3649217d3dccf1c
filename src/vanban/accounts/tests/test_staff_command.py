"""The first province administrator is made from the console (R20.1)."""

import io

import pytest
from django.core.management import CommandError, call_command

from vanban.accounts.models import User
from vanban.audit.models import AuditEvent
from vanban.core.roles import Role


@pytest.mark.django_db
def test_console_creates_the_first_province_administrator(make_agency, monkeypatch):
    """R20.1: a fresh installation gets its province administrator from `vanban staff create`."""
    make_agency("000.00.16.H99", name="Sở Thông tin và Truyền thông", short_name="STTTT")
    monkeypatch.setattr("sys.stdin", io.StringIO("Quản-trị-Tỉnh-2026!\n"))
    out = io.StringIO()
    call_command("staff", "create", "--agency", "000.00.16.H99", "--username", "qttinh",
                 "--full-name", "Nguyễn Văn Quản", "--role", "province_admin",
                 "--password-stdin", stdout=out)
    user = User.objects.get(username="qttinh")
    assert user.has_role(Role.PROVINCE_ADMIN)
    assert user.check_password("Quản-trị-Tỉnh-2026!")
    assert "qttinh" in out.getvalue()
    assert AuditEvent.objects.filter(action="staff.create", actor_id=None).exists()


@pytest.mark.django_db
def test_console_refuses_weak_password_and_unknown_agency(make_agency, monkeypatch):
    """R20.2: the console applies the same password policy; unknown agencies are named."""
    make_agency("000.00.16.H99", short_name="STTTT")
    monkeypatch.setattr("sys.stdin", io.StringIO("123456\n"))
    with pytest.raises(CommandError, match="Mật khẩu"):
        call_command("staff", "create", "--agency", "000.00.16.H99", "--username", "yeu",
                     "--full-name", "A", "--role", "clerk", "--password-stdin")
    monkeypatch.setattr("sys.stdin", io.StringIO("Quản-trị-Tỉnh-2026!\n"))
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("staff", "create", "--agency", "999.99.99.H99", "--username", "x",
                     "--full-name", "A", "--role", "clerk", "--password-stdin")
    assert not User.objects.filter(username__in=["yeu", "x"]).exists()


@pytest.mark.django_db
def test_console_recovers_a_province_administrator(make_agency, make_user, monkeypatch):
    """R20.2: a province administrator's account, out of every web user's reach, is recovered
    on the console: password reset with a reason, second factor off, locks lifted; audited."""
    from vanban.accounts.models import AccountNotice, TOTPDevice
    from vanban.accounts.tests.conftest import STRONG, confirmed_device

    admin = make_user(make_agency(), roles=[Role.PROVINCE_ADMIN], username="qt1")
    confirmed_device(admin)
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG + "\n"))
    call_command("staff", "reset-password", "--username", "QT1", "--reason", "quên mật khẩu",
                 "--password-stdin", stdout=io.StringIO())
    call_command("staff", "reset-2fa", "--username", "qt1", "--reason", "mất điện thoại",
                 stdout=io.StringIO())
    call_command("staff", "unlock", "--username", "qt1", stdout=io.StringIO())
    admin.refresh_from_db()
    assert admin.check_password(STRONG)
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert AccountNotice.objects.filter(user=admin).count() == 2
    actions = set(AuditEvent.objects.filter(actor_id=None).values_list("action", flat=True))
    assert {"staff.reset_password", "totp.disabled", "staff.unlock"} <= actions
