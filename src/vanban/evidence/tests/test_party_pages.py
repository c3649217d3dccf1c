"""The evidence list read as two keyset branches (sent, received) serves the same pages as the
single ``sender = X OR recipient = X`` query it replaced (issue 15, R14.3, R1.1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from vanban.core.roles import Role
from vanban.evidence import selectors
from vanban.evidence.models import EvidenceRecord
from vanban.evidence.tests.conftest import R1, R2, SENDER, START

URL = "/api/v1/evidence/deliveries/"
Record = Callable[..., EvidenceRecord]


@pytest.fixture
def clerk(make_agency: Callable[..., Any], make_user: Callable[..., Any],
          record: Record) -> Client:
    """R1's clerk, after a log where R1 sends, receives, writes to itself, and is party to a
    delivery whose records name it on either side, between others' deliveries."""
    agency = make_agency(R1)
    make_agency(SENDER)
    make_agency(R2)
    for n in range(7):
        at = START + timedelta(minutes=n)
        record(f"in{n}", sender=SENDER, recipient=R1, transmission_id=f"t{n}", at=at)
        record(f"other{n}", sender=SENDER, recipient=R2, transmission_id=f"t{n}", at=at)
        record(f"out{n}", sender=R1, recipient=R2, transmission_id=f"u{n}", at=at)
        record(f"self{n}", sender=R1, recipient=R1, transmission_id=f"s{n}", at=at)
        record(f"in{n}", event="received", sender=SENDER, recipient=R1, transmission_id=f"t{n}",
               at=at + timedelta(seconds=5))
        # Its first record names R1 as recipient, its second as sender: one delivery.
        record(f"mixed{n}", sender=SENDER, recipient=R1, transmission_id=f"m{n}", at=at)
        record(f"mixed{n}", event="received", sender=R1, recipient=R2,
               transmission_id=f"m{n}", at=at + timedelta(seconds=9))
        record(f"out{n}", event="accepted", sender=R1, recipient=R2, transmission_id=f"u{n}",
               at=at + timedelta(hours=1))
    client = Client()
    client.force_login(make_user(agency, roles=[Role.CLERK]))
    return client


def _walk(client: Client, query: str) -> list[list[dict[str, Any]]]:
    pages, url = [], f"{URL}?{query}"
    while url:
        body = client.get(url).json()
        pages.append(body["results"])
        url = body["next"]
    return pages


def _single_query_pages(size: int, **filters: Any) -> list[list[dict[str, Any]]]:
    """The pages the one ``OR`` query ordered by ``-index`` gives (the list before)."""
    starts = list(selectors.delivery_starts(agency_code=R1).filter(**filters)
                  .order_by("-index"))
    return [[d.as_dict() for d in selectors.with_events(starts[i:i + size], agency_code=R1)]
            for i in range(0, len(starts), size)] or [[]]


@pytest.mark.parametrize("size", [1, 3, 4, 50])
def test_pages_match_the_single_query_and_cover_each_delivery_once(clerk: Client,
                                                                   size: int) -> None:
    """Issue 15, R14.3, R1.1: for an agency that sends, receives and writes to itself, every
    page of the two-branch list has the same bytes as the single query's page, and the cursor
    walk returns each of its deliveries once (self-addressed ones too, never R2's alone)."""
    pages = _walk(clerk, f"limit={size}")
    expected = _single_query_pages(size)
    assert json.dumps(pages, sort_keys=True) == json.dumps(expected, sort_keys=True)
    ids = [d["delivery_id"] for page in pages for d in page]
    assert len(ids) == len(set(ids)) == 28
    assert {i.rstrip("0123456789") for i in ids} == {"in", "out", "self", "mixed"}
    mixed = next(d for page in pages for d in page if d["delivery_id"] == "mixed3")
    assert (mixed["sender"], mixed["recipient"], mixed["records"]) == (SENDER, R1, 2)


def test_filtered_pages_match_the_single_query(clerk: Client) -> None:
    """Issue 15, R1.1: the other-party filter narrows both branches alike (R2 is R1's recipient
    in ``out`` and ``mixed``' second record only; the first record decides the party)."""
    pages = _walk(clerk, f"limit=3&agency={R2}")
    other = [d for page in _single_query_pages(1000) for d in page
             if {d["sender"], d["recipient"]} == {R1, R2}]
    assert [d for page in pages for d in page] == other
    assert [d["delivery_id"] for d in other] == [f"out{n}" for n in range(6, -1, -1)]


def test_status_page_deliveries_use_the_same_rows(clerk: Client) -> None:
    """R1.1: ``deliveries`` (status page: 20, CLI: all) reads the same deliveries in the same
    order as the single query."""
    expected = [d for page in _single_query_pages(1000) for d in page]
    assert [d.as_dict() for d in selectors.deliveries(agency_code=R1)] == expected
    assert [d.as_dict() for d in selectors.deliveries(agency_code=R1, limit=5)] == expected[:5]
    only = selectors.deliveries(agency_code=R1, delivery_id="self2")
    assert [d.delivery_id for d in only] == ["self2"]


def test_previous_links_walk_back_over_the_same_pages(clerk: Client) -> None:
    """Issue 15, R14.3: the ``previous`` cursor (ascending branches, reversed) leads back over
    exactly the pages ``next`` led through."""
    forward = _walk(clerk, "limit=4")
    url: str | None = f"{URL}?limit=4"
    while url:  # to the last page, keeping its body
        body = clerk.get(url).json()
        url = body["next"]
    backward = [body["results"]]
    while body["previous"]:
        body = clerk.get(body["previous"]).json()
        backward.append(body["results"])
    assert backward[::-1] == forward
