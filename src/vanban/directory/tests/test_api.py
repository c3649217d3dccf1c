"""The directory API: address book for all, changes for the province administrator, units
scoped to the agency (R1.1, R20.1). Errors are RFC 9457 problems."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from vanban.core.roles import Role
from vanban.directory import services
from vanban.directory.models import Agency, Unit

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_and_retrieve_for_every_user(clerk_x: Any, stttt: Agency) -> None:
    """R1.1: every authenticated user reads the address book; lookup by code."""
    client = _api(clerk_x)
    body = client.get("/api/v1/agencies/").json()
    codes = [a["code"] for a in body["results"]]
    assert stttt.code in codes
    assert codes == sorted(codes)
    assert body["next"] is None
    one = client.get(f"/api/v1/agencies/{stttt.code}/").json()
    assert one["mailbox"] == "stttt@demo.bacgiang.gov.vn"
    assert one["parent_code"] == "000.00.00.H99"
    missing = client.get("/api/v1/agencies/000.00.77.H99/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == PROBLEM


def test_anonymous_gets_401_problem(province: Agency) -> None:
    """No credentials, no directory."""
    response = APIClient().get("/api/v1/agencies/")
    assert response.status_code in {401, 403}
    assert response["Content-Type"] == PROBLEM


def test_only_admin_creates_and_changes(admin: Any, head_x: Any, province: Agency,
                                        agency_x: Agency) -> None:
    """R20.1: a head gets a 403 problem; the province administrator creates and patches."""
    payload = {"code": "000.00.23.H99", "name": "UBND huyện Tân Yên", "short_name": "UBND",
               "parent_code": province.code, "kind": "district"}
    refused = _api(head_x).post("/api/v1/agencies/", payload, format="json")
    assert refused.status_code == 403
    assert refused["Content-Type"] == PROBLEM
    assert refused.json()["detail_en"]
    assert refused.json()["detail_vi"]
    assert not Agency.objects.filter(code="000.00.23.H99").exists()
    created = _api(admin).post("/api/v1/agencies/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["parent_code"] == province.code
    assert _api(head_x).patch(f"/api/v1/agencies/{agency_x.code}/", {"connected": False},
                              format="json").status_code == 403
    patched = _api(admin).patch(f"/api/v1/agencies/{agency_x.code}/",
                                {"connected": False, "mailbox": "SNV@demo.bacgiang.gov.vn"},
                                format="json")
    assert patched.status_code == 200
    assert patched.json()["mailbox"] == "snv@demo.bacgiang.gov.vn"
    agency_x.refresh_from_db()
    assert agency_x.connected is False
    assert agency_x.parent == province


def test_validation_errors_are_problems(admin: Any, province: Agency) -> None:
    """Serializer and domain validation both answer with problem details."""
    client = _api(admin)
    missing = client.post("/api/v1/agencies/", {"code": "000.00.24.H99"}, format="json")
    assert missing.status_code == 400
    assert missing["Content-Type"] == PROBLEM
    assert "name" in missing.json()["errors"]
    bad = client.post("/api/v1/agencies/", {"code": "x/y", "name": "A", "short_name": "A"},
                      format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_code"
    parent = client.post("/api/v1/agencies/", {"code": "000.00.24.H99", "name": "A",
                                               "short_name": "A", "parent_code": "000.00.88.H99"},
                         format="json")
    assert parent.status_code == 400
    assert parent.json()["code"] == "unknown_agency"
    cycle = client.patch(f"/api/v1/agencies/{province.code}/",
                         {"parent_code": province.code}, format="json")
    assert cycle.status_code == 400
    assert cycle.json()["code"] == "cycle"


def test_units_scoped_to_agency(head_x: Any, admin: Any, agency_x: Agency,
                                agency_y: Agency) -> None:
    """R1.1: X's staff list and read only X's units; Y's unit is a 404 problem."""
    own = services.unit_create(actor=None, agency=agency_x, code="VP", name="Văn phòng SNV")
    theirs = services.unit_create(actor=None, agency=agency_y, code="VP", name="Văn phòng STC")
    client = _api(head_x)
    listed = client.get("/api/v1/units/").json()
    assert [u["id"] for u in listed["results"]] == [own.pk]
    assert client.get(f"/api/v1/units/{own.pk}/").json()["agency_code"] == agency_x.code
    hidden = client.get(f"/api/v1/units/{theirs.pk}/")
    assert hidden.status_code == 404
    assert hidden["Content-Type"] == PROBLEM
    patch = client.patch(f"/api/v1/units/{theirs.pk}/", {"name": "Đổi"}, format="json")
    assert patch.status_code == 404
    everything = _api(admin).get("/api/v1/units/").json()
    assert len(everything["results"]) == 2
    only_y = _api(admin).get(f"/api/v1/units/?agency={agency_y.code.lower()}").json()
    assert [u["id"] for u in only_y["results"]] == [theirs.pk]


def test_unit_create_rules(make_user: Any, head_x: Any, clerk_x: Any, agency_x: Agency,
                           agency_y: Agency) -> None:
    """R20.1: the head creates units in its own agency only; a clerk cannot."""
    payload = {"agency_code": agency_x.code, "code": "kt", "name": "Phòng Kinh tế",
               "short_name": "KT"}
    created = _api(head_x).post("/api/v1/units/", payload, format="json")
    assert created.status_code == 201
    assert created.json()["code"] == "KT"
    assert _api(clerk_x).post("/api/v1/units/", {**payload, "code": "VX"},
                              format="json").status_code == 403
    other = _api(head_x).post("/api/v1/units/", {**payload, "agency_code": agency_y.code},
                              format="json")
    assert other.status_code == 403
    assert other["Content-Type"] == PROBLEM
    assert not Unit.objects.filter(agency=agency_y).exists()
    it_y = make_user(agency_y, roles=[Role.IT_OFFICER])
    ok = _api(it_y).post("/api/v1/units/", {**payload, "agency_code": agency_y.code},
                         format="json")
    assert ok.status_code == 201
    dup = _api(it_y).post("/api/v1/units/", {**payload, "agency_code": agency_y.code},
                          format="json")
    assert dup.status_code == 409
    assert dup["Content-Type"] == PROBLEM
