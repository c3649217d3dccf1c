"""The outgoing list reads one page of the agency's newest documents, whatever the rest of the
installation holds (issue 13: the list took 341 ms at 1,000,000 documents because PostgreSQL
walked the primary key past every newer document of the other agencies)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from vanban.core import clock
from vanban.core.fold import fold
from vanban.core.paging import keyset_page
from vanban.directory.models import Agency
from vanban.registry import selectors
from vanban.registry.models import Document

pytestmark = pytest.mark.django_db


def _documents(agency: Agency, count: int, subject: str) -> None:
    now = clock.now()
    Document.objects.bulk_create(
        [Document(agency=agency, type_code="cong_van", subject=f"{subject} {n}", created_at=now,
                  updated_at=now, search_text=fold(f"{subject} {n}")) for n in range(count)],
        batch_size=2000)


def test_the_list_is_the_agencys_newest_documents_page_by_page(
        clerk: Any, sender: Agency, finance: Agency) -> None:
    """R1.1: the list (on the agency's key range) holds exactly the agency's documents, newest
    first, page after page, never another agency's (same rows as the plain agency filter)."""
    _documents(sender, 120, "Của sở")
    _documents(finance, 30, "Của cơ quan khác")
    _documents(sender, 10, "Của sở, mới")
    listed: list[int] = []
    after = None
    while True:
        page = keyset_page(selectors.documents_list(clerk, selectors.DocumentFilter()),
                           after=after)
        listed += [d.pk for d in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    expected = list(Document.objects.filter(agency=sender).order_by("-pk")
                    .values_list("pk", flat=True))
    assert listed == expected
    assert len(listed) == 130


def test_the_list_page_shows_the_documents(clerk: Any, sender: Agency) -> None:
    """The page still shows each document's agency-scoped rows with their unit and register read
    after the page (no join), and a filtered list (words) still finds by words."""
    _documents(sender, 60, "Về việc chuyển đổi số")
    client = Client()
    client.force_login(clerk)
    page = client.get("/documents/").content.decode()
    assert page.count("Về việc chuyển đổi số") == 50
    assert "after=" in page
    found = client.get("/documents/", {"q": "chuyen doi so 59"}).content.decode()
    assert "Về việc chuyển đổi số 59" in found


def test_postgres_plan_reads_the_agencys_index_not_the_primary_key(
        clerk: Any, sender: Agency, finance: Agency) -> None:
    """Issue 13 (daily lists, R1.1): with the agency's documents the oldest quarter of the table
    and another agency's newer, the list's first page is read from the ``(agency_id, id DESC)``
    index and stops after one page (the plain ``agency_id`` filter walks the primary key past
    every newer row of the other agency)."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner's choice is PostgreSQL's")
    _documents(sender, 10_000, "Của sở")
    _documents(finance, 30_000, "Của cơ quan khác")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_document")
    rows = selectors.documents_list(clerk, selectors.DocumentFilter()).order_by("-pk")[:51]
    plan = rows.explain(analyze=True)
    assert "document_agency_newest" in plan or "document_agency_state_newest" in plan, plan
    assert "registry_document_pkey" not in plan, plan
    assert len(list(rows)) == 51
