"""The search's outgoing kind reads the agency's key range on PostgreSQL (issue 13) and finds
exactly what the plain agency filter finds (R1.1: never another agency's document)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from vanban.core import clock
from vanban.core.fold import fold
from vanban.core.paging import keyset_page
from vanban.directory.models import Agency
from vanban.registry import selectors as registry_selectors
from vanban.registry.models import Document
from vanban.search import selectors
from vanban.search.query import OUTGOING, SearchQuery

pytestmark = pytest.mark.django_db


def _documents(agency: Agency, count: int, subject: str) -> None:
    now = clock.now()
    Document.objects.bulk_create(
        [Document(agency=agency, type_code="cong_van", subject=f"{subject} {n}", created_at=now,
                  updated_at=now, issued_date=date(2024, 1 + n % 12, 1),
                  search_text=fold(f"{subject} {n}")) for n in range(count)])


def _all(actor: Any, query: SearchQuery) -> list[int]:
    found: list[int] = []
    after = None
    while True:
        page = keyset_page(selectors.outgoing(actor, query), after=after)
        found += [d.pk for d in page.items]
        if page.next_after is None:
            return found
        after = page.next_after


@pytest.mark.parametrize("query", [
    SearchQuery(kind=OUTGOING),
    SearchQuery(kind=OUTGOING, text="ha noi"),
    SearchQuery(kind=OUTGOING, text="ha noi 7"),
    SearchQuery(kind=OUTGOING, date_from=date(2024, 3, 1), date_to=date(2024, 3, 31)),
])
def test_outgoing_kind_is_the_agencys_documents_as_before(
        clerk: Any, agency: Agency, other_agency: Agency, query: SearchQuery) -> None:
    """R1.1, issue 13: the outgoing kind (on the agency's key range on PostgreSQL, with or
    without words) pages through exactly the rows of the plain agency filter, newest first."""
    _documents(agency, 70, "Về việc Hà Nội")
    _documents(other_agency, 40, "Về việc Hà Nội")
    _documents(agency, 5, "Về việc Bắc Giang")
    plain = Document.objects.filter(agency=agency)
    for word in query.text.split():
        plain = plain.filter(search_text__contains=word)
    if query.date_from:
        plain = plain.filter(issued_date__gte=query.date_from, issued_date__lte=query.date_to)
    expected = list(plain.order_by("-pk").values_list("pk", flat=True))
    assert expected
    assert _all(clerk, query) == expected


def test_postgres_outgoing_kind_reads_the_agencys_index(
        clerk: Any, agency: Agency, other_agency: Agency) -> None:
    """Issue 13: with the agency's documents the oldest and another agency's newer, a word
    search of the outgoing kind reads the agency's index, not the primary key."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner's choice is PostgreSQL's")
    _documents(agency, 5_000, "Về việc Hà Nội")
    _documents(other_agency, 20_000, "Về việc Hà Nội")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_document")
    rows = selectors.outgoing(clerk, SearchQuery(kind=OUTGOING, text="ha noi")).order_by("-pk")
    plan = rows[:51].explain()
    assert "registry_document_pkey" not in plan, plan
    assert len(list(rows[:51])) == 51


@pytest.mark.parametrize("text", ["ha noi", "bac giang", "khongcodau", "ha", "ha noi 7"])
def test_outgoing_kind_rare_and_absent_words_as_the_plain_filter(
        clerk: Any, agency: Agency, other_agency: Agency, monkeypatch: pytest.MonkeyPatch,
        text: str) -> None:
    """R1.1, issue 13: common words (past the probe's cap: the agency's key range), rare and
    absent ones (the trigram index's ids on PostgreSQL) page through exactly the plain
    agency filter's rows."""
    monkeypatch.setattr(registry_selectors, "PROBE_CAP", 20)
    _documents(agency, 70, "Về việc Hà Nội")
    _documents(other_agency, 40, "Về việc Bắc Giang")
    _documents(agency, 5, "Về việc Bắc Giang")
    query = SearchQuery(kind=OUTGOING, text=text)
    plain = Document.objects.filter(agency=agency)
    for word in text.split():
        plain = plain.filter(search_text__contains=word)
    assert _all(clerk, query) == list(plain.order_by("-pk").values_list("pk", flat=True))
