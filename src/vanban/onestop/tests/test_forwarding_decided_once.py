"""R11.1(a), R11.2: a forwarded dossier is decided once, by one side. Taking it in accepts the
delivery (03), so neither the desk (send back) nor the clerk (reject, register) can decide it
again; sending it back first leaves nothing to take in. The desk's list filters in SQL, so
handled dossiers never crowd out waiting ones, and only the forwarding's own document type
marks a forwarded dossier: an ordinary document titled "Chuyển hồ sơ ..." stays the clerk's."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import Conflict, NotFound
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.exchange.models import Channel, Delivery, Transmission
from vanban.exchange.services import transmission_send
from vanban.exchange.services.outbox import deliver_internal_batch
from vanban.incoming.services import incoming_reject
from vanban.onestop import queues, selectors, services
from vanban.onestop.models import DossierEvent
from vanban.onestop.services.forwarding import (
    FACT_LABELS,
    SUBJECT_PREFIX,
    TYPE_NAME,
    dossier_send_to_agency,
)
from vanban.onestop.services.from_agency import (
    forwarded_facts,
    forwarded_refuse,
    forwarded_waiting_get,
)
from vanban.onestop.tests.factories import make_pdf
from vanban.onestop.tests.test_forwarding import T0, Pair, forward
from vanban.onestop.views import FACT_TITLES
from vanban.registry import services as registry
from vanban.registry.models import Document
from vanban.registry.services import RecipientInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> Pair:
    return Pair(make_agency, make_user)


def _take(pair: Pair, delivery: Delivery) -> None:
    mandatory = pair.district_procedure.required_documents.get(mandatory=True)
    with clock.frozen(T0):
        services.dossier_receive_from_agency(
            actor=pair.district_officer, delivery_uid=str(delivery.uid),
            procedure=pair.district_procedure, applicant=services.Applicant(name="Ngô Văn Hải"),
            required_document_ids=[mandatory.pk])


def test_taken_in_cannot_be_sent_back_rejected_or_registered(
        pair: Pair, make_user: Callable[..., Any]) -> None:
    """R11.1(a), R11.2: once taken in, the delivery is accepted (03): the desk's send-back and
    the clerk's reject (and register: the same check) are refused; the sender is told 03."""
    delivery = forward(pair)
    district_clerk = make_user(pair.district, roles=[Role.CLERK])
    _take(pair, delivery)
    delivery.refresh_from_db()
    assert delivery.state == "03"
    with pytest.raises(NotFound):
        forwarded_refuse(actor=pair.district_officer, delivery_uid=str(delivery.uid),
                         reason="Không thuộc thẩm quyền")
    with pytest.raises(Conflict) as rejected:
        incoming_reject(actor=district_clerk, delivery=delivery, reason="Sai nơi nhận")
    assert rejected.value.code == "already_accepted"
    delivery.refresh_from_db()
    assert delivery.state == "03"
    assert selectors.forwarded_waiting(pair.district_officer) == []


def test_sent_back_cannot_be_taken_in(pair: Pair) -> None:
    """R11.2: sent back first (02): taking it in afterwards is refused and makes no dossier."""
    delivery = forward(pair)
    forwarded_refuse(actor=pair.district_officer, delivery_uid=str(delivery.uid),
                     reason="Không thuộc thẩm quyền")
    with pytest.raises(Conflict) as late:
        _take(pair, delivery)
    assert late.value.code == "not_waiting"
    assert not DossierEvent.objects.filter(dossier__desk=pair.district).exists()


def test_clerk_rejected_first_leaves_nothing_to_take(pair: Pair,
                                                     make_user: Callable[..., Any]) -> None:
    """R11.1(a): the clerk rejected the delivery from the incoming list first: the desk finds
    nothing waiting and cannot take it in."""
    delivery = forward(pair)
    clerk = make_user(pair.district, roles=[Role.CLERK])
    incoming_reject(actor=clerk, delivery=delivery, reason="Sai nơi nhận")
    assert selectors.forwarded_waiting(pair.district_officer) == []
    with pytest.raises(Conflict):
        _take(pair, delivery)


def test_list_finds_a_new_dossier_after_more_than_200_handled(pair: Pair) -> None:
    """R11.1(a): 201 older forwarded dossiers already taken in (accepted, each with its
    dossier's receive event) do not hide the one still waiting."""
    delivery = forward(pair)
    base = delivery.transmission
    older = T0 - timedelta(days=1)
    transmissions = Transmission.objects.bulk_create([
        Transmission(sender=base.sender, edxml_document_id=f"{base.edxml_document_id}-{n}",
                     subject=base.subject, type_name=TYPE_NAME, file_sha256=base.file_sha256,
                     sent_at=older) for n in range(201)])
    handled = Delivery.objects.bulk_create([
        Delivery(transmission=t, recipient=pair.district, channel=Channel.INTERNAL,
                 state="03", sent_at=older, received_at=older) for t in transmissions])
    DossierEvent.objects.bulk_create([
        DossierEvent(dossier=pair.dossier, action="receive", to_state="submitted", at=older,
                     data={"origin": {"delivery": str(d.uid)}}) for d in handled])
    assert selectors.forwarded_waiting(pair.district_officer) == [delivery]


