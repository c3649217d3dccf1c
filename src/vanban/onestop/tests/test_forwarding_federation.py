"""R11.1(a), R11.2 across installations: a dossier sent to an agency a federation peer serves
leaves through the outbox as an edXML message carrying the dossier's papers, and a dossier a
peer's desk forwards arrives at this desk's list, is taken in with the peer's origin on its
first event, or is sent back with a status 02 queued for the peer. Both halves run in this
installation: the peer's side is its signed message (as ``tests/test_intake_federation.py``)
and our outbox row (as the worker would post it)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client

from vanban.core import clock
from vanban.core.roles import Role
from vanban.exchange import identity, wire
from vanban.exchange.core import edxml
from vanban.exchange.models import Delivery, OutboxKind, OutboxMessage, Peer
from vanban.exchange.services import transmission_send
from vanban.onestop import selectors, services
from vanban.onestop.services.forwarding import (
    SUBJECT_PREFIX,
    TYPE_NAME,
    dossier_send_to_agency,
    forwarding_targets,
)
from vanban.onestop.services.from_agency import forwarded_refuse
from vanban.onestop.tests.factories import make_pdf, make_procedure
from vanban.registry import services as registry

pytestmark = pytest.mark.django_db
PEER = "caobang"


@pytest.fixture
def desks(make_agency: Any, make_user: Any) -> dict[str, Any]:
    """This installation's district desk and a district desk the peer serves."""
    local = make_agency("000.00.41.H06", name="UBND huyện Yên Thế")
    remote = make_agency("000.00.41.H14", name="UBND huyện Hà Quảng")
    remote.installation = PEER
    remote.save(update_fields=["installation"])
    now = clock.now()
    Peer.objects.create(installation_id=PEER, base_url="http://127.0.0.1:9",
                        public_key_pem=identity.public_key_pem(), created_at=now,
                        updated_at=now)
    return {"local": local, "remote": remote,
            "officer": make_user(local, roles=[Role.ONESTOP]),
            "clerk": make_user(local, roles=[Role.CLERK]),
            "procedure": make_procedure(local)}


def test_dossier_sent_to_a_peer_agency_leaves_through_the_outbox(desks: dict[str, Any]) -> None:
    """R11.1(a): the peer's agency is offered as a target; once the clerk sends the draft, the
    outbox holds one message for the peer whose edXML names the remote desk, carries the
    "Chuyển hồ sơ" subject and the dossier's paper."""
    local, remote, officer = desks["local"], desks["remote"], desks["officer"]
    procedure = desks["procedure"]
    mandatory = procedure.required_documents.get(mandatory=True)
    paper = make_pdf("Don de nghi lien tinh")
    dossier = services.dossier_receive(
        actor=officer, desk=local, procedure=procedure,
        applicant=services.Applicant(name="Hoàng Thị Lan"),
        papers=[services.Paper(parts=[paper], filename="don.pdf",
                               required_document_id=mandatory.pk)])
    assert remote in forwarding_targets(local.pk)
    document = dossier_send_to_agency(actor=officer, dossier=dossier, target_agency=remote)
    document = registry.document_register(actor=desks["clerk"], document=document)
    document = registry.document_mark_ready(actor=desks["clerk"], document=document)
    transmission_send(actor=desks["clerk"], document=document)
    message = OutboxMessage.objects.get(peer__installation_id=PEER)
    assert message.kind == OutboxKind.EDOC
    delivery = message.delivery
    assert delivery is not None
    assert delivery.recipient == remote
    sent = edxml.parse_edoc(wire.edoc_for(delivery, message_id=str(message.uid)))
    assert sent.subject.startswith(SUBJECT_PREFIX)
    assert sent.type_name == TYPE_NAME  # R11.1(a): the marker the peer's desk recognises
    assert [r.organ_id for r in sent.recipients] == [remote.code]
    assert sent.sender.organ_id == local.code
    assert sent.attachments
    assert sent.attachments[0].data.startswith(b"%PDF")
    [forwarding] = selectors.forwardings(dossier)
    assert forwarding.target == remote
    assert forwarding.delivery == delivery
    assert forwarding.stage == ("Đã gửi", "Sent")


def _arrive(desks: dict[str, Any]) -> Delivery:
    """The peer's desk forwards a dossier to ours: its signed edXML message, posted to our
    federation door."""
    local, remote = desks["local"], desks["remote"]
    body = edxml.build_edoc(edxml.EdocMessage(
        message_id=str(uuid.uuid4()),
        sender=edxml.Organisation(organ_id=remote.code, name=remote.name),
        recipients=(edxml.Organisation(organ_id=local.code),), code_number="7",
        code_notation="UBND-MC", promulgation_date=date(2026, 12, 1),
        subject=f"{SUBJECT_PREFIX} 000.00.41.H14-261201-0003 (Cấp giấy phép thử nghiệm)",
        type_name=TYPE_NAME,
        attachments=(edxml.Attachment(content_id="1", name="ho-so.pdf",
                                      content_type="application/pdf",
                                      data=make_pdf("Ho so lien tinh")),)))
    response = Client().post("/exchange/federation/messages/", data=body,
                             content_type="application/xml",
                             headers={"X-Vanban-Installation": PEER,
                                      "X-Vanban-Signature": identity.sign(body)})
    assert response.status_code == 200, response.content
    return Delivery.objects.get(recipient=local, transmission__origin__isnull=False)


def test_dossier_from_a_peer_desk_is_taken_in(desks: dict[str, Any]) -> None:
    """R11.1(a), R11.2: the peer's forwarded dossier is in our desk's list and becomes a dossier
    of channel *agency* whose first event names the peer's agency and the federation origin."""
    delivery = _arrive(desks)
    assert selectors.forwarded_waiting(desks["officer"]) == [delivery]
    procedure = desks["procedure"]
    mandatory = procedure.required_documents.get(mandatory=True)
    dossier = services.dossier_receive_from_agency(
        actor=desks["officer"], delivery_uid=str(delivery.uid), procedure=procedure,
        applicant=services.Applicant(name="Hoàng Thị Lan"),
        required_document_ids=[mandatory.pk])
    origin = dossier.events.get(action="receive").data["origin"]
    assert origin["sender"] == desks["remote"].code
    assert origin["origin"] == delivery.transmission.origin != ""
    accepted = services.dossier_accept(actor=desks["officer"], dossier=dossier).dossier
    assert accepted.code
    assert accepted.code.startswith(desks["local"].code)
    assert selectors.forwarded_waiting(desks["officer"]) == []


def test_dossier_from_a_peer_desk_sent_back_queues_02_for_the_peer(
        desks: dict[str, Any]) -> None:
    """R11.2: sent back with its reason: the delivery is rejected (02) and a status message
    for the peer waits in the outbox, carrying the reason."""
    delivery = _arrive(desks)
    forwarded_refuse(actor=desks["officer"], delivery_uid=str(delivery.uid),
                     reason="Không thuộc thẩm quyền của huyện")
    delivery.refresh_from_db()
    assert delivery.state == "02"
    statuses = [bytes(m.body) for m in OutboxMessage.objects.filter(
        peer__installation_id=PEER, kind=OutboxKind.STATUS).order_by("id")]
    assert len(statuses) == 2  # 01 on arrival, then 02 with the reason
    assert "Không thuộc thẩm quyền của huyện".encode() in statuses[-1]
    assert selectors.forwarded_waiting(desks["officer"]) == []
