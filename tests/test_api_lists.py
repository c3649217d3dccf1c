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
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from vanban.accounts.models import RoleRequest, TOTPDevice, User
from vanban.accounts.serializers import StaffSerializer
from vanban.accounts.services.tokens import api_token_create
from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Unit

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


def test_staff_page_bodies_are_byte_for_byte_the_one_row_serializers(
        make_agency: Callable[..., Any], make_user: Callable[..., Any]) -> None:
    """Issue 15 (bench, R20.1): the staff page builds its bodies from plain values (no
    serializer per row); each row renders to the very bytes, keys in the same order, that
    :class:`StaffSerializer` renders for that person: with and without a unit, roles, pending
    role requests, a confirmed or an unconfirmed second factor, an inactive account."""
    agency = make_agency(short_name="SNV")
    unit = Unit.objects.create(agency=agency, code="VP", name="Văn phòng", created_at=clock.now())
    head = make_user(agency, roles=[Role.HEAD], unit=unit)
    plain = make_user(agency)
    busy = make_user(agency, roles=[Role.SPECIALIST, Role.CLERK, Role.DELEGATE], unit=unit)
    RoleRequest.objects.create(user=busy, role=Role.ONESTOP, requested_by=head,
                               requested_at=clock.now())
    RoleRequest.objects.create(user=busy, role=Role.HEAD, requested_by=head,
                               requested_at=clock.now())
    RoleRequest.objects.create(user=plain, role=Role.CLERK, requested_by=head,
                               requested_at=clock.now(), state=RoleRequest.State.REFUSED)
    TOTPDevice.objects.create(user=busy, sealed_secret="sealed", created_at=clock.now(),
                              confirmed_at=clock.now())
    TOTPDevice.objects.create(user=plain, sealed_secret="sealed", created_at=clock.now())
    gone = make_user(agency, roles=[Role.CLERK])
    gone.is_active = False
    gone.position = "Chuyên viên"
    gone.mailbox = "gone@example.vn"
    gone.save()
    make_user(make_agency(), roles=[Role.CLERK])  # another agency's: not on the page
    response = _client(head).get("/api/v1/staff/?limit=200")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [
        u.pk for u in User.objects.filter(agency=agency).order_by("username")]
    renderer = JSONRenderer()
    for row in rows:
        expected = StaffSerializer(User.objects.get(pk=row["id"])).data
        assert list(row) == list(expected)
        assert renderer.render(row) == renderer.render(expected)
    by_id = {row["id"]: row for row in rows}
    assert by_id[busy.pk]["pending_roles"] == ["head", "onestop"]
    assert by_id[busy.pk]["two_factor"] is True
    assert by_id[plain.pk]["pending_roles"] == []
    assert by_id[plain.pk]["two_factor"] is False
    assert by_id[plain.pk]["unit"] is None
    assert by_id[busy.pk]["unit"] == {"id": unit.pk, "code": "VP", "name": "Văn phòng"}
    assert by_id[gone.pk]["is_active"] is False


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
