"""The agency's evidence list (R7) over random logs: every filter the API takes, walked
forwards and back, gives exactly the first records the former single query gave, in order."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client

from vanban.core.roles import Role
from vanban.evidence import selectors
from vanban.evidence.tests.conftest import START

pytestmark = pytest.mark.django_db

URL = "/api/v1/evidence/deliveries/"
CODES = ["000.00.01.H06", "000.00.02.H06", "000.00.03.H06", "000.00.04.H06"]
ME = CODES[1]


def _walk(client: Client, query: str) -> list[dict[str, Any]]:
    """Every row of the list following ``next`` to the end; ``previous`` from the last page
    must give back the same pages."""
    pages: list[dict[str, Any]] = []
    url: str | None = f"{URL}?{query}"
    while url:
        body = client.get(url).json()
        assert "results" in body, body
        pages.append(body)
        url = body["next"]
    back = [pages[-1]]
    while back[-1]["previous"]:
        back.append(client.get(back[-1]["previous"]).json())
    assert [p["results"] for p in back[::-1]] == [p["results"] for p in pages]
    return [row for page in pages for row in page["results"]]


def _former(other: str | None = None, date_from: str | None = None,
            date_to: str | None = None) -> list[dict[str, Any]]:
    """The single OR query the two keyset branches replaced."""
    starts = selectors.delivery_starts(agency_code=ME)
    if other:
        starts = starts.filter(Q(sender=ME, recipient=other) | Q(sender=other, recipient=ME))
    if date_from:
        starts = starts.filter(at__date__gte=date_from)
    if date_to:
        starts = starts.filter(at__date__lte=date_to)
    return [d.as_dict() for d in selectors.with_events(list(starts.order_by("-index")),
                                                       agency_code=ME)]


@pytest.mark.parametrize("seed", range(3))
def test_random_logs_page_as_before(seed: int, record: Callable[..., object],
                                    make_agency: Callable[..., object],
                                    make_user: Callable[..., object]) -> None:
    """R7: records on both sides, addressed to the agency itself, over six days; limits 1–50,
    the other-party filter (the agency itself included), date ranges and both together: each
    record once, in the former order, and ``deliveries()`` agrees."""
    rnd = random.Random(seed)
    agencies = {code: make_agency(code) for code in CODES}
    for _ in range(120):
        record(f"d{rnd.randrange(50)}", event=rnd.choice(["sent", "received", "accepted"]),
               sender=rnd.choice(CODES), recipient=rnd.choice(CODES), transmission_id="t",
               at=START + timedelta(hours=rnd.randrange(24 * 6)))
    client = Client()
    client.force_login(make_user(agencies[ME], roles=[Role.CLERK]))  # type: ignore[arg-type]
    days = [(START + timedelta(days=k)).date().isoformat() for k in range(6)]
    for size in (1, 3, 7, 50):
        assert _walk(client, f"limit={size}") == _former()
        for other in CODES:
            assert _walk(client, f"limit={size}&agency={other}") == _former(other=other)
        for date_from, date_to in ((days[1], days[3]), (days[2], None), (None, days[0])):
            query = f"limit={size}" + (f"&date_from={date_from}" if date_from else "") \
                + (f"&date_to={date_to}" if date_to else "")
            assert _walk(client, query) == _former(date_from=date_from, date_to=date_to)
            assert _walk(client, f"{query}&agency={CODES[0]}") == _former(
                other=CODES[0], date_from=date_from, date_to=date_to)
    assert [d.as_dict() for d in selectors.deliveries(agency_code=ME)] == _former()
    assert [d.as_dict() for d in selectors.deliveries(agency_code=ME, limit=4)] == _former()[:4]
