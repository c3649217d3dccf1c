"""The overdue report pages through units/persons, not lines (issue 13 leftover): a unit's
overdue lines are all on one page, never split across two (R8.1)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from vanban.core import clock
from vanban.exchange.tests.conftest import make_pdf
from vanban.incoming.services import incoming_register_paper
from vanban.workflow import views
from vanban.workflow.models import LineRole
from vanban.workflow.services import assignment_create
from vanban.workflow.tests.conftest import line

pytestmark = pytest.mark.django_db
LATER = datetime.fromisoformat("2026-11-20T09:00:00+07:00")


def _paper(clerk: Any, n: int) -> Any:
    return incoming_register_paper(
        actor=clerk, data=make_pdf(f"Cong van {n}"), subject=f"Về việc thứ {n}",
        issuer_name="Bộ Tài chính", code_number=str(n), code_notation="BTC", type_name="Công văn")


def test_a_units_lines_stay_on_one_page(head, clerk, budget, planning, monkeypatch) -> None:
    """R8.1: with one unit per page, the unit with three overdue lines shows all three on
    page 1 and the other unit its line on page 2 (paging by lines split the first unit)."""
    for n, unit in ((1, budget), (2, planning), (3, budget), (4, budget)):
        assignment_create(actor=head, document=_paper(clerk, n),
                          lines=[line(LineRole.LEAD, unit=unit, days=3)])
    monkeypatch.setattr(views, "OVERDUE_HOLDERS_PAGE", 1)
    client = Client()
    client.force_login(head)
    with clock.frozen(LATER):
        first = client.get("/work/overdue/").content.decode()
        second = client.get("/work/overdue/?page=2").content.decode()
    assert first.count('data-testid="holder"') == 1
    assert "Phòng Quản lý ngân sách" in first
    assert sorted(re.findall(r"Về việc thứ (\d)", first)) == ["1", "3", "4"]
    assert "Phòng Kế hoạch - Tài chính" in second
    assert re.findall(r"Về việc thứ (\d)", second) == ["2"]
