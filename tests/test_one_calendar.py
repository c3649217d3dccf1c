"""vanban's one working-day calendar (ADR 0019): workflow deadlines and the one-stop clock count
the same days: statutory holidays, the shipped yearly schedules, the calendar settings and the
operators' entries (R8.1, R11.2)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tests.test_workdays import expected_working
from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Role
from vanban.directory.calendar import calendar_day_set
from vanban.directory.models import CalendarDay, Unit
from vanban.directory.selectors import work_calendar
from vanban.exchange.tests.conftest import make_pdf
from vanban.onestop.clock_config import clock_calendar, clock_rules
from vanban.onestop.core.clock import DEFAULT_RULES, Limit, appointment, counts
from vanban.onestop.core.clock import Unit as LimitUnit
from vanban.workflow.models import LineRole
from vanban.workflow.services import LineInput, assignment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_agency: Any, make_user: Any) -> dict[str, Any]:
    """An agency with its head, clerk and a unit: enough to assign a document with a limit."""
    agency = make_agency("000.00.31.H06", name="Sở Tài chính", short_name="STC")
    unit = Unit.objects.create(agency=agency, code="QLNS", name="Phòng Quản lý ngân sách",
                               short_name="QLNS", created_at=clock.now())
    return {"agency": agency, "unit": unit,
            "head": make_user(agency, roles=[Role.HEAD], username="ld.cal"),
            "clerk": make_user(agency, roles=[Role.CLERK], username="vt.cal")}


def _workflow_deadline(desk: dict[str, Any], start: date, days: int) -> date:
    """The lead unit's deadline when the head assigns a paper document on ``start`` (09:00)."""
    from vanban.incoming.services import incoming_register_paper

    with clock.frozen(datetime.combine(start, time(9), tzinfo=clock.VN_TZ)):
        paper = incoming_register_paper(
            actor=desk["clerk"], data=make_pdf("Cong van"), subject="Về việc dự toán",
            issuer_name="Bộ Tài chính", code_number="7", code_notation="BTC-NS",
            type_name="Công văn")
        assignment = assignment_create(actor=desk["head"], document=paper, lines=[
            LineInput(role=LineRole.LEAD, unit=desk["unit"], working_days=days)])
    deadline = assignment.lines.get().deadline
    assert deadline is not None
    return deadline


def _one_stop(agency_id: int, start: date, days: int) -> tuple[date, int]:
    """The one-stop due day for a dossier accepted on ``start`` at 10:00, and the whole working
    days its clock counted after the start day."""
    result = appointment(datetime.combine(start, time(10), tzinfo=clock.VN_TZ),
                         Limit(Decimal(days), LimitUnit.WORKING_DAYS),
                         clock_calendar(agency_id), clock_rules())
    return result.due.date(), len([d for d in result.days_counted if d > start])


@pytest.mark.parametrize(("start", "days", "due"), [
    (date(2026, 8, 21), 3, date(2026, 8, 25)),   # make-up Saturday 22/08 worked
    (date(2026, 2, 12), 5, date(2026, 2, 26)),   # Tết 16–20/02
    (date(2026, 4, 24), 5, date(2026, 5, 6)),    # 27/04 in lieu of Giỗ Tổ, 30/04, 01/05
    (date(2026, 8, 28), 2, date(2026, 9, 4)),    # 31/08 in lieu, 01–02/09
    (date(2025, 4, 25), 1, date(2025, 4, 26)),   # make-up Saturday 26/04/2025
    (date(2026, 11, 23), 1, date(2026, 11, 25)),  # 24/11 Ngày Văn hóa Việt Nam
])
def test_workflow_deadline_equals_the_one_stop_count(desk: dict[str, Any], start: date,
                                                     days: int, due: date) -> None:
    """R8.1, R11.2: a workflow deadline of N working days and a one-stop limit of N working days
    from the same day end on the same day, counting the same days (make-up Saturdays, Tết's
    span, days in lieu, 24/11)."""
    agency_id = desk["agency"].pk
    assert _workflow_deadline(desk, start, days) == due
    assert _one_stop(agency_id, start, days) == (due, days)
    assert work_calendar(agency_id).working_days_between(start, due) == days


