"""Issue 15, point 6 and point 3: rules an API caller could break, and business refusals that
answer 409/422 (not 400).

* unit codes are checked against the directory; renaming or deactivating a unit through the API
  is the province administrator's unless the directory policy lets agencies do it;
* no read-only or refused call consumes a register number;
* a state conflict is 409, a refusal by the rules of the stored object (no file yet,
  classified) is 422.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit
from vanban.registry.models import RegisterCounter
from vanban.registry.tests.conftest import (  # noqa: F401  (fixtures)
    clerk,
    commune,
    finance,
    other_clerk,
    province,
    sender,
    specialist,
)

pytestmark = pytest.mark.django_db


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world(make_agency: Callable[..., Any], make_user: Callable[..., Any]) -> dict[str, Any]:
    """Two agencies, a unit of the first, its head, and the province administrator."""
    own, other = make_agency(), make_agency()
    unit = Unit.objects.create(agency=own, code="VP", name="Văn phòng", created_at=clock.now())
    return {"own": own, "other": other, "unit": unit,
            "head": make_user(own, roles=[Role.HEAD]),
            "admin": make_user(None, roles=[Role.PROVINCE_ADMIN])}


def test_a_unit_code_may_not_be_an_agency_identifier_code(world: dict[str, Any]) -> None:
    """Issue 15 §6 (R1.1): a head cannot create a unit whose code is another agency's (or its
    own agency's) identifier code: 409 problem, nothing created; an ordinary code works."""
    own, other = world["own"], world["other"]
    for code in (other.code, own.code, other.code.lower()):
        refused = _api(world["head"]).post("/api/v1/units/", {
            "agency_code": own.code, "code": code, "name": "Phòng giả"}, format="json")
        assert refused.status_code == 409, refused.content
        assert refused.json()["code"] == "unit_code_is_agency_code"
    assert not Unit.objects.filter(agency=own, name="Phòng giả").exists()
    created = _api(world["head"]).post("/api/v1/units/", {
        "agency_code": own.code, "code": "TCHC", "name": "Phòng Tổ chức"}, format="json")
    assert created.status_code == 201, created.content


def test_a_head_cannot_rename_or_deactivate_units_unless_the_policy_allows(
        world: dict[str, Any]) -> None:
    """Issue 15 §6: through the API only the province administrator renames or deactivates a
    unit; with ``VANBAN_DIRECTORY_AGENCIES_EDIT_UNITS`` the agency's managers may too."""
    unit = world["unit"]
    url = f"/api/v1/units/{unit.pk}/"
    for body in ({"name": "Đổi tên"}, {"active": False}):
        assert _api(world["head"]).patch(url, body, format="json").status_code == 403
    unit.refresh_from_db()
    assert (unit.name, unit.active) == ("Văn phòng", True)
    assert _api(world["admin"]).patch(url, {"name": "Văn phòng Sở"},
                                      format="json").status_code == 200
    with override_settings(VANBAN_DIRECTORY_AGENCIES_EDIT_UNITS=True):
        assert _api(world["head"]).patch(url, {"active": False},
                                         format="json").status_code == 200
    unit.refresh_from_db()
    assert (unit.name, unit.active) == ("Văn phòng Sở", False)


def _numbers() -> list[int]:
    return list(RegisterCounter.objects.values_list("last_number", flat=True))


def test_no_read_or_refused_call_consumes_a_register_number(
        clerk: Any, specialist: Any, other_clerk: Any,  # noqa: F811  (fixtures)
        finance: Agency) -> None:  # noqa: F811
    """Issue 15 §6 (R5.1): reads, refusals and malformed calls leave the register untouched;
    the first real registration takes number 01. A second registration is a 409 (state
    conflict); marking ready without a file is a 422 (business refusal)."""
    created = _api(specialist).post("/api/v1/documents/", {
        "type_code": "ke_hoach", "subject": "Kế hoạch thử",
        "recipients": [{"agency_code": finance.code}]}, format="json")
    pk = created.json()["id"]
    base = f"/api/v1/documents/{pk}"
    for client in (_api(clerk), _api(specialist)):
        for path in ("/api/v1/documents/", f"{base}/", f"{base}/plan/",
                     "/api/v1/documents/?limit=abc"):
            assert client.get(path).status_code in (200, 400)
    refusals = [(_api(specialist), f"{base}/register/", 403),
                (_api(other_clerk), f"{base}/register/", 404),
                (_api(clerk), "/api/v1/documents/abc/register/", 404),
                (_api(clerk), f"{base}/cancel/", 400),
                (_api(clerk), f"{base}/mark-ready/", 409)]
    for client, path, expected in refusals:
        assert client.post(path, {}, format="json").status_code == expected, path
    upload = _api(clerk).post(f"{base}/upload/", {
        "main": SimpleUploadedFile("x.pdf", b"not a pdf")}, format="multipart")
    assert upload.status_code in (400, 409, 422)
    assert _numbers() in ([], [0])
    registered = _api(clerk).post(f"{base}/register/")
    assert registered.status_code == 200
    assert registered.json()["number"].startswith("01/")
    again = _api(clerk).post(f"{base}/register/")
    assert again.status_code == 409
    assert again.json()["code"] == "wrong_state"
    no_file = _api(clerk).post(f"{base}/mark-ready/")
    assert no_file.status_code == 422, no_file.content
    assert no_file.json()["code"] == "no_file"
    assert _numbers() == [1]


