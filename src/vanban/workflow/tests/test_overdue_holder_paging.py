"""The overdue page shows each unit/person with its full counts and a page of its lines; the
rest of one holder's lines are a "xem thêm" away, paged by deadline (issue 13: one person's 500
overdue lines on one page took 320 ms at 1,000,000 documents)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from vanban.core import clock
from vanban.exchange.tests.conftest import make_pdf
from vanban.incoming.services import incoming_register_paper
from vanban.workflow import selectors
from vanban.workflow.models import LineRole
from vanban.workflow.services import assignment_create
from vanban.workflow.tests.conftest import line

pytestmark = pytest.mark.django_db
GIVEN = datetime.fromisoformat("2026-11-02T09:00:00+07:00")
LATER = datetime.fromisoformat("2026-11-30T09:00:00+07:00")
SUBJECT = re.compile(r"Về việc số (\d+)")


def _assign(head: Any, clerk: Any, n: int, unit: Any, days: int) -> None:
    document = incoming_register_paper(
        actor=clerk, data=make_pdf(f"Cong van {n}"), subject=f"Về việc số {n}",
        issuer_name="Bộ Tài chính", code_number=str(n), code_notation="BTC",
        type_name="Công văn")
    assignment_create(actor=head, document=document,
                      lines=[line(LineRole.LEAD, unit=unit, days=days)])


@pytest.fixture
def late(head: Any, clerk: Any, budget: Any, planning: Any) -> None:
    """Five overdue lines of one unit (deadlines 1–4 working days after they were given, two
    on the same day) and one of another unit."""
    with clock.frozen(GIVEN):
        for n, days in ((1, 4), (2, 1), (3, 3), (4, 1), (5, 2)):
            _assign(head, clerk, n, budget, days)
        _assign(head, clerk, 6, planning, 2)


def _get(client: Any, query: str) -> str:
    with clock.frozen(LATER):
        response = client.get(f"/work/overdue/{query}")
    assert response.status_code == 200
    return str(response.content.decode())


def test_one_holders_lines_page_by_deadline_with_full_counts(
        late: None, head: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """R8.1: with two lines a page, the unit with five overdue lines shows "Quá hạn: 5" and its
    two nearest deadlines; "xem thêm" walks its other lines in deadline order, each page
    keeping the count; every line shows exactly once; the other unit shows its one line."""
    monkeypatch.setattr(selectors, "HOLDER_LINES", 2)
    client = Client()
    client.force_login(head)
    first = _get(client, "")
    assert first.count('data-testid="holder"') == 2
    budget_card, planning_card = first.split('data-testid="holder"')[1:]
    assert "Phòng Quản lý ngân sách" in budget_card
    assert "Quá hạn: 5" in budget_card
    assert "Phòng Kế hoạch - Tài chính" in planning_card
    assert "Quá hạn: 1" in planning_card
    assert SUBJECT.findall(planning_card) == ["6"]
    assert 'data-testid="more-lines"' not in planning_card
    seen = SUBJECT.findall(budget_card)
    assert seen == ["2", "4"]  # the nearest deadlines (the same day: the first given first)
    page = budget_card
    while 'data-testid="more-lines"' in page:
        more = re.search(r'href="\?([^"]*)" data-testid="more-lines"', page)
        assert more is not None
        page = _get(client, "?" + more.group(1).replace("&amp;", "&"))
        assert page.count('data-testid="holder"') == 1
        assert "Quá hạn: 5" in page
        assert 'data-testid="all-holders"' in page
        seen += SUBJECT.findall(page)
    assert seen == ["2", "4", "5", "3", "1"]


def test_the_due_filter_stays_on_the_next_lines(
        late: None, head: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """R8.1: "xem thêm" of the overdue tab keeps the tab (``due=overdue``)."""
    monkeypatch.setattr(selectors, "HOLDER_LINES", 2)
    client = Client()
    client.force_login(head)
    page = _get(client, "?due=overdue")
    more = re.search(r'href="\?([^"]*)" data-testid="more-lines"', page)
    assert more is not None
    assert more.group(1).startswith("due=overdue&amp;holder=u")


def test_a_bad_cursor_starts_from_the_first_lines(
        late: None, head: Any, budget: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cursor that is not a deadline and id shows the holder's first lines, not an error."""
    monkeypatch.setattr(selectors, "HOLDER_LINES", 2)
    client = Client()
    client.force_login(head)
    page = _get(client, f"?holder=u{budget.pk}&after=x_y")
    assert SUBJECT.findall(page) == ["2", "4"]


def test_the_holders_page_is_kept_through_the_next_lines(
        late: None, head: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """R8.1: a head on a later page of units/persons who opens one holder's next lines comes
    back to that page through "Tất cả đơn vị, cá nhân", not to the first."""
    monkeypatch.setattr(selectors, "HOLDER_LINES", 2)
    client = Client()
    client.force_login(head)
    page = _get(client, "?page=1")
    more = re.search(r'href="\?([^"]*)" data-testid="more-lines"', page)
    assert more is not None
    assert "page=1" in more.group(1)
    following = _get(client, "?" + more.group(1).replace("&amp;", "&"))
    back = re.search(r'href="\?([^"]*)"[^>]*data-testid="all-holders"', following)
    assert back is not None
    assert back.group(1).replace("&amp;", "&") == "page=1"
