"""Spec §11, R12.1: each change the applicant can see is mailed to them through the installation's
SMTP relay once the change commits (here the real relay and Dovecot of the mail tests);
the transfer inside the desk sends nothing, and a refused change mails nothing."""

from __future__ import annotations

import email
from collections.abc import Callable
from datetime import datetime
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.test import override_settings

from vanban.core import clock
from vanban.core.clock import VN_TZ
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit
from vanban.mail.tests.servers import MailServers, mail_servers  # noqa: F401 (fixture)
from vanban.onestop import services
from vanban.onestop.core.states import IllegalMove
from vanban.onestop.tests.factories import make_pdf, make_procedure

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2026, 12, 14, 9, tzinfo=VN_TZ)
DESK_MAIL = "motcua@stp.bacgiang.gov.vn"
APPLICANT = "nguoidan@example.vn"


@pytest.fixture
def relay(mail_servers: MailServers) -> Any:  # noqa: F811 (the fixture above)
    """Django's SMTP backend pointed at the test relay, logged in as the desk's mailbox."""
    password = mail_servers.add_mailbox(DESK_MAIL)
    applicant_password = mail_servers.add_mailbox(APPLICANT)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST=mail_servers.host, EMAIL_PORT=mail_servers.smtp_port,
                           EMAIL_HOST_USER=DESK_MAIL, EMAIL_HOST_PASSWORD=password,
                           EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_TIMEOUT=10,
                           DEFAULT_FROM_EMAIL=DESK_MAIL):
        yield lambda: [email.message_from_bytes(raw)
                       for raw in mail_servers.messages(APPLICANT, applicant_password)]


def subject(message: email.message.Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_applicant_is_mailed_on_visible_changes(
        relay: Callable[[], list[email.message.Message]],
        make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> None:
    """R12.1: acceptance (with the appointment) and the supplement request reach the applicant's
    mailbox with the dossier code; the transfer to the unit and a refused second acceptance
    do not."""
    agency = make_agency("000.00.12.H06", name="Sở Tư pháp")
    unit = Unit.objects.create(agency=agency, code="HCTP", name="Phòng HCTP",
                               created_at=clock.now())
    officer = make_user(agency, roles=[Role.ONESTOP])
    specialist = make_user(agency, roles=[Role.SPECIALIST], unit=unit)
    procedure = make_procedure(agency, unit=unit)
    mandatory = procedure.required_documents.get(mandatory=True)
    with clock.frozen(T0):
        dossier = services.dossier_receive(
            actor=officer, desk=agency, procedure=procedure,
            applicant=services.Applicant(name="Đỗ Thị Giang", email=APPLICANT),
            papers=[services.Paper(parts=[make_pdf()], filename="don.pdf",
                                   required_document_id=mandatory.pk)])
        dossier = services.dossier_accept(actor=officer, dossier=dossier).dossier
        services.dossier_transfer(actor=officer, dossier=dossier)
        services.dossier_request_supplement(actor=specialist, dossier=dossier,
                                            items=["Bản sao chứng thực hộ khẩu"])
    received = relay()
    assert len(received) == 2
    accepted, supplement = received
    assert dossier.code
    assert dossier.code in subject(accepted)
    body = accepted.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "Hẹn trả kết quả" in body.decode()
    assert "Chờ bổ sung sau thẩm định" in subject(supplement)
    assert "Bản sao chứng thực hộ khẩu" not in subject(supplement)
    with clock.frozen(T0), pytest.raises(IllegalMove):  # refused: nothing changes, no mail
        services.dossier_accept(actor=officer, dossier=dossier)
    assert len(relay()) == 2
