"""Fixtures of the incoming register's tests: a sending agency with a certificate of the demo
PKI, a receiving agency with its clerk, head and specialist, and two ways for a document to
arrive through the real exchange: a signed document sent by the sender's clerk, or any bytes
(tampered, unsigned, broken…) put in a transmission and carried by the outbox worker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pytest

from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit
from vanban.exchange.models import Channel, Delivery, OutboxKind, OutboxMessage, Transmission
from vanban.exchange.services.outbox import deliver_internal_batch
from vanban.exchange.tests import conftest as hub
from vanban.exchange.tests.conftest import make_pdf
from vanban.signatures.demo import demo_pki_load
from vanban.storage.services import blob_put

# The hub's agencies and staff, shared with the exchange's tests (pytest collects fixtures that a
# conftest module names).
province = hub.province
sender = hub.sender
finance = hub.finance
health = hub.health
clerk = hub.clerk
finance_clerk = hub.finance_clerk
finance_head = hub.finance_head


def confirmed(clerk: Any, password: str = "Mật-khẩu-Thử-123") -> Any:
    """The clerk's step-up confirmation for signing (R14.3), with ``make_user``'s default
    password."""
    from vanban.accounts.services.stepup import stepup_confirm

    return stepup_confirm(user=clerk, password=password)


def send_signed(clerk: Any, sender: Agency, recipients: Sequence[Agency], *,
                subject: str = "Về việc triển khai văn bản điện tử") -> Transmission:
    """Draft → number → scan → sign → ready → send → the worker delivers (all real services)."""
    from vanban.exchange import services as exchange
    from vanban.registry import services

    document = services.document_create(
        actor=clerk, agency=sender, type_code="cong_van", subject=subject, place="Bắc Giang",
        competence="KT.", position="PHÓ GIÁM ĐỐC", full_name="Nguyễn Văn Ánh",
        recipients=[services.RecipientInput(agency=a) for a in recipients])
    document = services.document_register(actor=clerk, document=document)
    services.document_upload(actor=clerk, document=document, main=[make_pdf(subject[:40])],
                             filename="cong-van.pdf")
    services.document_sign(actor=clerk, document=document, confirmation=confirmed(clerk))
    document = services.document_mark_ready(actor=clerk, document=document)
    transmission = exchange.transmission_send(actor=clerk, document=document)
    exchange.outbox_run()
    return transmission


def arrive(sender: Agency, recipient: Agency, data: bytes, *, number: str = "15",
           notation: str = "SNV-VP", issued: date | None = date(2026, 11, 20),
           subject: str = "Về việc báo cáo tình hình", priority: int = 0) -> Delivery:
    """Put ``data`` in a transmission from ``sender`` and let the exchange's worker carry it
    into ``recipient``'s inbox (the same arrival code as any internal delivery)."""
    blob = blob_put(data=data, content_type="application/pdf")
    now = clock.now()
    transmission = Transmission.objects.create(
        sender=sender, edxml_document_id=f"{sender.code},2026/11/20,{number}/{notation}",
        code_number=number, code_notation=notation, issued_date=issued, type_name="Công văn",
        subject=subject, priority=priority, file_sha256=blob.sha256, file_name="cv.pdf",
        file_size=len(data), sent_at=now)
    delivery = Delivery.objects.create(transmission=transmission, recipient=recipient,
                                       channel=Channel.INTERNAL, sent_at=now)
    OutboxMessage.objects.create(kind=OutboxKind.INTERNAL, delivery=delivery, created_at=now,
                                 next_attempt_at=now)
    while deliver_internal_batch():
        pass
    delivery.refresh_from_db()
    assert delivery.state == "01"
    return delivery


@pytest.fixture
def pki(sender: Agency, health: Agency) -> None:
    """The demo PKI with a certificate for the sender and for Sở Y tế."""
    demo_pki_load(agencies=[sender, health])


@pytest.fixture
def finance_specialist(make_user: Callable[..., Any], finance: Agency) -> Any:
    """A specialist of the receiving agency."""
    return make_user(finance, roles=[Role.SPECIALIST], username="cv.stc")


@pytest.fixture
def health_clerk(make_user: Callable[..., Any], health: Agency) -> Any:
    """Another agency's clerk."""
    return make_user(health, roles=[Role.CLERK], username="vt.syt")


@pytest.fixture
def budget_unit(finance: Agency) -> Unit:
    """Phòng Ngân sách of the receiving agency."""
    return Unit.objects.create(agency=finance, code="NS", name="Phòng Ngân sách",
                               created_at=clock.now())


@pytest.fixture
def signed_pdf(pki: None, sender: Agency) -> bytes:
    """A PDF signed with the sender's certificate (time-stamped, as the registry signs)."""
    from vanban.signatures import services

    return services.pdf_sign(actor=None, agency=sender, data=make_pdf("Cong van 15")).data


@pytest.fixture
def valid_delivery(signed_pdf: bytes, sender: Agency, finance: Agency) -> Delivery:
    """A valid signed document from Sở Nội vụ in Sở Tài chính's inbox."""
    return arrive(sender, finance, signed_pdf)
