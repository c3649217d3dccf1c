"""Mail to the applicant on each change they can see (spec §11): acceptance with the appointment,
a supplement request, the result; hand-overs between units stay inside."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from vanban.onestop.core.ontime import VN_TZ
from vanban.onestop.models import Dossier, DossierEvent, Procedure
from vanban.onestop.portal.notify import dossier_event_notify, event_message

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 14, 9, tzinfo=VN_TZ)


@pytest.fixture
def dossier(make_agency) -> Dossier:
    desk = make_agency(name="UBND phường Trần Phú")
    procedure = Procedure.objects.create(agency=desk, code="2.000986",
                                         name="Chứng thực bản sao", limit_value=Decimal(1))
    return Dossier.objects.create(
        code="000.00.20.H10-261214-0003", desk=desk, procedure=procedure, channel="online",
        applicant_name="Hoàng Thị E", applicant_email="e@example.vn", state="accepted",
        received_at=T0, accepted_at=T0, due_at=T0 + timedelta(days=1, hours=8))


def _event(dossier: Dossier, before: str, after: str, action: str = "x", note: str = ""):
    return DossierEvent.objects.create(dossier=dossier, action=action, from_state=before,
                                       to_state=after, at=T0, note=note)


def test_visible_changes_are_mailed(dossier) -> None:
    """R12.1: acceptance (with the appointment) and a supplement request reach the applicant's
    mailbox with the dossier code."""
    assert dossier_event_notify(_event(dossier, "submitted", "accepted", "accept").pk)
    assert dossier_event_notify(_event(dossier, "processing", "supplement_requested",
                                       note="Thiếu bản chính giấy khai sinh").pk)
    assert len(mail.outbox) == 2
    accepted, supplement = mail.outbox
    assert accepted.to == ["e@example.vn"]
    assert dossier.code in accepted.subject
    assert "Hẹn trả kết quả: 17:00 15/12/2026" in accepted.body
    assert "Thiếu bản chính giấy khai sinh" in supplement.body


def test_inside_moves_are_not_mailed(dossier) -> None:
    """A hand-over between units and an approval are the desk's business, not the applicant's."""
    assert event_message(_event(dossier, "processing", "processing", "hand_over")) is None
    assert not dossier_event_notify(_event(dossier, "processing", "processing", "approve").pk)
    assert event_message(_event(dossier, "processing", "processing", "extend")) is not None
    assert mail.outbox == []


def test_no_address_no_mail(dossier) -> None:
    """An applicant who gave no address is told at the desk and on the portal only."""
    Dossier.objects.filter(pk=dossier.pk).update(applicant_email="")
    assert not dossier_event_notify(_event(dossier, "processing", "result_ready").pk)
    assert mail.outbox == []
