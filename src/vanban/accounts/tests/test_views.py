"""Account pages through Django's test client: two-step sign-in, CSRF, policy redirects, 2FA
enrolment, staff pages scoped to the agency (R20.1, R20.2, R16.2, R17.1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vanban.accounts import policy, services
from vanban.accounts.models import TOTPDevice, User
from vanban.accounts.tests.conftest import PASSWORD, STRONG, code_for, confirmed_device
from vanban.audit.models import AuditEvent
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_login_page_is_vietnamese(client: Client) -> None:
    """R20.2: the sign-in page speaks Vietnamese and sits in a login box."""
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'class="card login-box"' in page
    assert "Đăng nhập hệ thống" in page
    assert "Tên đăng nhập" in page
    assert "Mật khẩu" in page


def test_login_one_step_and_logout(client: Client, clerk_x: User) -> None:
    """R16.2: sign-in without a second factor lands on the home page; sign-out needs POST."""
    response = _login(client, "clerk_x")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get("/").status_code == 302
    assert {"login.succeeded", "logout.succeeded"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


def test_wrong_password_shows_message(client: Client, clerk_x: User) -> None:
    """R20.2: a failure stays on the page with the generic Vietnamese message."""
    response = client.post(LOGIN, {"username": "clerk_x", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_locked_account_message(client: Client, clerk_x: User) -> None:
    """R20.2: after five failures from this address even the right password is refused, with
    the one message that does not say whether the account exists or is locked."""
    for _ in range(5):
        _login(client, "clerk_x", "sai")
    response = _login(client, "clerk_x")
    assert "đang tạm dừng do nhập sai nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_two_steps_with_totp(client: Client, clerk_x: User) -> None:
    """R20.2: with a confirmed device the password alone does not sign in; the right code does,
    and marks the session as having passed 2FA."""
    device = confirmed_device(clerk_x)
    response = _login(client, "clerk_x", next="/accounts/security/")
    assert response["Location"] == reverse("accounts:two_factor_verify")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # not signed in yet
    step2 = client.get(reverse("accounts:two_factor_verify"))
    assert "mã 6 chữ số" in step2.content.decode()
    wrong = "000000" if code_for(device) != "000000" else "111111"
    bad = client.post(reverse("accounts:two_factor_verify"), {"code": wrong})
    assert "Mã xác thực không đúng" in bad.content.decode()
    good = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    assert good["Location"] == "/accounts/security/"
    assert client.session[policy.SESSION_2FA_OK] is True
    assert int(client.session["_auth_user_id"]) == clerk_x.pk
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="login.second_factor_succeeded").exists()


def test_verify_without_pending_login_goes_back(client: Client) -> None:
    """R20.2: the second step cannot be reached without passing the first."""
    assert client.get(reverse("accounts:two_factor_verify"))["Location"] == LOGIN


def test_unsafe_next_is_ignored(client: Client, clerk_x: User) -> None:
    """R16.2: ``next`` pointing off-site is not followed."""
    response = _login(client, "clerk_x", next="https://evil.example/phish")
    assert response["Location"] == "/"


def test_csrf_enforced_on_login(clerk_x: User) -> None:
    """R16.2: a sign-in POST without the CSRF token is refused with 403; with it, it works."""
    client = Client(enforce_csrf_checks=True)
    assert _login(client, "clerk_x").status_code == 403
    page = client.get(LOGIN).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = _login(client, "clerk_x", csrfmiddlewaretoken=token.group(1))
    assert response.status_code == 302


def test_compulsory_2fa_redirects_to_enrolment(client: Client, head_x: User, clerk_x: User,
                                               agency_x: Agency) -> None:
    """R17.1, R20.2: when the agency requires 2FA for clerks, a clerk without it is sent to
    enrolment, sees a QR code, and continues once confirmed."""
    services.agency_security_policy_set(actor=head_x, agency=agency_x,
                                        require_2fa_roles=[Role.CLERK])
    _login(client, "clerk_x")
    assert client.get("/")["Location"] == reverse("accounts:two_factor_enrol")
    assert client.get(reverse("accounts:staff_list"))["Location"] == reverse(
        "accounts:two_factor_enrol")
    page = client.get(reverse("accounts:two_factor_enrol")).content.decode()
    assert "Cơ quan yêu cầu" in page
    client.post(reverse("accounts:two_factor_enrol"), {"action": "start"})
    page = client.get(reverse("accounts:two_factor_enrol")).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=clerk_x)
    assert f'data-secret="{device.secret}"' in page
    done = client.post(reverse("accounts:two_factor_enrol"),
                       {"action": "confirm", "code": code_for(device)})
    assert done["Location"] == reverse("accounts:security")
    assert client.get("/").status_code == 200


def test_session_api_blocked_while_policy_pending(client: Client, head_x: User) -> None:
    """R20.2: a session owing a password change cannot use the API either."""
    head_x.must_change_password = True
    head_x.save()
    _login(client, "head_x")
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "account_policy_pending"


def test_security_page(client: Client, head_x: User, clerk_x: User, agency_x: Agency) -> None:
    """R17.1: the head sees and sets the agency's 2FA policy; a clerk sees only their own status."""
    client.force_login(clerk_x)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "Chưa bật" in page
    assert 'data-testid="agency-policy"' not in page
    client.post(reverse("accounts:security"), {"action": "policy", "require_2fa_roles": "clerk"})
    assert not policy.two_factor_required(clerk_x)
    client.force_login(head_x)
    page = client.get(reverse("accounts:security")).content.decode()
    assert 'data-testid="agency-policy"' in page
    assert 'value="clerk"' in page
    client.post(reverse("accounts:security"), {"action": "policy", "require_2fa_roles": "clerk"})
    assert policy.two_factor_required(clerk_x)


