"""R16.2: who reads which part of the audit log, on the page and through the API; R14.3: the
"verify now" button."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vanban.audit.models import AuditEvent
from vanban.audit.selectors import EventFilter, events_for
from vanban.core.errors import Forbidden
from vanban.core.roles import Role

Fill = Callable[..., list[AuditEvent]]
A, B = "000.00.01.H99", "000.00.02.H99"


@pytest.fixture
def people(make_agency: Callable[..., Any], make_user: Callable[..., Any],
           fill: Fill) -> dict[str, Any]:
    """Two agencies with 3 and 2 events; readers and a clerk in agency A; a province admin."""
    a, b = make_agency(A), make_agency(B)
    fill(3, agency_code=A, seal_every=0)
    fill(2, agency_code=B, seal_every=0, start=datetime(2026, 3, 5, 20, 0, tzinfo=UTC),
         action="other.thing")
    return {
        "admin": make_user(b, roles=[Role.PROVINCE_ADMIN]),
        "head": make_user(a, roles=[Role.HEAD]),
        "it": make_user(a, roles=[Role.IT_OFFICER]),
        "security": make_user(a, roles=[Role.SECURITY_OFFICER]),
        "clerk": make_user(a, roles=[Role.CLERK]),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_selector_scopes_by_role(people: dict[str, Any]) -> None:
    """R16.2: the province admin reads all; agency readers read their agency; a clerk nothing."""
    assert events_for(people["admin"], actor_agency_code=B).count() == 5
    for role in ("head", "it", "security"):
        seqs = list(events_for(people[role], actor_agency_code=A).values_list("seq", flat=True))
        assert seqs == [3, 2, 1]
    with pytest.raises(Forbidden):
        events_for(people["clerk"], actor_agency_code=A)
    with pytest.raises(Forbidden):
        events_for(people["head"], actor_agency_code=None)


def test_selector_filters(people: dict[str, Any]) -> None:
    """R16.2: filters by action prefix, object and local (Asia/Ho_Chi_Minh) day."""
    admin = people["admin"]
    assert events_for(admin, actor_agency_code=B,
                      filters=EventFilter(action="other")).count() == 2
    assert list(events_for(admin, actor_agency_code=B, filters=EventFilter(
        object_type="doc", object_id="1")).values_list("seq", flat=True)) == [5, 2]
    # 20:00 UTC on 5 March is 03:00 on 6 March in Vietnam.
    day = datetime(2026, 3, 6).date()
    assert events_for(admin, actor_agency_code=B,
                      filters=EventFilter(date_from=day, date_to=day)).count() == 2


def test_page_lists_own_agency_events(people: dict[str, Any]) -> None:
    """R16.2: an agency head sees only their agency's events, with local time and short hash."""
    response = _client(people["head"]).get(reverse("audit:event_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="event"') == 3
    assert B not in body
    assert "02/03/2026 08:30:00" in body  # 01:30 UTC shown in Asia/Ho_Chi_Minh
    assert 'data-testid="verify-form"' not in body


def test_page_forbidden_for_clerk(people: dict[str, Any]) -> None:
    """R16.2: a clerk is refused with a message."""
    response = _client(people["clerk"]).get(reverse("audit:event_list"))
    assert response.status_code == 403
    assert "không có quyền" in response.content.decode()


def test_page_filters_and_paginates(people: dict[str, Any], fill: Fill) -> None:
    """R16.2: 50 per page, newest first, filters kept across pages."""
    fill(60, agency_code=A, seal_every=0, action="bulk.item")
    client = _client(people["admin"])
    first = client.get(reverse("audit:event_list"), {"action": "bulk"}).content.decode()
    assert first.count('data-testid="event"') == 50
    assert "action=bulk&amp;page=2" in first
    second = client.get(reverse("audit:event_list"), {"action": "bulk", "page": "2"})
    assert second.content.decode().count('data-testid="event"') == 10
    dates: dict[str, str] = {"date_from": "31/12/2026", "date_to": "01/01/2026"}
    bad = client.get(reverse("audit:event_list"), dates)
    assert bad.status_code == 200
    assert "Ngày kết thúc phải sau ngày bắt đầu" in bad.content.decode()


def test_verify_button(people: dict[str, Any]) -> None:
    """R14.3: IT officers and the province admin run a verification; it is itself recorded."""
    client = _client(people["it"])
    assert 'data-testid="verify-form"' in client.get(reverse("audit:event_list")).content.decode()
    response = client.post(reverse("audit:verify"))
    assert response.status_code == 200
    assert "nguyên vẹn" in response.content.decode()
    recorded = AuditEvent.objects.order_by("-seq").first()
    assert recorded is not None
    assert (recorded.action, recorded.agency_code) == ("audit.verify", A)
    assert '"ok":true' in recorded.data


@pytest.mark.parametrize("role", ["head", "security", "clerk"])
def test_verify_button_refused_for_others(people: dict[str, Any], role: str) -> None:
    """R14.3: other roles cannot trigger verification."""
    response = _client(people[role]).post(reverse("audit:verify"))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="audit.verify").exists()


def test_api_scoped_list_and_detail(people: dict[str, Any]) -> None:
    """R16.2: the API applies the same scope; another agency's event is a 404."""
    client = _client(people["security"])
    listing = client.get("/api/v1/audit/events/")
    assert listing.status_code == 200
    data = listing.json()
    assert data["next"] is None
    assert [e["seq"] for e in data["results"]] == [3, 2, 1]
    assert set(data["results"][0]) >= {"seq", "at", "hash", "prev_hash", "data"}
    assert client.get("/api/v1/audit/events/2/").json()["agency_code"] == A
    assert client.get("/api/v1/audit/events/4/").status_code == 404
    admin = _client(people["admin"])
    assert len(admin.get("/api/v1/audit/events/", {"action": "other"}).json()["results"]) == 2
    assert admin.get("/api/v1/audit/events/4/").status_code == 200


def test_api_forbidden_and_bad_filter(people: dict[str, Any]) -> None:
    """R16.2: a clerk gets a 403 problem; a malformed date a 400 problem."""
    refused = _client(people["clerk"]).get("/api/v1/audit/events/")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["detail_en"]
    bad = _client(people["admin"]).get("/api/v1/audit/events/", {"date_from": "hôm qua"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "validation_failed"
