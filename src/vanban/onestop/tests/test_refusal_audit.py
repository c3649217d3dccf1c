"""A refusal found under the row lock is audited after the action's transaction rolls back, so
the ``.denied`` row stays (the error is marked audited and the view writes none of its own)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import DomainError
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.onestop import services
from vanban.onestop.models import SupplementRequest
from vanban.onestop.tests.test_sweep import T0, Desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> Desk:
    return Desk(make_agency, make_user)


def _denied(action: str) -> int:
    return AuditEvent.objects.filter(action=f"onestop.{action}.denied").count()


def test_second_intake_supplement_leaves_a_denied_row(desk: Desk) -> None:
    """R11.2 (Art. 17.1.c): a second intake supplement request is refused, nothing is written
    but its ``.denied`` audit row."""
    with clock.frozen(T0):
        dossier = services.dossier_receive(actor=desk.officer, desk=desk.agency,
                                           procedure=desk.procedure,
                                           applicant=services.Applicant(name="Ngô Văn Hải"))
        services.dossier_request_intake_supplement(actor=desk.officer, dossier=dossier,
                                                   items=["Đơn"])
        services.dossier_intake_supplement_received(actor=desk.officer, dossier=dossier)
        with pytest.raises(DomainError) as err:
            services.dossier_request_intake_supplement(actor=desk.officer, dossier=dossier,
                                                       items=["Tờ khai"])
    assert err.value.code == "second_intake_supplement"
    assert err.value.audited
    assert _denied("request_intake_supplement") == 1
    assert SupplementRequest.objects.filter(dossier=dossier).count() == 1


def test_second_extension_and_unapproved_result_leave_denied_rows(
        desk: Desk, make_user: Callable[..., Any]) -> None:
    """R11.2 (Art. 19.6): a second Mẫu 04 and a result not yet approved are refused with their
    ``.denied`` audit rows."""
    head = make_user(desk.agency, roles=[Role.HEAD])
    dossier = desk.in_processing("Lý Thị Hoa")
    with clock.frozen(T0 + timedelta(hours=1)):
        with pytest.raises(DomainError) as unapproved:
            services.dossier_result_ready(actor=desk.officer, dossier=dossier)
        assert dossier.due_at is not None
        services.dossier_apologise_and_extend(actor=head, dossier=dossier, reason="Chờ ý kiến",
                                              new_due_at=dossier.due_at + timedelta(days=7))
        with pytest.raises(DomainError) as second:
            services.dossier_apologise_and_extend(
                actor=head, dossier=dossier, reason="Chờ tiếp",
                new_due_at=dossier.due_at + timedelta(days=14))
    assert unapproved.value.code == "not_approved"
    assert second.value.code == "second_extension"
    assert _denied("result_ready") == 1
    assert _denied("extend") == 1
