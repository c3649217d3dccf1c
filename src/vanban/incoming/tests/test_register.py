"""R5.1, R10.1: the clerk registers a verified delivery in the incoming register with the next
arrival number of the agency's one yearly series (shared with paper), which sends 03 to the
sender; duplicates are flagged; only the receiving clerk registers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vanban.exchange.models import Delivery
from vanban.exchange.selectors import tracking
from vanban.incoming import selectors, services
from vanban.incoming.models import IncomingDocument, IncomingSource
from vanban.incoming.tests.conftest import arrive, send_signed
from vanban.registry.models import Register
from vanban.signatures.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("pki")
def test_clerk_registers_a_signed_document_and_the_sender_sees_03(
        clerk, finance_clerk, finance_head, budget_unit):
    """R5.1, R10.1: the real path: the sender signs and sends, the receiving clerk registers
    (number 1 of this year's register, metadata copied from the transmission, who and when
    recorded), and the sender's tracking shows 03."""
    sender = clerk.agency
    transmission = send_signed(clerk, sender, [finance_clerk.agency])
    delivery = Delivery.objects.get(transmission=transmission)
    at = clock.now() + timedelta(minutes=5)
    with clock.frozen(at):
        entry = services.incoming_register_delivery(
            actor=finance_clerk, delivery=delivery, recipient_unit=budget_unit,
            recipient_user=finance_head, note="Chuyển phòng Ngân sách")
    assert entry.arrival_number == 1
    assert entry.register.kind == Register.KIND_INCOMING
    assert entry.register.year == at.astimezone(clock.VN_TZ).year
    assert entry.arrival_date == at.astimezone(clock.VN_TZ).date()
    assert entry.source == IncomingSource.HUB
    assert entry.issuer == sender
    assert entry.issuer_name == "Sở Nội vụ"
    assert entry.code_number == transmission.code_number
    assert entry.code_notation == transmission.code_notation
    assert entry.issued_date == transmission.issued_date
    assert entry.subject == transmission.subject
    assert entry.type_name == transmission.type_name
    assert entry.priority == "thuong"
    assert entry.file_sha256 == transmission.file_sha256
    assert entry.verification is not None
    assert entry.verification.valid
    assert entry.page_amount == 1
    assert entry.registered_by_id == finance_clerk.pk
    assert entry.registered_at == at
    assert entry.recipient_unit == budget_unit
    assert entry.recipient_user_id == finance_head.pk
    assert entry.duplicate_of is None
    assert transmission.document is not None
    sent = tracking(clerk, transmission.document)[0].deliveries.get()
    assert sent.state == "03"
    assert sent.acknowledged_at == at
    event = AuditEvent.objects.get(action="incoming.register_delivery")
    assert json.loads(event.data)["arrival_number"] == 1
    assert AuditEvent.objects.filter(action="exchange.delivery_accepted").count() == 1
    assert list(selectors.waiting(finance_clerk)) == []


def test_registering_twice_is_a_conflict(valid_delivery, finance_clerk):
    """R10.1: a delivery is registered once; the second attempt is a clear conflict and no
    number is used."""
    services.incoming_register_delivery(actor=finance_clerk, delivery=valid_delivery,
                                        recipient_user=finance_clerk)
    with pytest.raises(Conflict) as err:
        services.incoming_register_delivery(actor=finance_clerk, delivery=valid_delivery,
                                            recipient_user=finance_clerk)
    assert err.value.code == "already_registered"
    assert "số đến 1" in err.value.vi
    register = Register.objects.get(kind=Register.KIND_INCOMING)
    assert register.counter.last_number == 1


def test_rejected_delivery_cannot_be_registered(valid_delivery, finance_clerk):
    """R10.1: once rejected (02), the delivery is not registered."""
    services.incoming_reject(actor=finance_clerk, delivery=valid_delivery, reason="Nhầm nơi")
    with pytest.raises(Conflict) as err:
        services.incoming_register_delivery(actor=finance_clerk, delivery=valid_delivery,
                                            recipient_user=finance_clerk)
    assert err.value.code == "already_rejected"


@pytest.mark.parametrize("who", ["finance_head", "finance_specialist", "health_clerk", "clerk"])
def test_only_the_receiving_clerk_registers(who, request, valid_delivery):
    """R10.1: the head, a specialist, another agency's clerk and the sender's clerk are refused
    (another agency: not found), and each refusal is audited."""
    actor = request.getfixturevalue(who)
    expected = Forbidden if who.startswith("finance") else NotFound
    with pytest.raises(expected):
        services.incoming_register_delivery(actor=actor, delivery=valid_delivery,
                                            recipient_user=actor)
    assert not IncomingDocument.objects.exists()
    denied = AuditEvent.objects.get(action="incoming.register_delivery.denied")
    assert denied.actor_username == actor.username
    assert Delivery.objects.get(pk=valid_delivery.pk).state == "01"


