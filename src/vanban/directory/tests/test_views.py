"""Directory pages: the tree for everyone, units for the agency itself, forms by role (R1.1,
R20.1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from vanban.core.roles import Role
from vanban.directory import services
from vanban.directory.models import Agency, Unit

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "vi") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the VI/EN switch's choice
    client.force_login(user)
    return client


def test_tree_visible_to_every_signed_in_user(clerk_x: Any, stttt: Agency,
                                              agency_y: Agency) -> None:
    """R1.1: the agency directory is the province's address book; any staff member sees it."""
    services.agency_update(actor=None, agency=agency_y, connected=False)
    response = _client(clerk_x).get(reverse("directory:agency_tree"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<details open>" in html
    assert stttt.code in html
    assert "stttt@demo.bacgiang.gov.vn" in html
    assert "Chưa kết nối" in html
    assert "Đã kết nối" in html
    assert reverse("directory:agency_create") not in html


def test_tree_needs_login(province: Agency) -> None:
    """Signed-out visitors are sent to the login page."""
    response = Client().get(reverse("directory:agency_tree"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_detail_shows_units_only_to_own_agency(head_x: Any, agency_x: Agency,
                                               agency_y: Agency, admin: Any) -> None:
    """R1.1: agency Y's card is public, its units are not shown to agency X's staff."""
    services.unit_create(actor=None, agency=agency_y, code="VP", name="Văn phòng Sở Tài chính")
    url = reverse("directory:agency_detail", args=[agency_y.code])
    other = _client(head_x).get(url).content.decode()
    assert agency_y.name in other
    assert "Văn phòng Sở Tài chính" not in other
    assert reverse("directory:unit_create", args=[agency_y.code]) not in other
    assert "Văn phòng Sở Tài chính" in _client(admin).get(url).content.decode()
    own = _client(head_x).get(reverse("directory:agency_detail", args=[agency_x.code]))
    assert reverse("directory:unit_create", args=[agency_x.code]) in own.content.decode()
    assert _client(head_x).get(
        reverse("directory:agency_detail", args=["000.00.77.H99"])).status_code == 404


def test_admin_creates_and_edits_agency(admin: Any, province: Agency) -> None:
    """R20.1: the province administrator's forms create and change agencies."""
    client = _client(admin)
    assert client.get(reverse("directory:agency_create")).status_code == 200
    response = client.post(reverse("directory:agency_create"), {
        "code": "000.00.22.h99", "name": "UBND huyện Yên Thế", "short_name": "UBND",
        "parent": province.code, "kind": "district", "mailbox": "yenthe@demo.bacgiang.gov.vn",
        "connected": "on"})
    assert response.status_code == 302
    agency = Agency.objects.get(code="000.00.22.H99")
    assert agency.parent == province
    response = client.post(reverse("directory:agency_edit", args=[agency.code]), {
        "name": "UBND huyện Yên Thế", "short_name": "UBND", "parent": province.code,
        "kind": "district", "mailbox": "yenthe@demo.bacgiang.gov.vn", "active": "on"})
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.connected is False


def test_domain_error_shown_in_active_language(admin: Any, province: Agency) -> None:
    """A refused input shows the service's message in the page's language."""
    data = {"code": "000.00.00.H99", "name": "Trùng", "short_name": "T", "kind": "other"}
    vi = _client(admin).post(reverse("directory:agency_create"), data)
    assert vi.status_code == 200
    assert "đã có trong danh bạ" in vi.content.decode()
    en = _client(admin, "en").post(reverse("directory:agency_create"), data)
    assert "already in the directory" in en.content.decode()


def test_non_admin_cannot_use_agency_forms(head_x: Any, agency_x: Agency) -> None:
    """R20.1: an agency head gets 403 on the agency forms; a forced POST stores nothing."""
    client = _client(head_x)
    assert client.get(reverse("directory:agency_create")).status_code == 403
    assert client.get(reverse("directory:agency_edit", args=[agency_x.code])).status_code == 403
    response = client.post(reverse("directory:agency_create"), {
        "code": "000.00.45.H99", "name": "Lạ", "short_name": "L", "kind": "other"})
    assert response.status_code == 403
    assert not Agency.objects.filter(code="000.00.45.H99").exists()


def test_unit_forms_by_role(make_user: Any, agency_x: Agency, agency_y: Agency,
                            clerk_x: Any) -> None:
    """The IT officer adds a unit to its own agency; not to another's; a clerk cannot."""
    it = make_user(agency_x, roles=[Role.IT_OFFICER])
    client = _client(it)
    url = reverse("directory:unit_create", args=[agency_x.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"code": "cntt", "name": "Tổ Công nghệ thông tin",
                                 "short_name": "CNTT"})
    assert response.status_code == 302
    unit = Unit.objects.get(agency=agency_x)
    assert unit.code == "CNTT"
    other = reverse("directory:unit_create", args=[agency_y.code])
    assert client.get(other).status_code == 403
    assert client.post(other, {"code": "VP", "name": "X"}).status_code == 403
    assert not Unit.objects.filter(agency=agency_y).exists()
    assert _client(clerk_x).get(url).status_code == 403
    edit = reverse("directory:unit_edit", args=[agency_x.code, unit.pk])
    response = client.post(edit, {"name": "Tổ CNTT", "short_name": "CNTT", "active": "on"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Tổ CNTT"
    head_y = make_user(agency_y, roles=[Role.HEAD])
    assert _client(head_y).get(edit).status_code == 404
