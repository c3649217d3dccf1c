"""The evidence list of the API in keyset pages like every other list (issue 15 §4, R14.3,
R1.1): bounded pages, checked cursors and filters, each delivery once with all its events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vanban.core.roles import Role
from vanban.evidence import selectors
from vanban.evidence.tests.conftest import R1, R2, SENDER

Exchange = Callable[[int], None]
URL = "/api/v1/evidence/deliveries/"


@pytest.fixture
def clerks(make_agency: Callable[..., Any], make_user: Callable[..., Any],
           exchange: Exchange) -> dict[str, Client]:
    """The sender's and one recipient's clerks, after five rounds (ten deliveries)."""
    sender, r1 = make_agency(SENDER), make_agency(R1)
    make_agency(R2)
    exchange(5)
    found: dict[str, Client] = {}
    for name, agency in (("sender", sender), ("r1", r1)):
        client = Client()
        client.force_login(make_user(agency, roles=[Role.CLERK]))
        found[name] = client
    return found


def _all_pages(client: Client, query: str) -> list[list[dict[str, Any]]]:
    pages, url = [], f"{URL}?{query}"
    while url:
        body = client.get(url).json()
        pages.append(body["results"])
        url = body["next"]
    return pages


def test_pages_cover_every_delivery_once(clerks: dict[str, Client]) -> None:
    """Issue 15 §4, R14.3: ``limit`` pages by cursor, the latest begun delivery first, each
    delivery on one page with every event in log order; the total is what the log holds."""
    pages = _all_pages(clerks["sender"], "limit=3")
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    ids = [d["delivery_id"] for p in pages for d in p]
    assert ids == [f"d{n}-{k}" for n in range(4, -1, -1) for k in (2, 1)]
    first = pages[-1][0]
    assert first["delivery_id"] == "d0-1"
    assert [e["event"] for e in first["events"]] == ["sent", "received", "accepted"]
    assert first["records"] == 3
    assert [e["index"] for e in first["events"]] == sorted(e["index"] for e in first["events"])
    everything = selectors.deliveries(agency_code=SENDER)
    assert [d.delivery_id for d in everything] == ids


def test_recipient_sees_only_its_deliveries(clerks: dict[str, Client]) -> None:
    """R1.1: a recipient's clerk lists only the deliveries addressed to its agency."""
    ids = [d["delivery_id"] for p in _all_pages(clerks["r1"], "") for d in p]
    assert ids == [f"d{n}-1" for n in range(4, -1, -1)]


def test_agency_and_date_filters(clerks: dict[str, Client]) -> None:
    """Issue 15 §4: ``agency`` (the other party) and the local-day filters narrow the list."""
    sender = clerks["sender"]
    to_r2 = sender.get(f"{URL}?agency={R2.lower()}").json()["results"]
    assert [d["delivery_id"] for d in to_r2] == [f"d{n}-2" for n in range(4, -1, -1)]
    assert sender.get(f"{URL}?date_from=2026-03-03").json()["results"] == []
    assert len(sender.get(f"{URL}?date_to=2026-03-02").json()["results"]) == 10


@pytest.mark.parametrize("query", ["limit=0", "limit=x", "cursor=nonsense", "state=sent",
                                   "date_from=2026-13-01", "agency=" + "9" * 40])
def test_bad_paging_and_unknown_parameters_refused(clerks: dict[str, Client],
                                                   query: str) -> None:
    """Issue 15 §4: junk paging, bad filters and parameters the list does not take are 400
    problems (English and Vietnamese), never a silently wider answer."""
    response = clerks["sender"].get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] in {"bad_paging", "bad_filter"}
    assert response.json()["detail_vi"]
    assert response.json()["detail_en"]


def test_limit_above_the_maximum_is_lowered(clerks: dict[str, Client],
                                            settings: Any) -> None:
    """Issue 15 §4: a ``limit`` above the documented maximum is served at the maximum."""
    settings.VANBAN_API_MAX_PAGE_SIZE = 4
    body = clerks["sender"].get(f"{URL}?limit=1000").json()
    assert len(body["results"]) == 4
    assert "limit=4" in body["next"]


def test_a_page_costs_a_fixed_number_of_queries(clerks: dict[str, Client],
                                                exchange: Exchange) -> None:
    """Issue 15 (bench): a page reads its deliveries and their events in a fixed number of
    queries, whatever the number of deliveries or of their events."""
    sender = clerks["sender"]
    sender.get(f"{URL}?limit=4")  # sessions, tokens and caches warm
    with CaptureQueriesContext(connection) as few:
        sender.get(f"{URL}?limit=4")
    exchange(5)
    with CaptureQueriesContext(connection) as many:
        assert len(sender.get(f"{URL}?limit=8").json()["results"]) == 8
    assert len(many) == len(few)