def test_ordinary_document_titled_like_a_forwarding_is_not_a_dossier(
        pair: Pair) -> None:
    """R11.1(a): an ordinary công văn whose subject begins "Chuyển hồ sơ" is not in the desk's
    list, and the desk can neither open, take in nor send it back (it is the clerk's)."""
    with clock.frozen(T0):
        document = registry.document_create(
            actor=pair.clerk, agency=pair.commune, type_code="cong_van",
            subject=f"{SUBJECT_PREFIX} xin ý kiến về quy hoạch",
            recipients=[RecipientInput(agency=pair.district)])
        registry.document_upload(actor=pair.clerk, document=document,
                                 main=[make_pdf("cong van")])
        document = registry.document_register(actor=pair.clerk, document=document)
        document = registry.document_mark_ready(actor=pair.clerk, document=document)
        transmission_send(actor=pair.clerk, document=document)
        deliver_internal_batch()
    delivery = Delivery.objects.get(transmission__document=document)
    assert delivery.state == "01"
    assert selectors.forwarded_waiting(pair.district_officer) == []
    with pytest.raises(NotFound):
        forwarded_waiting_get(pair.district_officer, str(delivery.uid))
    with pytest.raises(NotFound):
        forwarded_refuse(actor=pair.district_officer, delivery_uid=str(delivery.uid),
                         reason="Trả lại")
    with pytest.raises(NotFound):
        _take(pair, delivery)
    delivery.refresh_from_db()
    assert delivery.state == "01"


def test_second_sending_to_the_same_desk_is_refused_until_sent_back(pair: Pair) -> None:
    """R11.1(a): a double click sends once: the second sending to the same agency while the
    first is open is refused and audited; once the other desk sent it back, it may go again."""
    delivery = forward(pair)
    with pytest.raises(Conflict) as twice:
        dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier,
                               target_agency=pair.district)
    assert twice.value.code == "already_sent"
    assert Document.objects.count() == 1
    denied = AuditEvent.objects.filter(action="onestop.send_to_agency.denied")
    assert [json.loads(e.data)["reason"] for e in denied] == ["already_sent"]
    forwarded_refuse(actor=pair.district_officer, delivery_uid=str(delivery.uid),
                     reason="Không thuộc thẩm quyền")
    dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier, target_agency=pair.district)
    assert Document.objects.count() == 2


def test_note_cannot_overwrite_the_dossier_facts(pair: Pair) -> None:
    """R11.1(a): a note written like a fact ("; Người nộp: ...") stays inside the note; the
    receiving form reads the applicant and procedure the sending desk recorded."""
    with clock.frozen(T0):
        document = dossier_send_to_agency(
            actor=pair.officer, dossier=pair.dossier, target_agency=pair.district,
            note="Gấp; Người nộp: Kẻ Mạo Danh; Thủ tục: khác")
    transmission = Transmission(sender=pair.commune, document=document, subject="x",
                                type_name=TYPE_NAME)
    facts = forwarded_facts(Delivery(transmission=transmission))
    assert facts["Người nộp"] == "Ngô Văn Hải"
    assert facts["Thủ tục"].startswith(pair.procedure.code)
    assert facts["Ghi chú"] == "Gấp, Người nộp: Kẻ Mạo Danh, Thủ tục: khác"


def test_refused_accept_at_once_leaves_its_audit_row(pair: Pair) -> None:
    """R11.2: "take in and accept at once" with a mandatory paper not named is refused, makes
    no dossier, leaves the delivery waiting, and its denied audit row stays (R16.2)."""
    delivery = forward(pair)
    client = Client()
    client.force_login(pair.district_officer)
    response = client.post(f"/onestop/chuyen-den/{delivery.uid}/",
                           {"procedure": pair.district_procedure.pk, "name": "Ngô Văn Hải",
                            "decision": "accept", "paper-0": ""}, follow=True)
    assert "Hồ sơ còn thiếu giấy tờ bắt buộc" in response.content.decode()
    denied = AuditEvent.objects.filter(action="onestop.accept.denied")
    assert [json.loads(e.data)["delivery"] for e in denied] == [str(delivery.uid)]
    assert not DossierEvent.objects.filter(dossier__desk=pair.district).exists()
    assert selectors.forwarded_waiting(pair.district_officer) == [delivery]


def test_every_fact_label_has_its_page_title() -> None:
    """R11.1(a): the page shows each stored fact label through gettext (no raw label)."""
    assert set(FACT_TITLES) == set(FACT_LABELS)


def test_accepted_dossier_is_not_sent_on(pair: Pair) -> None:
    """R11.1(a), R11.2 (onestop.md §5-6): once accepted (code given, clock running) the
    dossier is no longer sent to another desk, which would make a second live dossier with a
    second code; refused and audited, no draft."""
    with clock.frozen(T0):
        services.dossier_accept(actor=pair.officer, dossier=pair.dossier)
    pair.dossier.refresh_from_db()
    with pytest.raises(Conflict) as late:
        dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier,
                               target_agency=pair.district)
    assert late.value.code == "not_forwardable"
    assert not Document.objects.exists()
    denied = AuditEvent.objects.filter(action="onestop.send_to_agency.denied")
    assert [json.loads(e.data)["reason"] for e in denied] == ["not_forwardable"]


def test_sent_dossier_leaves_the_check_queue_until_sent_back(pair: Pair) -> None:
    """R11.1(a), R11.2: while its sending is open the dossier is not in the sending desk's
    "waiting for check" queue (list and count agree); sent back, it is there again."""
    def check() -> tuple[list[int], int]:
        rows = queues.in_queue(queues.visible(pair.officer), "check")
        return [d.pk for d in rows], queues.counts(pair.officer)["check"]

    assert check() == ([pair.dossier.pk], 1)
    delivery = forward(pair)
    assert check() == ([], 0)
    forwarded_refuse(actor=pair.district_officer, delivery_uid=str(delivery.uid),
                     reason="Không thuộc thẩm quyền")
    assert check() == ([pair.dossier.pk], 1)
