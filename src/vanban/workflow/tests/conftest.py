"""Fixtures of the workflow tests: a receiving agency (Sở Tài chính) with its head, clerk, two
units and their staff; registered incoming documents, on paper through the incoming register's
service, and through the hub as a real internal delivery from Sở Nội vụ."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.db import transaction

from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, AgencyKind, Unit
from vanban.exchange.tests.conftest import make_pdf, ready_document
from vanban.incoming.models import IncomingDocument, IncomingSource

# A Monday in an ordinary week: deadlines are easy to count by hand.
MONDAY = datetime.fromisoformat("2026-11-02T09:00:00+07:00")


@pytest.fixture(autouse=True)
def _monday():
    """Every workflow test runs on Monday 02/11/2026, 09:00 in Hà Nội, unless it says else."""
    with clock.frozen(MONDAY):
        yield


@pytest.fixture
def province(make_agency):
    return make_agency("000.00.00.H06", name="Ủy ban nhân dân tỉnh Bắc Giang", short_name="UBND",
                       kind=AgencyKind.PROVINCE)


@pytest.fixture
def sender(make_agency, province):
    return make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV", parent=province)


@pytest.fixture
def agency(make_agency, province):
    """Sở Tài chính: the receiving agency."""
    return make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC", parent=province)


@pytest.fixture
def other_agency(make_agency, province):
    return make_agency("000.00.04.H06", name="Sở Y tế", short_name="SYT", parent=province)


def _unit(agency: Agency, code: str, name: str):
    return Unit.objects.create(agency=agency, code=code, name=name, short_name=code,
                               created_at=clock.now())


@pytest.fixture
def budget(agency):
    """Phòng Quản lý ngân sách."""
    return _unit(agency, "QLNS", "Phòng Quản lý ngân sách")


@pytest.fixture
def planning(agency):
    """Phòng Kế hoạch - Tài chính."""
    return _unit(agency, "KHTC", "Phòng Kế hoạch - Tài chính")


@pytest.fixture
def head(make_user, agency):
    return make_user(agency, roles=[Role.HEAD], username="ld.stc")


@pytest.fixture
def clerk(make_user, agency):
    return make_user(agency, roles=[Role.CLERK], username="vt.stc")


@pytest.fixture
def unit_leader(make_user, agency, budget):
    """Trưởng phòng QLNS: a member of the unit with the delegate role."""
    return make_user(agency, roles=[Role.DELEGATE], unit=budget, username="tp.qlns")


@pytest.fixture
def specialist(make_user, agency, budget):
    return make_user(agency, roles=[Role.SPECIALIST], unit=budget, username="cv1.stc")


@pytest.fixture
def specialist2(make_user, agency, planning):
    return make_user(agency, roles=[Role.SPECIALIST], unit=planning, username="cv2.stc")


@pytest.fixture
def stranger(make_user, other_agency):
    return make_user(other_agency, roles=[Role.HEAD], username="ld.syt")


@pytest.fixture
def paper(clerk, agency):
    """A paper document registered by the clerk through the incoming register's service."""
    from vanban.incoming.services import incoming_register_paper

    return incoming_register_paper(
        actor=clerk, data=make_pdf("Cong van giay"), subject="Về việc lập dự toán ngân sách 2027",
        issuer_name="Bộ Tài chính", code_number="123", code_notation="BTC-NSNN",
        type_name="Công văn")


@pytest.fixture
def sender_clerk(make_user, sender):
    return make_user(sender, roles=[Role.CLERK], username="vt.snv")


@pytest.fixture
def hub_document(sender, sender_clerk, agency, clerk):
    """A real internal delivery from Sở Nội vụ, accepted (03) by the clerk, in the register.

    Registering through ``incoming_register_delivery`` needs a document signed with the
    sender's certificate; the hub here sends an unsigned one (R9.1 allows it for an agency
    without a certificate), so the line is written with the register's own counter instead.
    """
    from vanban.exchange import services as exchange
    from vanban.incoming.services.common import incoming_register_of, next_arrival_number

    document = ready_document(sender_clerk, sender, [agency],
                              subject="Về việc góp ý dự thảo đề án vị trí việc làm")
    transmission = exchange.transmission_send(actor=sender_clerk, document=document)
    exchange.outbox_run()
    delivery = transmission.deliveries.get(recipient=agency)
    delivery = exchange.delivery_accept(actor=clerk, delivery=delivery)
    now = clock.now()
    with transaction.atomic():
        register = incoming_register_of(agency, now.year)
        return IncomingDocument.objects.create(
            agency=agency, register=register, arrival_number=next_arrival_number(register),
            arrival_date=clock.local_now().date(), received_at=now, source=IncomingSource.HUB,
            delivery=delivery, issuer=sender, issuer_name=sender.name,
            code_number=str(document.code_number), code_notation=document.code_notation,
            issued_date=document.issued_date, type_name="Công văn", subject=document.subject,
            file_sha256=transmission.file_sha256, registered_by=clerk, registered_at=now)


def line(role: str, *, unit: Unit | None = None, user: Any = None, days: int | None = None,
         deadline: Any = None) -> Any:
    """A line input for the services."""
    from vanban.workflow.services import LineInput

    return LineInput(role=role, unit=unit, user=user, working_days=days, deadline=deadline)
