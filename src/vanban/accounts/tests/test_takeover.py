"""Issue 9, observed case 1 (R20.1, R20.2, R16.2): an IT officer or delegate of an agency must
not take over the head's account, nor make a clerk who signs with the agency certificate
without the head's approval. Through the services, the staff pages and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from vanban.accounts import selectors, services
from vanban.accounts.models import AccountNotice, RoleRequest, TOTPDevice, User
from vanban.accounts.services import LoginError
from vanban.accounts.tests.conftest import PASSWORD, STRONG, confirmed_device
from vanban.audit.models import AuditEvent
from vanban.core.errors import Forbidden, ValidationFailed
from vanban.core.roles import Role
from vanban.directory.models import Agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(make_user: Callable[..., User], agency_x: Agency) -> User:
    user = make_user(agency_x, roles=[Role.HEAD], username="ld_x")
    user.mailbox = "ld@stp.bacgiang.gov.vn"
    user.save()
    confirmed_device(user)
    return user


@pytest.mark.parametrize("insider_role", [Role.IT_OFFICER, Role.DELEGATE])
def test_insider_cannot_reset_the_head_and_sign_in_as_the_head(
        make_user: Callable[..., User], agency_x: Agency, head: User,
        insider_role: Role) -> None:
    """R20.2, R16.2 (issue 9 case 1): the IT officer or delegate resets the head's password and
    turns off the head's TOTP, then signs in as the head. Both resets are refused and audited;
    the head's password and second factor stay; the sign-in with the insider's password fails.
    """
    insider = make_user(agency_x, roles=[insider_role])
    with pytest.raises(Forbidden):
        services.staff_reset_password(actor=insider, user=head, password=STRONG,
                                      reason="quên mật khẩu")
    with pytest.raises(Forbidden):
        services.totp_disable(actor=insider, user=head, reason="mất điện thoại")
    head.refresh_from_db()
    assert head.check_password(PASSWORD)
    assert TOTPDevice.objects.filter(user=head, confirmed_at__isnull=False).exists()
    with pytest.raises(LoginError):
        services.login_attempt(username="ld_x", password=STRONG, ip="10.0.0.5")
    denied = set(AuditEvent.objects.filter(actor_id=insider.pk).values_list("action", flat=True))
    assert denied == {"staff.reset_password.denied", "totp.disable.denied"}


def test_insider_reset_refused_on_the_staff_page(
        client: Client, make_user: Callable[..., User], agency_x: Agency, head: User) -> None:
    """R20.2 (issue 9 case 1): the same refusal reaches the staff page."""
    it = make_user(agency_x, roles=[Role.IT_OFFICER], username="it_x")
    client.force_login(it)
    url = f"/accounts/staff/{head.pk}/"
    response = client.post(url, {"action": "reset", "password": STRONG, "reason": "x"},
                           follow=True)
    assert "chỉ do quản trị cấp tỉnh đặt lại" in response.content.decode()
    client.post(url, {"action": "disable_2fa", "reason": "x"})
    head.refresh_from_db()
    assert head.check_password(PASSWORD)
    assert TOTPDevice.objects.filter(user=head).exists()


def test_province_resets_the_head_with_a_reason_and_the_head_is_told(
        province_admin: User, head: User,
        django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    """R20.2, R16.2: the province administrator resets the head's password and second factor,
    only with a reason; both are audited with the reason and the head gets a notice in the
    app and a mail."""
    with pytest.raises(ValidationFailed):
        services.staff_reset_password(actor=province_admin, user=head, password=STRONG)
    with pytest.raises(ValidationFailed):
        services.totp_disable(actor=province_admin, user=head, reason=" ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_reset_password(
            actor=province_admin, user=head, password=STRONG,
            reason="Thủ trưởng quên mật khẩu, đã xác minh qua điện thoại")
        services.totp_disable(actor=province_admin, user=head, reason="Mất điện thoại")
    head.refresh_from_db()
    assert head.check_password(STRONG)
    assert head.must_change_password
    assert not TOTPDevice.objects.filter(user=head).exists()
    reset = AuditEvent.objects.get(action="staff.reset_password")
    assert reset.actor_id == province_admin.pk
    assert "xác minh" in reset.data
    assert "Mất điện thoại" in AuditEvent.objects.get(action="totp.disabled").data
    kinds = sorted(AccountNotice.objects.filter(user=head).values_list("kind", flat=True))
    assert kinds == ["password_reset", "totp_reset"]
    assert [m.to for m in mail.outbox] == [["ld@stp.bacgiang.gov.vn"]] * 2
    assert "province_admin" in mail.outbox[0].body


def test_notice_shown_on_the_security_page(client: Client, province_admin: User,
                                           head: User) -> None:
    """R20.2: the head sees on their own security page that the province reset the password."""
    services.staff_reset_password(actor=province_admin, user=head, password=STRONG,
                                  reason="Yêu cầu bằng văn bản số 12")
    head.must_change_password = False
    head.save()
    client.force_login(head)
    session = client.session
    session["vanban_2fa_ok"] = True
    session.save()
    page = client.get("/accounts/security/").content.decode()
    assert "Yêu cầu bằng văn bản số 12" in page


@pytest.mark.parametrize("insider_role", [Role.IT_OFFICER, Role.DELEGATE])
def test_clerk_made_by_an_insider_signs_nothing_until_the_head_approves(
        make_user: Callable[..., User], agency_x: Agency, head: User,
        insider_role: Role) -> None:
    """R20.1, R16.2 (issue 9 case 1): a clerk account created by the IT officer (or delegate)
    holds no clerk role (so cannot sign nor register) until the head approves it; the approval
    is audited and the clerk is told."""
    insider = make_user(agency_x, roles=[insider_role])
    clerk = services.staff_create(actor=insider, agency=agency_x, username="vt_moi",
                                  full_name="Văn thư mới", roles=[Role.CLERK], password=STRONG)
    clerk = User.objects.get(pk=clerk.pk)
    assert clerk.role_set() == frozenset()
    assert not clerk.has_role(Role.CLERK)  # signing and registering: tests/test_takeover.py
    [pending] = selectors.role_requests_pending(head)
    assert (pending.user_id, pending.role, pending.requested_by_id) == (
        clerk.pk, "clerk", insider.pk)
    assert list(selectors.role_requests_pending(insider)) == []
    with pytest.raises(Forbidden):
        services.role_request_decide(actor=insider, request_id=pending.pk, approve=True)
    services.role_request_decide(actor=head, request_id=pending.pk, approve=True)
    clerk = User.objects.get(pk=clerk.pk)
    assert clerk.has_role(Role.CLERK)
    decided = AuditEvent.objects.get(action="staff.role_decide")
    assert decided.actor_id == head.pk
    assert '"approved":true' in decided.data
    assert AccountNotice.objects.filter(user=clerk, kind="role_decided").exists()


def test_head_refuses_a_pending_clerk(make_user: Callable[..., User], agency_x: Agency,
                                      head: User) -> None:
    """R20.1: a refused role is never granted; a refusal is final."""
    it = make_user(agency_x, roles=[Role.IT_OFFICER])
    spec = make_user(agency_x, roles=[Role.SPECIALIST])
    services.staff_set_roles(actor=it, user=spec, roles=[Role.SPECIALIST, Role.CLERK])
    spec = User.objects.get(pk=spec.pk)
    assert spec.role_set() == {Role.SPECIALIST}
    [pending] = selectors.role_requests_pending(head)
    services.role_request_decide(actor=head, request_id=pending.pk, approve=False,
                                 note="Không phải văn thư")
    assert User.objects.get(pk=spec.pk).role_set() == {Role.SPECIALIST}
    pending.refresh_from_db()
    assert pending.state == RoleRequest.State.REFUSED
    with pytest.raises(Exception, match="already been decided"):
        services.role_request_decide(actor=head, request_id=pending.pk, approve=True)


def test_head_grants_a_clerk_at_once(head: User, agency_x: Agency) -> None:
    """R20.1: the head's own grant needs no approval."""
    clerk = services.staff_create(actor=head, agency=agency_x, username="vt2",
                                  full_name="Văn thư", roles=[Role.CLERK], password=STRONG)
    assert User.objects.get(pk=clerk.pk).has_role(Role.CLERK)


