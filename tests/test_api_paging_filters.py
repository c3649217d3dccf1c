"""Issue 15 §4: one paging style (a keyset cursor, no COUNT, no offset) and the pages' filters
on every list, each bad value a 400 problem naming the filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from vanban.accounts.services.tokens import api_token_create
from vanban.core import clock
from vanban.core.roles import Role
from vanban.registry.models import Document, DocumentState

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"

# Each list with a value no filter of it can take.
BAD_FILTERS = [
    ("documents/", "state=nope"), ("documents/", "type_code=nope"), ("documents/", "year=20x6"),
    ("exchange/transmissions/", "date_from=2026-13-01"),
    ("exchange/transmissions/", "date_from=2026-05-02&date_to=2026-05-01"),
    ("exchange/transmissions/", "agency=" + "X" * 40),
    ("exchange/deliveries/", "state=nope"), ("exchange/deliveries/", "date_to=yesterday"),
    ("incoming/deliveries/", "date_from=3170-01-01"), ("incoming/deliveries/", "agency=%01"),
    ("incoming/register/", "year=3170"), ("incoming/register/", "state=nope"),
    ("incoming/register/", "date_to=01/02/2026"),
    ("workflow/incoming/", "state=done"), ("workflow/incoming/", "year=26"),
    ("workflow/tasks/", "due=tomorrow"), ("workflow/tasks/", "role=boss"),
    ("workflow/files/", "state=archived"), ("workflow/files/", "year=1800"),
]
LISTS = sorted({path for path, _query in BAD_FILTERS} | {"agencies/", "units/", "staff/",
                                                         "audit/events/", "me/tokens/"})


@pytest.fixture
def agency(make_agency: Callable[..., Any]) -> Any:
    """The caller's agency."""
    return make_agency()


@pytest.fixture
def caller(agency: Any, make_user: Callable[..., Any]) -> APIClient:
    """A clerk and head of the agency, signed in by a real token."""
    user = make_user(agency, roles=[Role.CLERK, Role.HEAD])
    client = APIClient()
    token = api_token_create(user=user, ip="127.0.0.1").clear
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _refused(response: Any, code: str, parameter: str) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == code
    assert response.json()["parameter"] == parameter


@pytest.mark.parametrize(("path", "query"), BAD_FILTERS)
def test_a_bad_filter_value_is_a_400_naming_it(caller: APIClient, path: str,
                                               query: str) -> None:
    """Issue 15 §4: a filter value that cannot be one (unknown state, impossible date, a
    period ending before it starts, a code too long) is a 400 ``bad_filter``."""
    name = query.split("=", maxsplit=1)[0] if "date_to" not in query else "date_to"
    _refused(caller.get(f"/api/v1/{path}?{query}"), "bad_filter", name)


@pytest.mark.parametrize("path", LISTS)
def test_every_list_refuses_an_unknown_parameter_and_offset(caller: APIClient,
                                                            path: str) -> None:
    """Issue 15 §4: a misspelt filter, and the old ``offset``, are refused (400), never
    silently dropped; every list answers the same page shape without a count."""
    _refused(caller.get(f"/api/v1/{path}?stat=registered"), "bad_filter", "stat")
    _refused(caller.get(f"/api/v1/{path}?offset=10"), "bad_filter", "offset")
    body = caller.get(f"/api/v1/{path}?limit=1").json()
    assert set(body) == {"next", "previous", "results"}


def _documents(agency: Any, count: int) -> list[Document]:
    now = clock.now()
    return Document.objects.bulk_create([
        Document(agency=agency, type_code="cong_van", subject=f"Công văn {n}",
                 state=DocumentState.REGISTERED if n % 2 else DocumentState.DRAFT,
                 created_at=now, updated_at=now) for n in range(count)])


def test_following_next_reads_every_row_once_newest_first(caller: APIClient,
                                                          agency: Any) -> None:
    """R14.3, issue 15 §4: pages follow ``next`` to the end, each row once, newest first;
    ``previous`` goes back to the same rows; a row added meanwhile shifts nothing."""
    _documents(agency, 7)
    ids = list(Document.objects.order_by("-id").values_list("id", flat=True))
    seen: list[int] = []
    body = caller.get("/api/v1/documents/?limit=3").json()
    first = [d["id"] for d in body["results"]]
    second_url = body["next"]
    while True:
        seen += [d["id"] for d in body["results"]]
        if body["next"] is None:
            break
        _documents(agency, 1)  # arrives while the client pages: not in the pages it reads
        body = caller.get(body["next"]).json()
    assert seen == ids
    back = caller.get(caller.get(second_url).json()["previous"]).json()
    assert [d["id"] for d in back["results"]] == first


def test_filters_narrow_the_pages(caller: APIClient, agency: Any) -> None:
    """Issue 15 §4: ``state`` narrows the documents and the cursor keeps the filter."""
    _documents(agency, 6)
    registered = list(Document.objects.filter(state=DocumentState.REGISTERED)
                      .order_by("-id").values_list("id", flat=True))
    body = caller.get("/api/v1/documents/?state=registered&limit=2").json()
    got = [d["id"] for d in body["results"]]
    got += [d["id"] for d in caller.get(body["next"]).json()["results"]]
    assert got == registered[:4]
    assert caller.get("/api/v1/documents/?state=sent").json()["results"] == []


def test_work_files_filter_by_year_and_state(caller: APIClient) -> None:
    """Issue 15 §4: work files narrow by ``year`` and by open or closed, as on the page."""
    year = clock.local_now().year
    made = [caller.post("/api/v1/workflow/files/", {
        "notation": f"0{n}.HC", "title": f"Hồ sơ {n}", "retention_years": 10,
        "year": year - n}, format="json") for n in range(2)]
    assert [m.status_code for m in made] == [201, 201], made[0].content
    closed = caller.post(f"/api/v1/workflow/files/{made[0].json()['id']}/close/", {},
                         format="json")
    assert closed.status_code == 200, closed.content

    def ids(query: str) -> list[int]:
        return [f["id"] for f in caller.get(f"/api/v1/workflow/files/?{query}").json()["results"]]

    assert ids(f"year={year}") == [made[0].json()["id"]]
    assert ids("state=open") == [made[1].json()["id"]]
    assert ids("state=closed") == [made[0].json()["id"]]