def test_an_operator_entry_moves_both(desk: dict[str, Any], make_user: Any,
                                      make_agency: Any) -> None:
    """R8.1, R11.2: the province declares the shipped make-up Saturday 22/08/2026 a day off:
    the workflow deadline and the one-stop due day move together to 26/08."""
    admin = make_user(make_agency(), roles=[Role.PROVINCE_ADMIN])
    calendar_day_set(actor=admin, agency=None, day=date(2026, 8, 22), working=False)
    assert _workflow_deadline(desk, date(2026, 8, 21), 3) == date(2026, 8, 26)
    assert _one_stop(desk["agency"].pk, date(2026, 8, 21), 3) == (date(2026, 8, 26), 3)


def test_calendar_settings_reach_every_reader(desk: dict[str, Any]) -> None:
    """R8.1, R11.2: the neutral calendar settings and their one-stop aliases apply to workflow
    deadlines and the one-stop clock alike; a bad value names the setting."""
    agency_id = desk["agency"].pk
    start = date(2026, 12, 9)
    for name in ("VANBAN_CALENDAR_EXTRA_HOLIDAYS", "VANBAN_ONESTOP_EXTRA_HOLIDAYS"):
        with override_settings(**{name: "10/12"}):
            assert not work_calendar(agency_id).is_working_day(date(2026, 12, 10))
            assert _workflow_deadline(desk, start, 1) == date(2026, 12, 11)
            assert _one_stop(agency_id, start, 1) == (date(2026, 12, 11), 1)
    with override_settings(VANBAN_CALENDAR_NATIONAL_DAY_ADJACENT="03/09/2026"):
        shared = work_calendar(agency_id)
        assert shared.is_working_day(date(2026, 9, 1))
        assert not shared.is_working_day(date(2026, 9, 3))
        assert _one_stop(agency_id, date(2026, 9, 1), 1)[0] == date(2026, 9, 4)
    with override_settings(VANBAN_CALENDAR_SCHEDULED_YEARS="2027"):
        assert not work_calendar(agency_id).provisional(2027)
        assert not clock_calendar(agency_id).provisional(2027)
    assert work_calendar(agency_id).provisional(2027)
    for name, value in [("VANBAN_CALENDAR_EXTRA_HOLIDAYS", "31/02"),
                        ("VANBAN_ONESTOP_SCHEDULED_YEARS", "2027,năm sau"),
                        ("VANBAN_CALENDAR_NATIONAL_DAY_ADJACENT", "02/09/2026")]:
        with override_settings(**{name: value}), pytest.raises(ImproperlyConfigured, match=name):
            work_calendar(agency_id)


def test_clock_and_shared_calendar_agree_every_day_2025_2027(desk: dict[str, Any],
                                                            make_user: Any) -> None:
    """R8.1, R11.2: for every day of 2025–2027 the shared calendar and the one-stop clock both
    match an expectation computed in the test (the ``holidays`` package, the SHIPPED sets and
    the agency's own entries), not read from either of them."""
    agency = desk["agency"]
    calendar_day_set(actor=desk["head"], agency=agency, day=date(2026, 11, 24), working=True,
                     note="Trực")
    calendar_day_set(actor=desk["head"], agency=agency, day=date(2027, 3, 3), working=False)
    shared, timed = work_calendar(agency.pk), clock_calendar(agency.pk)
    day = date(2025, 1, 1)
    while day.year <= 2027:
        working = expected_working(day, {date(2026, 11, 24)}, {date(2027, 3, 3)})
        assert shared.is_working_day(day) == working, day
        assert timed.is_working_day(day) == working, day
        assert counts(day, timed, DEFAULT_RULES) == working, day
        assert timed.provisional(day.year) == shared.provisional(day.year)
        day += timedelta(days=1)
    assert shared.is_working_day(date(2026, 11, 24))
    assert not shared.is_working_day(date(2027, 3, 3))


def test_agency_entry_is_judged_against_the_province_calendar(desk: dict[str, Any]) -> None:
    """R8.1 (ADR 0019): the province declares a Thursday off; an agency that works that day
    declares it worked (its entry wins over the province's), and declaring it off again is
    refused as a day already off."""
    thursday = date(2026, 12, 10)
    CalendarDay.objects.create(agency=None, day=thursday, working=False, note="Tỉnh nghỉ",
                               created_at=clock.now())
    with pytest.raises(ValidationFailed) as twice:
        calendar_day_set(actor=desk["head"], agency=desk["agency"], day=thursday,
                         working=False)
    assert twice.value.code == "already_off"
    calendar_day_set(actor=desk["head"], agency=desk["agency"], day=thursday, working=True,
                     note="Trực")
    assert work_calendar(desk["agency"].pk).is_working_day(thursday)
    assert not work_calendar(None).is_working_day(thursday)