def test_approval_page_and_api(client: Client, make_user: Callable[..., User],
                               agency_x: Agency, head: User) -> None:
    """R20.1: the head approves on the approvals page or through the API."""
    it = make_user(agency_x, roles=[Role.IT_OFFICER])
    first = services.staff_create(actor=it, agency=agency_x, username="vt_a",
                                  full_name="Văn thư A", roles=[Role.CLERK], password=STRONG)
    second = services.staff_create(actor=it, agency=agency_x, username="mc_b",
                                   full_name="Một cửa B", roles=[Role.ONESTOP], password=STRONG)
    client.force_login(head)
    session = client.session
    session["vanban_2fa_ok"] = True
    session.save()
    page = client.get("/accounts/approvals/").content.decode()
    assert "vt_a" in page
    assert "mc_b" in page
    req_a = RoleRequest.objects.get(user=first)
    client.post("/accounts/approvals/", {"request": req_a.pk, "decision": "approve",
                                         "note": ""})
    assert User.objects.get(pk=first.pk).role_set() == {Role.CLERK}
    api = APIClient()
    api.force_authenticate(head)
    listed = api.get("/api/v1/role-requests/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["username"] for r in rows] == ["mc_b"]
    req_b = RoleRequest.objects.get(user=second)
    response = api.post(f"/api/v1/role-requests/{req_b.pk}/refuse/", {"note": "sai"},
                        format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "refused"
    other = APIClient()
    other.force_authenticate(it)
    assert other.get("/api/v1/role-requests/").json()["results"] == []
    staff = other.get(f"/api/v1/staff/{second.pk}/").json()
    assert staff["roles"] == []
    assert staff["pending_roles"] == []


def test_clerk_created_through_the_api_is_pending(make_user: Callable[..., User],
                                                  agency_x: Agency, head: User) -> None:
    """R20.1 (issue 9 case 1): the same rule through the API: the IT officer's new clerk comes
    back with no role and the clerk role pending."""
    it = make_user(agency_x, roles=[Role.IT_OFFICER])
    api = APIClient()
    api.force_authenticate(it)
    response = api.post("/api/v1/staff/", {
        "username": "vt_api", "full_name": "Văn thư API", "roles": ["clerk"],
        "password": STRONG}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["roles"] == []
    assert body["pending_roles"] == ["clerk"]
    assert not User.objects.get(username="vt_api").has_role(Role.CLERK)
