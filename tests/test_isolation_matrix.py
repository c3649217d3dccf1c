"""Agency isolation (R1.1, R16.2): no role of agency X sees or changes anything of agency Y.

Every role an agency can hold is tried against another agency's staff member, unit and audit
events, through the pages and the API. Each attempt is refused (403, or 404 as if the object did
not exist), agency Y's stored data is byte-for-byte unchanged afterwards, and the refused
attempts are in the audit log.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from vanban.accounts.models import RoleGrant, User
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit

AGENCY_ROLES = [r for r in Role if r is not Role.PROVINCE_ADMIN]
REFUSED = {403, 404}


def _snapshot(agency: Agency) -> str:
    """Everything agency Y owns that another agency could try to change."""
    users = list(User.objects.filter(agency=agency).order_by("pk").values(
        "pk", "username", "full_name", "unit_id", "position", "mailbox", "is_active", "password",
        "must_change_password", "locked_until"))
    roles = list(RoleGrant.objects.filter(user__agency=agency).order_by("pk").values(
        "user_id", "role"))
    units = list(Unit.objects.filter(agency=agency).order_by("pk").values(
        "pk", "code", "name", "short_name", "active"))
    row = Agency.objects.filter(pk=agency.pk).values().get()
    return json.dumps([users, roles, units, row], default=str, sort_keys=True)


@pytest.fixture
def agency_y(make_agency, make_user) -> dict[str, Any]:
    y = make_agency("000.00.40.H99", name="Sở Y tế", short_name="SYT",
                    mailbox="vanthu@syt.demo.invalid")
    now = clock.now()
    unit = Unit.objects.create(agency=y, code="NVY", name="Phòng Nghiệp vụ Y", short_name="NVY",
                               created_at=now)
    head = make_user(y, roles=[Role.HEAD], username="ld.syt")
    clerk = make_user(y, roles=[Role.CLERK], username="vt.syt", unit=unit)
    event = audit_append(actor=clerk, action="test.secret_of_y", agency_code=y.code,
                         data={"note": "chỉ Sở Y tế được xem"})
    return {"agency": y, "unit": unit, "head": head, "clerk": clerk, "event": event}


@pytest.mark.django_db
@pytest.mark.parametrize("role", AGENCY_ROLES, ids=lambda r: r.value)
def test_no_role_of_x_reaches_agency_y(role, make_agency, make_user, agency_y):
    """R1.1, R16.2: pages and API refuse every role of agency X on agency Y's objects."""
    x = make_agency("000.00.41.H99", name="Sở Tài chính", short_name="STC")
    actor = make_user(x, roles=[role], username=f"{role.value}.stc")
    y, unit, clerk, event = (agency_y[k] for k in ("agency", "unit", "clerk", "event"))
    before = _snapshot(y)
    client = Client()
    client.force_login(actor)
    denied_before = AuditEvent.objects.filter(action__contains="denied").count() + \
        AuditEvent.objects.filter(action__contains="not_found").count()

    # Pages.
    assert client.get(f"/accounts/staff/{clerk.pk}/").status_code in REFUSED
    assert client.post(f"/accounts/staff/{clerk.pk}/", {
        "action": "update", "full_name": "Đã bị sửa", "position": "x"}).status_code in REFUSED
    assert client.post(f"/accounts/staff/{clerk.pk}/", {
        "action": "roles", "roles": [Role.SPECIALIST.value]}).status_code in REFUSED
    page = client.get(f"/directory/agencies/{y.code}/")
    assert unit.name not in page.content.decode()  # the address book, without Y's units
    assert client.get(f"/directory/agencies/{y.code}/units/{unit.pk}/edit/").status_code \
        in REFUSED
    assert client.post(f"/directory/agencies/{y.code}/units/{unit.pk}/edit/", {
        "code": "NVY", "name": "Đã bị sửa", "short_name": "X"}).status_code in REFUSED
    assert client.post(f"/directory/agencies/{y.code}/units/new/", {
        "code": "LA", "name": "Phòng lạ", "short_name": "LA"}).status_code in REFUSED
    audit_page = client.get("/audit/")
    assert event.hash[:12] not in audit_page.content.decode()
    assert "test.secret_of_y" not in audit_page.content.decode()

    # API.
    listing = client.get("/api/v1/staff/")
    assert "vt.syt" not in listing.content.decode()
    assert client.get(f"/api/v1/staff/{clerk.pk}/").status_code in REFUSED
    assert client.patch(f"/api/v1/staff/{clerk.pk}/", {"full_name": "x"},
                        content_type="application/json").status_code in REFUSED | {405}
    created = client.post("/api/v1/staff/", {
        "agency": y.code, "username": "ke.gia.mao", "full_name": "Kẻ giả mạo",
        "roles": [Role.HEAD.value], "password": "Mật-khẩu-Rất-Mạnh-2026"},
        content_type="application/json")
    assert created.status_code in REFUSED | {400}
    assert "NVY" not in client.get("/api/v1/units/").content.decode()
    assert client.get(f"/api/v1/units/{unit.pk}/").status_code in REFUSED
    assert client.patch(f"/api/v1/units/{unit.pk}/", {"name": "x"},
                        content_type="application/json").status_code in REFUSED
    assert client.post("/api/v1/units/", {"agency": y.code, "code": "LA", "name": "Phòng lạ"},
                       content_type="application/json").status_code in REFUSED | {400}
    events = client.get("/api/v1/audit/events/")
    assert "test.secret_of_y" not in events.content.decode()
    assert client.get(f"/api/v1/audit/events/{event.pk}/").status_code in REFUSED
    assert client.patch(f"/api/v1/agencies/{y.code}/", {"name": "x"},
                        content_type="application/json").status_code in REFUSED

    # Nothing of Y changed, nobody was created in Y, and the attempts left traces.
    assert _snapshot(y) == before
    assert not User.objects.filter(username="ke.gia.mao").exists()
    denied_after = AuditEvent.objects.filter(action__contains="denied").count() + \
        AuditEvent.objects.filter(action__contains="not_found").count()
    assert denied_after - denied_before >= 8
