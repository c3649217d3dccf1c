"""The clerk never sees a verdict reached for another channel (R4.3, R5.1, R14.3; ADR 0011).

Observed before: a peer posted a file a local agency had sent through the hub, in that agency's
name; the copy showed as valid because the hub's verification of the same bytes and sender was
reused. Now the inbox, the arrival task and registration look the record up by channel too.
The federated copies below are stored as the federation stored them before it checked who a
peer may speak for (the endpoint now refuses them: see the exchange's federation tests).
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.directory.models import Agency
from vanban.exchange.core.states import State
from vanban.exchange.models import Channel, Delivery, Transmission
from vanban.exchange.tasks import verify_arrived
from vanban.incoming import services
from vanban.incoming.tests.conftest import arrive
from vanban.signatures import services as signatures
from vanban.signatures.models import ArrivalChannel, Verification
from vanban.signatures.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db


def _federated(peer: str, sender: Agency, recipient: Agency, like: Transmission) -> Delivery:
    """A copy of ``like``'s file received from ``peer`` in ``sender``'s name, in ``recipient``'s
    inbox (state 01), stored as the federation stores an arrival."""
    now = clock.now()
    transmission = Transmission.objects.create(
        sender=sender, origin=peer, origin_message_id="m-1",
        edxml_document_id=f"{sender.code},2026/11/20,16/X", code_number="16",
        code_notation="X", subject="Bản sao gửi lại", file_sha256=like.file_sha256,
        file_name="cv.pdf", file_size=like.file_size, sent_at=now)
    return Delivery.objects.create(transmission=transmission, recipient=recipient,
                                   channel=Channel.FEDERATED, state=State.ARRIVED, sent_at=now,
                                   received_at=now, status_at=now)


def test_peer_replay_of_a_hub_document_is_not_shown_valid(valid_delivery, sender, health,
                                                          health_clerk):
    """R4.3, R5.1, R14.3: Sở Nội vụ's signed file, verified valid on the hub, arrives again from
    Cao Bằng 'from Sở Nội vụ': its own verification, invalid (a peer cannot carry a local
    agency's document), and it cannot be registered; the hub copy keeps its valid record."""
    on_hub = services.incoming_verify(delivery=valid_delivery)
    assert on_hub.valid, on_hub.failures()
    replay = _federated("caobang", sender, health, valid_delivery.transmission)
    found = services.incoming_verify(delivery=replay)
    assert found.pk != on_hub.pk
    assert (found.channel, found.peer) == (ArrivalChannel.FEDERATED, "caobang")
    assert not found.valid
    assert [c["reason"] for c in found.failures()] == ["not_served_by_peer"]
    both = services.verifications_for([valid_delivery, replay])
    assert (both[valid_delivery.pk].pk, both[replay.pk].pk) == (on_hub.pk, found.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.incoming_register_delivery(actor=health_clerk, delivery=replay,
                                            recipient_user=health_clerk)
    assert refused.value.code == "not_verified"
    api = APIClient()
    api.force_authenticate(health_clerk)
    shown = api.get(f"/api/v1/incoming/deliveries/{replay.uid}/").json()["verification"]
    assert (shown["id"], shown["channel"], shown["peer"], shown["valid"]) == (
        found.pk, "federated", "caobang", False)


@pytest.mark.usefixtures("pki")
def test_a_peers_verdict_is_not_reused_on_the_hub_nor_for_another_peer(health, finance):
    """R4.3, R14.3: Sở Y tế served by Cao Bằng: its signed file from Cao Bằng is verified by the
    arrival task as federated and valid; the same bytes on this installation's hub, or from
    Lạng Sơn, are verified anew and fail the sender check."""
    health.installation = "caobang"
    health.save(update_fields=["installation"])
    data = signatures.pdf_sign(actor=None, agency=health, data=make_pdf(text="Cong van 16")).data
    hub_copy = arrive(health, finance, data, number="16")
    from_caobang = _federated("caobang", health, finance, hub_copy.transmission)
    verify_arrived.call([from_caobang.transmission_id])
    first = Verification.objects.get()
    assert (first.channel, first.peer, first.valid) == (ArrivalChannel.FEDERATED, "caobang",
                                                        True)
    assert services.incoming_verify(delivery=from_caobang).pk == first.pk
    on_hub = services.incoming_verify(delivery=hub_copy)
    assert on_hub.pk != first.pk
    assert [c["reason"] for c in on_hub.failures()] == ["not_local"]
    from_langson = _federated("langson", health, finance, hub_copy.transmission)
    other = services.incoming_verify(delivery=from_langson)
    assert other.pk not in (first.pk, on_hub.pk)
    assert [c["reason"] for c in other.failures()] == ["not_served_by_peer"]