def test_the_incoming_list_is_never_an_inbox_check(
        make_agency: Callable[..., Any], make_user: Callable[..., Any]) -> None:
    """R10.2, issue 15 §6: a clerk's script polling the incoming list does not record the
    twice-daily inbox check; only a person opening the inbox page does."""
    from vanban.checks.models import InboxCheck

    clerk_user = make_user(make_agency(), roles=[Role.CLERK])
    for _ in range(3):
        assert _api(clerk_user).get("/api/v1/incoming/deliveries/").status_code == 200
    assert not InboxCheck.objects.filter(user=clerk_user).exists()


def test_the_documents_list_filters_like_the_page_and_refuses_unknown_parameters(
        clerk: Any, finance: Agency) -> None:  # noqa: F811
    """Issue 15 §4: ``documents/?state=`` (and ``q``, ``year``, ``type_code``) narrow the list
    as the page's filters do; an unknown parameter or value is a 400 problem, not ignored."""
    api = _api(clerk)
    first = api.post("/api/v1/documents/", {"type_code": "ke_hoach", "subject": "Kế hoạch A"},
                     format="json").json()["id"]
    api.post("/api/v1/documents/", {"type_code": "to_trinh", "subject": "Tờ trình B"},
             format="json")
    api.post(f"/api/v1/documents/{first}/register/")

    def ids(query: str) -> list[int]:
        return [d["id"] for d in api.get(f"/api/v1/documents/?{query}").json()["results"]]

    assert ids("state=registered") == [first]
    assert ids("type_code=ke_hoach&q=Kế") == [first]
    assert len(ids("state=draft")) == 1
    assert len(ids(f"year={clock.now().year}&limit=10&format=json")) == 2
    for query in ("stat=draft", "state=bogus", "year=20x6", "type_code=nope", "page=2"):
        refused = api.get(f"/api/v1/documents/?{query}")
        assert refused.status_code == 400, query
        assert refused.json()["code"] == "bad_filter"


@pytest.mark.parametrize(("body", "field"), [
    ({"subject": "Kế hoạch\x00 năm"}, "subject"),
    ({"subject": "Kế hoạch\x1b[31m"}, "subject"),
    ({"recipients": [{"name": "Ông A\x07", "address": "Lục Ngạn"}]}, "recipients.0.name"),
    ({"due_date": "3170-01-01"}, "due_date"),
])
def test_documents_refuse_control_characters_and_implausible_dates(
        clerk: Any, body: dict[str, Any], field: str) -> None:  # noqa: F811
    """Issue 15 §5: control characters in any text (nested ones too) and a date centuries
    away are a 400 problem naming the field; nothing is stored."""
    from vanban.registry.models import Document

    response = _api(clerk).post("/api/v1/documents/", {
        "type_code": "ke_hoach", "subject": "Kế hoạch", **body}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Document.objects.exists()


def test_a_form_body_is_refused_rather_than_losing_recipients(clerk: Any) -> None:  # noqa: F811
    """Issue 15 §5: a form or multipart body cannot carry nested ``recipients``; instead of
    silently dropping them, the documents API reads JSON only (uploads stay multipart): a
    form body is refused (415, or 400 when a middleware already consumed it) and nothing is
    stored."""
    from vanban.registry.models import Document

    response = _api(clerk).post("/api/v1/documents/", {
        "type_code": "ke_hoach", "subject": "Kế hoạch",
        "recipients[0]agency_code": "X"}, format="multipart")
    assert response.status_code in (400, 415), response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Document.objects.exists()


def test_a_work_file_dated_in_3170_is_refused(make_agency: Callable[..., Any],
                                             make_user: Callable[..., Any]) -> None:
    """Issue 15 §5: a work file's year and dates are plausible (1945 to near future)."""
    user = make_user(make_agency(), roles=[Role.SPECIALIST])
    for body in ({"year": 3170}, {"start_date": "3170-01-01"}, {"year": 1200}):
        response = _api(user).post("/api/v1/workflow/files/", {
            "notation": "01.VP", "title": "Hồ sơ", **body}, format="json")
        assert response.status_code == 400, body
        assert set(body) <= set(response.json()["errors"])
    ok = _api(user).post("/api/v1/workflow/files/", {
        "notation": "01.VP", "title": "Hồ sơ", "year": clock.now().year}, format="json")
    assert ok.status_code == 201, ok.content


def test_an_item_leaves_a_work_file_by_delete(make_agency: Callable[..., Any],
                                              make_user: Callable[..., Any]) -> None:
    """Issue 15 §4: HTTP verbs mean what they say: ``DELETE …/items/{item_id}/`` takes a
    document out of an open work file (the old ``POST …/remove/`` stays, deprecated)."""
    from vanban.registry import services as registry_services
    from vanban.workflow.models import WorkFile

    agency = make_agency()
    head = make_user(agency, roles=[Role.HEAD, Role.CLERK])
    api = _api(head)
    document = registry_services.document_create(actor=head, agency=agency,
                                                 type_code="ke_hoach", subject="Kế hoạch")
    registry_services.document_register(actor=head, document=document)
    file_id = api.post("/api/v1/workflow/files/", {"notation": "01.VP", "title": "Hồ sơ"},
                       format="json").json()["id"]
    added = api.post(f"/api/v1/workflow/files/{file_id}/items/", {"document_id": document.pk},
                     format="json")
    assert added.status_code == 201, added.content
    item_id = added.json()["items"][0]["id"]
    removed = api.delete(f"/api/v1/workflow/files/{file_id}/items/{item_id}/")
    assert removed.status_code == 200, removed.content
    assert removed.json()["items"] == []
    assert api.delete(f"/api/v1/workflow/files/{file_id}/items/{item_id}/").status_code == 404
    assert WorkFile.objects.get(pk=file_id).items.count() == 0
