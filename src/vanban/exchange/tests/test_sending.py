"""Sending inside one installation (R7.1, R7.2): one transmission, one delivery per recipient,
the file stored once, arrival by the worker, statuses, recall and revocation, with evidence."""

from __future__ import annotations

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vanban.core.roles import Role
from vanban.evidence.models import EvidenceRecord
from vanban.exchange import services
from vanban.exchange.core.states import State
from vanban.exchange.models import Delivery, OutboxMessage, Transmission
from vanban.exchange.tests.conftest import bulk_agencies, ready_document
from vanban.storage.models import Blob

pytestmark = pytest.mark.django_db


def _events(delivery: Delivery) -> list[str]:
    return list(EvidenceRecord.objects.filter(delivery_id=str(delivery.uid))
                .order_by("index").values_list("event", flat=True))


def test_send_creates_one_delivery_per_recipient_and_arrives_by_worker(clerk, document):
    """R7.1: time sent = when the hub accepted; time received = when the worker stored it."""
    transmission = services.transmission_send(actor=clerk, document=document)
    deliveries = list(transmission.deliveries.order_by("recipient__code"))
    assert [d.state for d in deliveries] == [State.SENT, State.SENT]
    assert all(d.sent_at == transmission.sent_at and d.received_at is None for d in deliveries)
    assert OutboxMessage.objects.filter(done_at__isnull=True).count() == 2
    report = services.outbox_run()
    assert report.delivered == 2
    for delivery in deliveries:
        delivery.refresh_from_db()
        assert delivery.state == State.ARRIVED
        assert delivery.received_at is not None
        assert delivery.received_at >= delivery.sent_at
        assert _events(delivery) == ["sent", "received"]
    assert services.outbox_run().total == 0  # nothing twice
    assert AuditEvent.objects.filter(action="exchange.transmission_send").count() == 1


def test_fan_out_to_sixty_agencies_stores_the_file_once(clerk, sender):
    """R7.1/R14.3: 60 recipients, one blob, 60 deliveries each with sent+received evidence."""
    recipients = bulk_agencies(60)
    document = ready_document(clerk, sender, recipients)
    blobs = Blob.objects.count()
    transmission = services.transmission_send(actor=clerk, document=document)
    services.outbox_run(batch=25)
    assert Blob.objects.count() == blobs
    assert transmission.deliveries.count() == 60
    assert transmission.deliveries.filter(state=State.ARRIVED).count() == 60
    assert set(transmission.deliveries.values_list("transmission__file_sha256", flat=True)) == {
        transmission.file_sha256}
    assert EvidenceRecord.objects.filter(transmission_id=str(transmission.message_id),
                                         event="received").count() == 60


def test_only_the_clerk_sends_and_only_once(clerk, document, make_user, sender, finance_clerk):
    """R7.1: a specialist may not send; another agency sees nothing; a second send conflicts."""
    specialist = make_user(sender, roles=[Role.SPECIALIST])
    with pytest.raises(Forbidden):
        services.transmission_send(actor=specialist, document=document)
    with pytest.raises(NotFound):
        services.transmission_send(actor=finance_clerk, document=document)
    services.transmission_send(actor=clerk, document=document)
    with pytest.raises(Conflict):
        services.transmission_send(actor=clerk, document=document)
    assert Transmission.objects.count() == 1


def test_accept_reject_and_handling_statuses(clerk, document, finance_clerk, finance_head,
                                             make_user):
    """R7.1: 03 by the recipient's clerk sets the acknowledgement time; 02 needs a reason;
    04–06 by the agency's staff (the workflow decides who); the sender reads them on the same
    delivery."""
    transmission = services.transmission_send(actor=clerk, document=document)
    services.outbox_run()
    to_finance = transmission.deliveries.get(recipient=finance_clerk.agency)
    to_health = transmission.deliveries.exclude(recipient=finance_clerk.agency).get()
    health = to_health.recipient
    health_clerk_early = make_user(health, roles=[Role.CLERK])
    with pytest.raises(NotFound):
        services.delivery_accept(actor=finance_clerk, delivery=to_health)
    with pytest.raises(Forbidden):
        services.delivery_accept(actor=finance_head, delivery=to_finance)
    with pytest.raises(NotFound):  # another agency's staff cannot report progress
        services.delivery_status_set(actor=health_clerk_early, delivery=to_finance, code="04")
    accepted = services.delivery_accept(actor=finance_clerk, delivery=to_finance)
    assert accepted.state == State.ACCEPTED
    assert accepted.acknowledged_at is not None
    for code in ("04", "05", "06"):
        services.delivery_status_set(actor=finance_head, delivery=to_finance, code=code)
    to_finance.refresh_from_db()
    assert to_finance.state == State.COMPLETED
    assert _events(to_finance) == ["sent", "received", "accepted", "status", "status", "status"]
    health_clerk = make_user(health, roles=[Role.CLERK])
    with pytest.raises(ValidationFailed):
        services.delivery_reject(actor=health_clerk, delivery=to_health, reason=" ")
    rejected = services.delivery_reject(actor=health_clerk, delivery=to_health,
                                        reason="Không thuộc thẩm quyền")
    assert rejected.state == State.REJECTED
    assert rejected.rejected_at is not None
    with pytest.raises(Conflict):
        services.delivery_accept(actor=health_clerk, delivery=to_health)


