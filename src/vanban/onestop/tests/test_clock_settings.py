"""The one-stop services time dossiers with the installation's clock settings and agency
calendar (spec §7, §13), and a dossier keeps the rules it was accepted under: a later settings or
calendar edit never moves a printed due time (R12.1, R11.2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from vanban.core import clock
from vanban.core.clock import VN_TZ
from vanban.core.roles import Role
from vanban.directory.models import Agency, CalendarDay, Unit
from vanban.onestop import services
from vanban.onestop.clock_config import clock_calendar, rules_as_data, rules_from_data
from vanban.onestop.core.clock import DEFAULT_RULES, ClockRules, Limit, Mode, appointment
from vanban.onestop.core.clock import Unit as LimitUnit
from vanban.onestop.core.clock import due_at as clock_due_at
from vanban.onestop.models import Dossier, SupplementRequest
from vanban.onestop.tests.factories import make_pdf, make_procedure

pytestmark = pytest.mark.django_db
FIVE_DAYS = Limit(Decimal(5), LimitUnit.WORKING_DAYS)


def vn(d: int, h: int, mi: int = 0) -> datetime:
    """A local time in December 2026 (14/12 is a Monday)."""
    return datetime(2026, 12, d, h, mi, tzinfo=VN_TZ)


class Desk:
    def __init__(self, make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> None:
        self.agency = make_agency("000.00.12.H06", name="Sở Tư pháp")
        self.unit = Unit.objects.create(agency=self.agency, code="HCTP", name="Phòng HCTP",
                                        created_at=clock.now())
        self.officer = make_user(self.agency, roles=[Role.ONESTOP])
        self.specialist = make_user(self.agency, roles=[Role.SPECIALIST], unit=self.unit)
        self.procedure = make_procedure(self.agency, unit=self.unit)

    def accepted(self, at: datetime) -> Dossier:
        mandatory = self.procedure.required_documents.get(mandatory=True)
        with clock.frozen(at):
            dossier = services.dossier_receive(
                actor=self.officer, desk=self.agency, procedure=self.procedure,
                applicant=services.Applicant(name="Trần Thị Bình"),
                papers=[services.Paper(parts=[make_pdf()], filename="don.pdf",
                                       required_document_id=mandatory.pk)])
            return services.dossier_accept(actor=self.officer, dossier=dossier).dossier


@pytest.fixture
def desk(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> Desk:
    return Desk(make_agency, make_user)


def test_rules_round_trip() -> None:
    """The frozen form gives back the same rules; empty means today's settings."""
    odd = ClockRules(sessions=((datetime.min.time().replace(hour=7, minute=30),
                                datetime.min.time().replace(hour=11, minute=30)),),
                     cutoff=None, saturday_counts=True, makeup_counts=False,
                     mode=Mode.DAY_BASED, closure_days=10)
    assert rules_from_data(rules_as_data(odd)) == odd
    assert rules_from_data({}) == DEFAULT_RULES


def test_acceptance_uses_the_cutoff_setting(desk: Desk) -> None:
    """R12.1: with no cutoff configured, a dossier accepted at 16:00 starts its clock at once;
    with the default 15:00 cutoff, at the next working day's opening."""
    late = desk.accepted(vn(14, 16))
    assert late.clock_start == vn(15, 8)
    with override_settings(VANBAN_ONESTOP_CLOCK_CUTOFF=""):
        now = desk.accepted(vn(14, 16, 5))
    assert now.clock_start == vn(14, 16, 5)
    assert now.due_at == appointment(vn(14, 16, 5), FIVE_DAYS, clock_calendar(desk.agency.pk),
                                     ClockRules(cutoff=None)).due
    assert now.clock_rules["cutoff"] is None


def test_acceptance_uses_the_extra_holidays_setting(desk: Desk) -> None:
    """A recurring day off from the settings is skipped by the due time."""
    with override_settings(VANBAN_ONESTOP_EXTRA_HOLIDAYS="16/12"):
        dossier = desk.accepted(vn(14, 9))
    assert dossier.due_at == vn(22, 9)  # 5 working days, Wednesday 16/12 off


def test_settings_and_calendar_edits_never_move_a_printed_due_time(desk: Desk) -> None:
    """Spec §7: the dossier keeps its rules; a later change of hours, closure period or calendar
    leaves the due time and the step deadlines on the rules it was accepted under."""
    dossier = desk.accepted(vn(14, 9))
    printed = dossier.due_at
    assert printed == vn(21, 9)
    CalendarDay.objects.create(agency=desk.agency, day=date(2026, 12, 16), working=False,
                               note="Nghỉ thêm", created_at=clock.now())
    with override_settings(VANBAN_ONESTOP_CLOCK_HOURS="07:00-11:00,13:30-17:30",
                           VANBAN_ONESTOP_CLOSURE_DAYS=5), clock.frozen(vn(14, 10)):
        services.dossier_transfer(actor=desk.officer, dossier=dossier)
        request = services.dossier_request_supplement(actor=desk.specialist, dossier=dossier,
                                                      items=["Bản sao giấy phép"])
    dossier.refresh_from_db()
    assert dossier.due_at == printed
    step = dossier.steps.select_related("procedure_step").get(order=1)
    assert step.procedure_step is not None
    calendar = clock_calendar(desk.agency.pk)
    assert step.deadline == clock_due_at(vn(14, 10), Limit(step.procedure_step.time_value,
                                                           LimitUnit.WORKING_DAYS),
                                         calendar, DEFAULT_RULES)
    assert request.close_after is not None
    assert request.close_after >= vn(14, 10) + timedelta(days=15)
    assert SupplementRequest.objects.get(pk=request.pk).close_after == request.close_after
