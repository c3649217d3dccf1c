"""The federation endpoint in-process (R14.1): signature checks (401 problems), broken edXML
(400 with the codec's reason), a received document stored once, repeats acknowledged, and
statuses updating the sender's deliveries."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.test import Client

from vanban.core import clock
from vanban.evidence.models import EvidenceRecord
from vanban.exchange import identity
from vanban.exchange.core import edxml
from vanban.exchange.core.states import State
from vanban.exchange.core.status import StatusCode, StatusMessage, build_status
from vanban.exchange.models import Delivery, InboxMessage, OutboxMessage, Peer, Transmission
from vanban.exchange.tests.conftest import make_pdf
from vanban.storage.models import Blob

pytestmark = pytest.mark.django_db
URL = "/exchange/federation/messages/"
PEER = "caobang"


@pytest.fixture
def peer(sender, finance):
    """A peer that signs with this test installation's own key; it serves Sở Tài chính."""
    now = clock.now()
    finance.installation = PEER
    finance.save(update_fields=["installation"])
    return Peer.objects.create(installation_id=PEER, base_url="http://127.0.0.1:9",
                               public_key_pem=identity.public_key_pem(), created_at=now,
                               updated_at=now)


def _post(body: bytes, *, installation: str = PEER, signature: str | None = None):
    return Client().post(URL, data=body, content_type="application/xml", headers={
        "X-Vanban-Installation": installation,
        "X-Vanban-Signature": identity.sign(body) if signature is None else signature})


def _edoc(sender_code: str, to_code: str, *, message_id: str | None = None) -> bytes:
    return edxml.build_edoc(edxml.EdocMessage(
        message_id=message_id or str(uuid.uuid4()),
        sender=edxml.Organisation(organ_id=sender_code, name="Sở Tài chính Cao Bằng"),
        recipients=(edxml.Organisation(organ_id=to_code),), code_number="12",
        code_notation="STC-NS", promulgation_date=date(2026, 3, 2),
        subject="Về việc phối hợp liên tỉnh", type_name="Công văn",
        attachments=(edxml.Attachment(content_id="1", name="cv.pdf",
                                      content_type="application/pdf", data=make_pdf()),)))


def test_unknown_peer_and_bad_signature_are_401_problems(peer, finance, sender):
    """R14.1: only a configured peer's signature is believed."""
    body = _edoc(finance.code, sender.code)
    for response in (_post(body, installation="nobody"), _post(body, signature="AAAA"),
                     _post(body + b"\n", signature=identity.sign(body))):
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/problem+json")
    assert not Transmission.objects.exists()


def test_broken_edxml_is_400_with_the_reason(peer):
    """A signed but broken message is refused with the codec's reason."""
    response = _post(b"<edXML><unclosed></edXML>")
    assert response.status_code == 400
    body = response.json()
    assert body["code"].startswith("edxml")
    assert body["detail_vi"]
    assert body["detail_en"]


def test_received_document_lands_once_and_repeat_is_acknowledged(peer, finance, sender):
    """R7.1: stored (blob), in the inbox with state 01, a 01 status queued back; the same
    message again is 200 ``duplicate`` and stores nothing."""
    body = _edoc(finance.code, sender.code)
    first = _post(body)
    assert first.status_code == 200
    assert first.json()["duplicate"] is False
    delivery = Delivery.objects.get(recipient=sender)
    assert delivery.state == State.ARRIVED
    assert delivery.received_at is not None
    assert Blob.objects.filter(sha256=delivery.transmission.file_sha256).exists()
    assert OutboxMessage.objects.filter(kind="status", peer=peer).count() == 1
    assert list(EvidenceRecord.objects.filter(delivery_id=str(delivery.uid))
                .values_list("event", flat=True)) == ["received"]
    again = _post(body)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert Delivery.objects.count() == 1
    assert InboxMessage.objects.count() == 1


def test_status_from_peer_updates_the_senders_delivery(peer, clerk, sender, finance):
    """R7.1: 03 from the peer (before its 01 was seen) marks the delivery accepted and implies
    the arrival; a late 01 changes nothing; a status for an unknown document is 409."""
    from vanban.exchange import services
    from vanban.exchange.tests.conftest import ready_document

    document = ready_document(clerk, sender, [finance])
    transmission = services.transmission_send(actor=clerk, document=document)
    delivery = transmission.deliveries.get()
    assert delivery.channel == "federated"

    def status(code: str, document_id: str = transmission.edxml_document_id) -> bytes:
        return build_status(StatusMessage(
            message_id=str(uuid.uuid4()),
            response_for=edxml.ResponseFor(organ_id=sender.code, document_id=document_id),
            sender=edxml.Organisation(organ_id=finance.code), status_code=StatusCode(code),
            timestamp=clock.now().replace(microsecond=0)))

    assert _post(status("03")).status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == State.ACCEPTED
    assert delivery.received_at is not None
    assert delivery.acknowledged_at is not None
    assert _post(status("01")).status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == State.ACCEPTED
    events = list(EvidenceRecord.objects.filter(delivery_id=str(delivery.uid))
                  .values_list("event", flat=True))
    assert events == ["sent", "received", "accepted"]
    assert _post(status("03", "000.00.99.H06,2026/01/01,1/X")).status_code == 409