def test_a_receiving_unit_or_person_is_required(valid_delivery, finance_clerk):
    """R10.1, Decree 30/2020 App. IV col. 7: registration names the unit or the person who
    receives the document; without either it is refused in both languages and nothing is
    stored, the delivery still waits."""
    with pytest.raises(ValidationFailed) as refused:
        services.incoming_register_delivery(actor=finance_clerk, delivery=valid_delivery)
    assert refused.value.code == "missing_recipient"
    assert "đơn vị hoặc người nhận" in refused.value.vi
    assert "unit or the person" in refused.value.en
    assert not IncomingDocument.objects.exists()
    assert Delivery.objects.get(pk=valid_delivery.pk).state == "01"


def test_receiving_unit_must_belong_to_the_agency(valid_delivery, finance_clerk, health,
                                                  health_clerk):
    """R10.1: the unit or person who receives the document is one of the agency's own."""
    from vanban.directory.models import Unit

    foreign = Unit.objects.create(agency=health, code="X", name="Phòng X",
                                  created_at=clock.now())
    with pytest.raises(ValidationFailed):
        services.incoming_register_delivery(actor=finance_clerk, delivery=valid_delivery,
                                            recipient_unit=foreign)
    with pytest.raises(ValidationFailed):
        services.incoming_register_delivery(actor=finance_clerk, delivery=valid_delivery,
                                            recipient_user=health_clerk)
    assert Register.objects.filter(kind=Register.KIND_INCOMING).count() == 0


def test_numbers_are_gapless_and_shared_with_paper(pki, sender, finance, signed_pdf,
                                                   finance_clerk):
    """R10.1: electronic and paper documents take numbers from one yearly series, without gaps
    (a refused registration uses no number); a new year starts again at 1."""
    first = arrive(sender, finance, signed_pdf, number="1")
    bad = arrive(sender, finance, make_pdf(), number="2")  # unsigned
    services.incoming_register_delivery(actor=finance_clerk, delivery=first,
                                        recipient_user=finance_clerk)
    with pytest.raises(ValidationFailed):
        services.incoming_register_delivery(actor=finance_clerk, delivery=bad,
                                            recipient_user=finance_clerk)
    paper = services.incoming_register_paper(actor=finance_clerk, data=make_pdf(),
                                             issuer_name="UBND huyện Yên Dũng",
                                             subject="Tờ trình về kinh phí")
    from vanban.exchange.tests.conftest import make_pdf as plain_pdf
    from vanban.signatures import services as signatures

    other = signatures.pdf_sign(actor=None, agency=sender, data=plain_pdf("Cong van 3")).data
    third = arrive(sender, finance, other, number="3")
    services.incoming_register_delivery(actor=finance_clerk, delivery=third,
                                        recipient_user=finance_clerk)
    numbers = list(IncomingDocument.objects.order_by("arrival_number")
                   .values_list("arrival_number", "source"))
    assert numbers == [(1, "hub"), (2, "paper"), (3, "hub")]
    assert paper.register_id == IncomingDocument.objects.get(arrival_number=1).register_id
    with clock.frozen(datetime(2027, 1, 2, 2, 0, tzinfo=UTC)):
        next_year = services.incoming_register_paper(
            actor=finance_clerk, data=make_pdf(), issuer_name="UBND huyện Yên Dũng",
            subject="Báo cáo đầu năm")
    assert next_year.arrival_number == 1
    assert next_year.register.year == 2027


def test_duplicate_arrival_is_flagged_not_refused(pki, sender, finance, signed_pdf,
                                                  finance_clerk):
    """R10.1: the same issuer, number, notation and date arriving again is registered with a
    visible link to the first registration; a paper copy of it is flagged too."""
    first = arrive(sender, finance, signed_pdf, number="15", notation="SNV-VP")
    entry = services.incoming_register_delivery(actor=finance_clerk, delivery=first,
                                                recipient_user=finance_clerk)
    again = arrive(sender, finance, signed_pdf, number="15", notation="SNV-VP")
    repeat = services.incoming_register_delivery(actor=finance_clerk, delivery=again,
                                                 recipient_user=finance_clerk)
    assert repeat.duplicate_of == entry
    assert repeat.arrival_number == 2
    paper = services.incoming_register_paper(
        actor=finance_clerk, data=make_pdf(), issuer=sender, code_number="15",
        code_notation="SNV-VP", issued_date=first.transmission.issued_date,
        subject="Bản giấy của công văn 15")
    assert paper.duplicate_of == entry
    different = services.incoming_register_paper(
        actor=finance_clerk, data=make_pdf(), issuer=sender, code_number="16",
        code_notation="SNV-VP", issued_date=first.transmission.issued_date, subject="Khác")
    assert different.duplicate_of is None
