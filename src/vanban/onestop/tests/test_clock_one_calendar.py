"""The one-stop clock times dossiers on vanban's one calendar as the directory lays it (ADR 0019):
it lays no yearly schedule of its own over it, and an operator's calendar entry wins over the
shipped schedule in the due dates (R11.2, R11.3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NoReturn

import pytest

from vanban.core import clock
from vanban.core.clock import VN_TZ
from vanban.directory.models import Agency, CalendarDay
from vanban.directory.selectors import work_calendar
from vanban.onestop.clock_config import clock_calendar
from vanban.onestop.core import calendar_schedule
from vanban.onestop.core.clock import DEFAULT_RULES, Limit, Unit, appointment, counts

pytestmark = pytest.mark.django_db
ONE_DAY = Limit(Decimal(1), Unit.WORKING_DAYS)


def _at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=VN_TZ)


def _entry(agency: Agency | None, day: date, working: bool) -> None:
    CalendarDay.objects.create(agency=agency, day=day, working=working, created_at=clock.now())


def _due(agency_id: int, at: datetime) -> datetime:
    """One working day from ``at`` on the agency's clock calendar, and the same through the bare
    shared calendar (the clock accepts either; both must agree)."""
    timed = appointment(at, ONE_DAY, clock_calendar(agency_id)).due
    assert appointment(at, ONE_DAY, work_calendar(agency_id)).due == timed
    return timed


@pytest.fixture
def agency(make_agency: Callable[..., Agency]) -> Agency:
    return make_agency("000.00.14.H06", name="Sở Xây dựng")


def test_the_shipped_schedule_times_a_dossier_without_entries(agency: Agency) -> None:
    """R11.3: with no entry, the shipped 2026 schedule counts: 27/04 (in lieu of Giỗ Tổ) is
    off, the make-up Saturday 22/08 is worked."""
    assert _due(agency.pk, _at(4, 24, 10)) == _at(4, 28, 10)
    assert _due(agency.pk, _at(8, 21, 10)) == _at(8, 22, 10)


def test_operator_entries_win_over_the_shipped_schedule(agency: Agency) -> None:
    """R11.2, R11.3 (ADR 0019): the agency works the shipped day off 27/04/2026 and the
    province takes the shipped make-up Saturday 22/08/2026 off: both due dates move, so no
    schedule is laid over the operators' entries on the way to the clock."""
    _entry(agency, date(2026, 4, 27), working=True)
    _entry(None, date(2026, 8, 22), working=False)
    assert _due(agency.pk, _at(4, 24, 10)) == _at(4, 27, 10)
    assert _due(agency.pk, _at(8, 21, 10)) == _at(8, 24, 10)
    assert counts(date(2026, 4, 27), work_calendar(agency.pk), DEFAULT_RULES)
    assert not counts(date(2026, 8, 22), work_calendar(agency.pk), DEFAULT_RULES)


def test_the_clock_lays_no_schedule_over_the_shared_calendar(
        agency: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    """R11.3: the calendar from the directory already has the yearly schedules; the clock
    takes it as it is (its days unchanged), never laying the schedules a second time."""
    _entry(agency, date(2026, 4, 27), working=True)
    shared = work_calendar(agency.pk)

    def laid_again(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise AssertionError("the clock laid the yearly schedules a second time")

    monkeypatch.setattr(calendar_schedule, "shared_calendar", laid_again)
    assert clock_calendar(agency.pk).days == shared
    assert appointment(_at(4, 24, 10), ONE_DAY, shared).due == _at(4, 27, 10)
    assert counts(date(2026, 4, 27), shared, DEFAULT_RULES)