@pytest.mark.usefixtures("clerk_x", "head_y")
def test_staff_list_scoped(client: Client, head_x: User, agency_y: Agency,
                           province_admin: User) -> None:
    """R20.1, R1.1: a head lists own staff only; the province admin picks an agency."""
    client.force_login(head_x)
    page = client.get(reverse("accounts:staff_list")).content.decode()
    assert "clerk_x" in page
    assert "head_y" not in page
    assert client.get(reverse("accounts:staff_list"), {"agency": agency_y.code}).status_code == 404
    client.force_login(province_admin)
    page = client.get(reverse("accounts:staff_list"), {"agency": agency_y.code}).content.decode()
    assert "head_y" in page
    assert "clerk_x" not in page


def test_staff_pages_refuse_clerk(client: Client, clerk_x: User) -> None:
    """R20.1: staff pages are for managers."""
    client.force_login(clerk_x)
    assert client.get(reverse("accounts:staff_list")).status_code == 403


def test_other_agency_staff_id_is_404(client: Client, head_x: User, head_y: User) -> None:
    """R1.1: another agency's staff id is a 404 for view and for every action."""
    client.force_login(head_x)
    url = reverse("accounts:staff_detail", args=[head_y.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "reset", "password": STRONG}).status_code == 404
    head_y.refresh_from_db()
    assert head_y.check_password(PASSWORD)


def test_staff_create_and_edit_pages(client: Client, head_x: User, unit_x: Unit) -> None:
    """R20.1: the head creates an account through the form, then edits and resets it."""
    client.force_login(head_x)
    form = client.get(reverse("accounts:staff_new")).content.decode()
    assert unit_x.name in form
    assert 'value="province_admin"' not in form
    response = client.post(reverse("accounts:staff_new"), {
        "username": "nvf", "full_name": "Nguyễn Văn F", "unit": unit_x.pk,
        "position": "Chuyên viên", "roles": ["specialist"], "password": STRONG})
    created = User.objects.get(username="nvf")
    assert response["Location"] == reverse("accounts:staff_detail", args=[created.pk])
    assert created.must_change_password
    assert created.role_set() == {Role.SPECIALIST}
    detail = reverse("accounts:staff_detail", args=[created.pk])
    assert "Nguyễn Văn F" in client.get(detail).content.decode()
    client.post(detail, {"action": "roles", "roles": ["clerk", "specialist"]})
    client.post(detail, {"action": "deactivate"})
    created.refresh_from_db()
    assert created.role_set() == {Role.CLERK, Role.SPECIALIST}
    assert not created.is_active


def test_staff_create_page_shows_errors(client: Client, head_x: User) -> None:
    """R20.1: a weak password or duplicate username is explained on the form."""
    client.force_login(head_x)
    page = client.post(reverse("accounts:staff_new"), {
        "username": "HEAD_X", "full_name": "Trùng", "password": STRONG}).content.decode()
    assert "đã được sử dụng" in page
    page = client.post(reverse("accounts:staff_new"), {
        "username": "nvg", "full_name": "Yếu", "password": "abc"}).content.decode()
    assert "Mật khẩu" in page
    assert not User.objects.filter(username="nvg").exists()