def test_recall_agreed_and_refused(clerk, document, finance_clerk, health, make_user):
    """13 → 15 withdraws the recipient's copy; 13 → 16 returns it to where it was."""
    transmission = services.transmission_send(actor=clerk, document=document)
    services.outbox_run()
    to_finance = transmission.deliveries.get(recipient=finance_clerk.agency)
    services.delivery_accept(actor=finance_clerk, delivery=to_finance)
    asked = services.delivery_recall_request(actor=clerk, delivery=to_finance, reason="Sai sót")
    assert asked.state == State.RECALL_REQUESTED
    assert asked.before_recall == State.ACCEPTED
    refused = services.delivery_recall_answer(actor=finance_clerk, delivery=to_finance,
                                              agree=False)
    assert refused.state == State.ACCEPTED
    to_health = transmission.deliveries.get(recipient=health)
    services.delivery_recall_request(actor=clerk, delivery=to_health)
    health_clerk = make_user(health, roles=[Role.CLERK])
    agreed = services.delivery_recall_answer(actor=health_clerk, delivery=to_health, agree=True)
    assert agreed.state == State.RECALLED
    assert agreed.withdrawn_at is not None
    assert _events(agreed)[-2:] == ["recall_requested", "recall_accepted"]


def test_revoke_freezes_sender_copy_and_withdraws_recipients(clerk, document, finance_clerk):
    """Decree 30/2020 Art. 18.4: sender's copy frozen, every recipient's copy withdrawn, both
    recorded; nothing can be done to a revoked delivery afterwards."""
    transmission = services.transmission_send(actor=clerk, document=document)
    services.outbox_run()
    revoked = services.transmission_revoke(actor=clerk, transmission=transmission,
                                           reason="Ban hành nhầm")
    assert revoked.frozen_at is not None
    for delivery in transmission.deliveries.all():
        assert delivery.state == State.WITHDRAWN
        assert delivery.withdrawn_at is not None
        assert _events(delivery)[-2:] == ["revoked", "withdrawn"]
    with pytest.raises(Conflict):
        services.transmission_revoke(actor=clerk, transmission=transmission, reason="lần nữa")
    delivery = transmission.deliveries.get(recipient__code="000.00.03.H06")
    with pytest.raises(Conflict):
        services.delivery_accept(actor=finance_clerk, delivery=delivery)


def test_withdrawn_before_arrival_never_lands(clerk, document):
    """A revocation committed before the worker ran: the copy never reaches an inbox."""
    transmission = services.transmission_send(actor=clerk, document=document)
    services.transmission_revoke(actor=clerk, transmission=transmission, reason="Gửi nhầm")
    services.outbox_run()
    assert not transmission.deliveries.filter(received_at__isnull=False).exists()


def test_sent_document_is_marked_sent_and_cannot_be_cancelled(clerk, document):
    """R7.1: once the hub accepted it the document is "Đã gửi"; cancelling would not withdraw the
    copies already delivered, so it is refused in favour of revocation."""
    from vanban.registry import services as registry
    from vanban.registry.models import DocumentState

    services.transmission_send(actor=clerk, document=document)
    document.refresh_from_db()
    assert document.state == DocumentState.SENT
    assert document.sent_at is not None
    with pytest.raises(Conflict) as refused:
        registry.document_cancel(actor=clerk, document=document, reason="Gửi nhầm")
    assert refused.value.code == "sent_revoke_instead"
    document.refresh_from_db()
    assert document.state == DocumentState.SENT
