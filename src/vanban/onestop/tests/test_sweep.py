"""The one-stop sweep: a dossier whose appraisal supplement never came within the closure
period is closed once, by ``vanban onestop sweep`` and by each pass of ``vanban notices run``;
overdue dossiers are listed (spec §5, Art. 19.5; R11.2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.clock import VN_TZ
from vanban.core.errors import DomainError
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit
from vanban.onestop import services
from vanban.onestop.models import Dossier, DossierEvent
from vanban.onestop.tests.factories import make_pdf, make_procedure

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 14, 9, tzinfo=VN_TZ)  # a Monday


class Desk:
    def __init__(self, make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> None:
        self.agency = make_agency("000.00.12.H06", name="Sở Tư pháp")
        unit = Unit.objects.create(agency=self.agency, code="HCTP", name="Phòng HCTP",
                                   created_at=clock.now())
        self.officer = make_user(self.agency, roles=[Role.ONESTOP])
        self.specialist = make_user(self.agency, roles=[Role.SPECIALIST], unit=unit)
        self.procedure = make_procedure(self.agency, unit=unit)

    def in_processing(self, name: str) -> Dossier:
        mandatory = self.procedure.required_documents.get(mandatory=True)
        with clock.frozen(T0):
            dossier = services.dossier_receive(
                actor=self.officer, desk=self.agency, procedure=self.procedure,
                applicant=services.Applicant(name=name),
                papers=[services.Paper(parts=[make_pdf()], filename="don.pdf",
                                       required_document_id=mandatory.pk)])
            dossier = services.dossier_accept(actor=self.officer, dossier=dossier).dossier
            services.dossier_transfer(actor=self.officer, dossier=dossier)
        return dossier


@pytest.fixture
def desk(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> Desk:
    return Desk(make_agency, make_user)


def sweep(at: datetime) -> str:
    """The command run for ``at``, with the clock standing a little after it."""
    out = StringIO()
    with clock.frozen(at + timedelta(minutes=5)):
        call_command("onestop", "sweep", "--at", at.isoformat(), stdout=out)
    return out.getvalue()


def test_sweep_closes_unsupplemented_dossiers_once(desk: Desk) -> None:
    """Art. 19.5: without the full supplement within 15 days of the notice, the sweep closes
    the dossier, with its event and audit event; before that, and a second time, nothing."""
    waiting = desk.in_processing("Lê Văn Cường")
    with clock.frozen(T0 + timedelta(hours=1)):
        request = services.dossier_request_supplement(actor=desk.specialist, dossier=waiting,
                                                      items=["Bản chính giấy khai sinh"])
    assert request.close_after is not None
    early = sweep(request.close_after - timedelta(minutes=1))
    assert "closed (never supplemented): 0" in early
    assert Dossier.objects.get(pk=waiting.pk).state == "supplement_requested"
    report = sweep(request.close_after)
    assert f"closed (never supplemented): 1 {waiting.code}" in report
    waiting.refresh_from_db()
    assert waiting.state == "closed_no_supplement"
    assert waiting.finished_at == request.close_after
    assert DossierEvent.objects.filter(dossier=waiting, action="close_no_supplement").count() == 1
    assert AuditEvent.objects.filter(action="onestop.close_no_supplement",
                                     object_id=str(waiting.pk)).count() == 1
    assert "closed (never supplemented): 0" in sweep(request.close_after + timedelta(days=1))


def test_sweep_lists_overdue_dossiers(desk: Desk) -> None:
    """§5 overdue flag: a running dossier past its due time is listed, a finished one is not."""
    late = desk.in_processing("Phạm Thị Dung")
    assert late.due_at is not None
    assert "overdue: 0" in sweep(late.due_at - timedelta(minutes=1))
    assert f"overdue: 1 {late.code}" in sweep(late.due_at + timedelta(minutes=1))


def test_notices_pass_runs_the_sweep(desk: Desk) -> None:
    """The periodic notices job hosts the sweep, so no third scheduler is needed."""
    waiting = desk.in_processing("Hoàng Văn Em")
    with clock.frozen(T0 + timedelta(hours=1)):
        request = services.dossier_request_supplement(actor=desk.specialist, dossier=waiting,
                                                      items=["Tờ khai"])
    assert request.close_after is not None
    out = StringIO()
    with clock.frozen(request.close_after):
        call_command("notices", "run", "--at", request.close_after.isoformat(), stdout=out)
    assert "one-stop: đóng / closed 1" in out.getvalue()
    assert Dossier.objects.get(pk=waiting.pk).state == "closed_no_supplement"


@pytest.mark.parametrize("command", [("onestop", "sweep"), ("notices", "run")])
def test_sweep_for_a_moment_to_come_is_refused(desk: Desk, command: tuple[str, str]) -> None:
    """R11.2: ``--at`` in the future would close a dossier before its supplement period ran
    out; both commands refuse it clearly (exit 2) and close nothing."""
    waiting = desk.in_processing("Đỗ Văn Phúc")
    with clock.frozen(T0 + timedelta(hours=1)):
        request = services.dossier_request_supplement(actor=desk.specialist, dossier=waiting,
                                                      items=["Tờ khai"])
    assert request.close_after is not None
    with clock.frozen(T0 + timedelta(hours=2)), pytest.raises(CommandError) as err:
        call_command(*command, "--at", request.close_after.isoformat(), stdout=StringIO())
    assert err.value.returncode == 2
    assert "future" in str(err.value)
    assert "tương lai" in str(err.value)
    assert Dossier.objects.get(pk=waiting.pk).state == "supplement_requested"


def test_closing_for_a_moment_to_come_is_refused(desk: Desk) -> None:
    """R11.2: the service itself refuses a closure dated in the future."""
    waiting = desk.in_processing("Vũ Thị Giang")
    with clock.frozen(T0 + timedelta(hours=1)):
        request = services.dossier_request_supplement(actor=desk.specialist, dossier=waiting,
                                                      items=["Tờ khai"])
    assert request.close_after is not None
    with clock.frozen(T0 + timedelta(hours=2)), pytest.raises(DomainError) as err:
        services.dossier_close_unsupplemented(actor=desk.officer, dossier=waiting,
                                              at=request.close_after)
    assert err.value.code == "future_time"
    assert Dossier.objects.get(pk=waiting.pk).state == "supplement_requested"
