"""The accounts API (R20.1, R20.2): token sign-in with lockout and 2FA, the caller's account,
and staff records scoped to the agency."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from vanban.accounts.models import User
from vanban.accounts.tests.conftest import PASSWORD, STRONG, code_for, confirmed_device
from vanban.core.roles import Role
from vanban.directory.models import Agency

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


def _token(client: APIClient, username: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post(TOKEN, {"username": username, "password": password, **extra},
                       format="json")


def _authed(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_and_me(clerk_x: User, agency_x: Agency) -> None:
    """R20.2: a token from username and password opens /api/v1/me/."""
    response = _token(APIClient(), "clerk_x")
    assert response.status_code == 200
    me = _authed(response.json()["token"]).get("/api/v1/me/")
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "clerk_x"
    assert body["roles"] == ["clerk"]
    assert body["agency"]["code"] == agency_x.code
    assert body["two_factor"] is False
    assert body["password_expires_at"]


def test_me_needs_authentication() -> None:
    """R16.2: no access without authentication."""
    response = APIClient().get("/api/v1/me/")
    assert response.status_code in {401, 403}


def test_wrong_password_problem(clerk_x: User) -> None:
    """R20.2: a failed sign-in is a problem with Vietnamese and English details."""
    response = _token(APIClient(), "clerk_x", "sai")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "login_failed"
    assert body["detail_vi"].startswith("Tên đăng nhập hoặc mật khẩu không đúng")


def test_locked_account_refused(clerk_x: User) -> None:
    """R20.2: lockout applies to the API sign-in from the failing address, with the same
    answer as a wrong password; a token issued before keeps working (it proves a past
    sign-in, and the lock may be a stranger's doing)."""
    client = APIClient()
    token = _token(client, "clerk_x").json()["token"]
    for _ in range(5):
        _token(client, "clerk_x", "sai")
    response = _token(client, "clerk_x")
    assert response.status_code == 400
    assert response.json()["code"] == "login_failed"
    assert _authed(token).get("/api/v1/me/").status_code == 200


def test_otp_required_when_2fa_on(clerk_x: User) -> None:
    """R20.2: an account with a second factor needs the code for a token too."""
    device = confirmed_device(clerk_x)
    response = _token(APIClient(), "clerk_x")
    assert response.status_code == 400
    assert response.json()["code"] == "otp_required"
    response = _token(APIClient(), "clerk_x", otp=code_for(device))
    assert response.status_code == 200
    assert response.json()["token"]


def test_expired_password_gets_no_token(clerk_x: User) -> None:
    """R20.2: a password that must be changed gives no API token."""
    clerk_x.must_change_password = True
    clerk_x.save()
    response = _token(APIClient(), "clerk_x")
    assert response.status_code == 403
    assert response.json()["code"] == "password_expired"


def test_staff_api_scoped(head_x: User, clerk_x: User, head_y: User, agency_y: Agency) -> None:
    """R20.1, R1.1: list shows own agency; another agency's id is 404."""
    client = APIClient()
    client.force_authenticate(head_x)
    listing = client.get("/api/v1/staff/").json()
    assert {row["username"] for row in listing["results"]} == {"head_x", "clerk_x"}
    assert client.get(f"/api/v1/staff/{clerk_x.pk}/").status_code == 200
    assert client.get(f"/api/v1/staff/{head_y.pk}/").status_code == 404
    assert client.get("/api/v1/staff/", {"agency": agency_y.code}).status_code == 404


def test_staff_api_create(head_x: User, agency_y: Agency) -> None:
    """R20.1: the head creates staff through the API; not in another agency; clerks not at all."""
    client = APIClient()
    client.force_authenticate(head_x)
    payload = {"username": "api1", "full_name": "Lê Văn H", "roles": ["clerk"],
               "password": STRONG}
    response = client.post("/api/v1/staff/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["roles"] == ["clerk"]
    assert User.objects.get(username="api1").must_change_password
    response = client.post("/api/v1/staff/", {**payload, "username": "api2",
                                              "agency": agency_y.code}, format="json")
    assert response.status_code == 404
    duplicate = client.post("/api/v1/staff/", payload, format="json")
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "username_taken"
    assert not User.objects.filter(username="api2").exists()


def test_staff_api_clerk_reads_but_cannot_create(clerk_x: User, head_y: User) -> None:
    """R20.1, R1.1: a clerk reads colleagues of the own agency only and cannot create accounts."""
    client = APIClient()
    client.force_authenticate(clerk_x)
    rows = client.get("/api/v1/staff/").json()["results"]
    assert [r["username"] for r in rows] == ["clerk_x"]
    assert client.get(f"/api/v1/staff/{head_y.pk}/").status_code == 404
    response = client.post("/api/v1/staff/", {"username": "api3", "full_name": "X",
                                              "roles": [], "password": STRONG}, format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username="api3").exists()


def test_province_admin_lists_any_agency(province_admin: User, head_y: User,
                                         agency_y: Agency) -> None:
    """R20.1: the province administrator names the agency with ?agency=."""
    client = APIClient()
    client.force_authenticate(province_admin)
    rows = client.get("/api/v1/staff/", {"agency": agency_y.code}).json()["results"]
    assert [r["username"] for r in rows] == ["head_y"]
    assert Role.HEAD.value in rows[0]["roles"]


def test_token_refused_when_2fa_becomes_compulsory(clerk_x: User, head_x: User,
                                                   agency_x: Agency) -> None:
    """R17.1: once the agency requires 2FA for clerks, an unenrolled clerk's token stops working
    and no new one is issued."""
    from vanban.accounts import services

    token = _token(APIClient(), "clerk_x").json()["token"]
    services.agency_security_policy_set(actor=head_x, agency=agency_x,
                                        require_2fa_roles=[Role.CLERK])
    assert _authed(token).get("/api/v1/me/").status_code in {401, 403}
    response = _token(APIClient(), "clerk_x")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_enrolment_required"
