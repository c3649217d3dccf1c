"""Issue 15, done means (bench: every list at 1,000,000 documents, p95 ≤ 150 ms): a list page
costs a fixed number of queries however many rows it holds, and says what the one-row
answers say. The staff list read three queries per person and the incoming register two
(``bench/api_lists.py`` found them: 2.2 s and 0.3 s a page on the loaded machine)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from vanban.accounts.models import RoleRequest, TOTPDevice, User
from vanban.accounts.serializers import StaffSerializer
from vanban.accounts.services.tokens import api_token_create
from vanban.core import clock
from vanban.core.roles import Role

pytestmark = pytest.mark.django_db


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + api_token_create(
        user=user, ip="127.0.0.1").clear)
    return client


def _queries(client: APIClient, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as seen:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(seen), response.json()


def test_staff_page_reads_a_fixed_number_of_queries_and_the_same_bodies(
        make_agency: Callable[..., Any], make_user: Callable[..., Any]) -> None:
    """Issue 15 (bench, R14.3): ``staff/`` reads the page's roles, pending roles and second
    factors once for the page; each row is what :class:`StaffSerializer` says of it."""
    agency = make_agency()
    head = make_user(agency, roles=[Role.HEAD])
    client = _client(head)
    few, _ = _queries(client, "/api/v1/staff/?limit=200")
    for n in range(12):
        user = make_user(agency, roles=[Role.SPECIALIST, Role.CLERK][: 1 + n % 2])
        if n % 3 == 0:
            RoleRequest.objects.create(user=user, role=Role.DELEGATE, requested_by=head,
                                       requested_at=clock.now())
        if n % 4 == 0:
            TOTPDevice.objects.create(user=user, sealed_secret="sealed", created_at=clock.now(),
                                      confirmed_at=clock.now())
    many, body = _queries(client, "/api/v1/staff/?limit=200")
    assert many <= few + 1  # the page's rows, not a query per row
    rows = body["results"]
    assert len(rows) == 13
    for row in rows:
        assert row == StaffSerializer(User.objects.get(pk=row["id"])).data
    assert any(row["pending_roles"] == ["delegate"] for row in rows)
    assert any(row["two_factor"] for row in rows)
    assert any(row["roles"] == ["clerk", "specialist"] for row in rows)


def test_incoming_register_page_reads_a_fixed_number_of_queries(
        make_agency: Callable[..., Any], make_user: Callable[..., Any]) -> None:
    """Issue 15 (bench, R14.3): ``incoming/register/`` reads each line's issuer and delivery
    with the page, not one query each."""
    from vanban.incoming.models import IncomingDocument
    from vanban.registry.models import Register

    agency = make_agency()
    clerk = make_user(agency, roles=[Role.CLERK])
    client = _client(clerk)
    now = clock.now()
    register = Register.objects.create(agency=agency, year=clock.local_now().year, series="den",
                                       kind=Register.KIND_INCOMING, created_at=now)

    def line(n: int) -> None:
        IncomingDocument.objects.create(
            agency=agency, register=register, arrival_number=n, arrival_date=now.date(),
            received_at=now, source="paper", issuer=make_agency(), issuer_name=f"CQ {n}",
            subject=f"Văn bản {n}", registered_by=clerk, registered_at=now)

    line(1)
    few, _ = _queries(client, "/api/v1/incoming/register/?limit=200")
    for n in range(2, 12):
        line(n)
    many, body = _queries(client, "/api/v1/incoming/register/?limit=200")
    assert many <= few
    assert [row["arrival_number"] for row in body["results"]] == list(range(11, 0, -1))
    assert all(row["issuer_code"] for row in body["results"])
