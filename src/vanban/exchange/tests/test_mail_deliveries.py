"""Sending by the official mailbox through the hub (R9.1, R3.1): a recipient agency whose route
is its mailbox gets a mail delivery and an outbox message for the mail app; what became of it
(mailed, delivered, bounced) is recorded on the delivery and in the evidence log, and the
tracking page says it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from vanban.core.errors import DomainError
from vanban.directory.models import Agency
from vanban.evidence.models import EvidenceRecord
from vanban.exchange import services
from vanban.exchange.models import Channel, OutboxKind, OutboxMessage
from vanban.exchange.services.mail_deliveries import (
    delivery_mail_bounced,
    delivery_mail_delivered,
    delivery_mail_sent,
    mail_state,
)
from vanban.exchange.tests.conftest import ready_document
from vanban.registry.models import Classification, Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_mail(make_agency: Any) -> Agency:
    """An agency outside the exchange, reached by its official mailbox."""
    agency: Agency = make_agency("000.00.40.H06", name="Ban Quản lý dự án", connected=False,
                                 mailbox="vanthu@bqlda.bacgiang.gov.vn")
    return agency


def _events(delivery: Any) -> list[str]:
    return list(EvidenceRecord.objects.filter(delivery_id=str(delivery.uid))
                .order_by("index").values_list("event", flat=True))


def test_a_mailbox_recipient_gets_a_mail_delivery(clerk: Any, sender: Agency, finance: Agency,
                                                  by_mail: Agency) -> None:
    """R9.1: the mail recipient is no longer sent by hand (only its paper copy, R3.2): a
    delivery (channel mail, sent) and an outbox message of kind mail; the internal recipient
    is delivered as before."""
    document = ready_document(clerk, sender, [finance, by_mail])
    transmission = services.transmission_send(actor=clerk, document=document)
    mail = transmission.deliveries.get(recipient=by_mail)
    assert (mail.channel, mail.state) == (Channel.MAIL, "sent")
    message = OutboxMessage.objects.get(delivery=mail)
    assert message.kind == OutboxKind.MAIL
    assert message.peer_id is None
    assert [a.main for a in transmission.attachments.all()] == [True]
    assert mail_state(mail) == "queued"
    services.outbox_run(max_rounds=1)
    assert transmission.deliveries.get(recipient=finance).state == "01"
    page = Client()
    page.force_login(clerk)
    html = page.get(f"/exchange/documents/{document.pk}/").content.decode()
    assert 'data-mail="queued"' in html


def test_mailed_delivered_and_bounced_are_recorded(clerk: Any, sender: Agency,
                                                   by_mail: Agency, make_agency: Any) -> None:
    """R9.1: the relay took it (its Message-ID kept), the DSN said delivered (01); another
    came back bounced with the reason; repeats change nothing, a late bounce neither."""
    other = make_agency("000.00.41.H06", connected=False, mailbox="vt@khac.gov.vn")
    document = ready_document(clerk, sender, [by_mail, other])
    transmission = services.transmission_send(actor=clerk, document=document)
    first = transmission.deliveries.get(recipient=by_mail)
    second = transmission.deliveries.get(recipient=other)
    first = delivery_mail_sent(delivery=first, message_id="<1@vanban>")
    delivery_mail_sent(delivery=first, message_id="<1@vanban>")
    assert (first.mail_message_id, mail_state(first)) == ("<1@vanban>", "sent")
    first = delivery_mail_delivered(delivery=first, evidence={"dsn": "2.0.0"})
    assert (first.state, mail_state(first)) == ("01", "delivered")
    assert first.received_at is not None
    delivery_mail_bounced(first, "late bounce")
    first.refresh_from_db()
    assert (first.state, first.bounced_at) == ("01", None)
    assert _events(first) == ["sent", "mail_sent", "received"]
    delivery_mail_sent(delivery=second, message_id="<2@vanban>")
    second = delivery_mail_bounced(second, "5.1.1 user unknown", evidence={"dsn": "5.1.1"})
    assert (second.state, mail_state(second), second.reason) == ("sent", "bounced",
                                                                "5.1.1 user unknown")
    assert _events(second) == ["sent", "mail_sent", "mail_bounced"]
    page = Client()
    page.force_login(clerk)
    html = page.get(f"/exchange/documents/{document.pk}/").content.decode()
    assert 'data-mail="delivered"' in html
    assert 'data-mail="bounced"' in html


def test_an_internal_delivery_is_not_a_mail_one(clerk: Any, sender: Agency,
                                                finance: Agency) -> None:
    """The mail services act on mail deliveries only."""
    document = ready_document(clerk, sender, [finance])
    delivery = services.transmission_send(actor=clerk, document=document).deliveries.get()
    with pytest.raises(DomainError) as caught:
        delivery_mail_sent(delivery=delivery, message_id="<x@y>")
    assert caught.value.code == "not_mail_delivery"


def test_classified_is_refused_and_a_revoked_mail_never_leaves(
        clerk: Any, sender: Agency, by_mail: Agency) -> None:
    """R3.1: a classified document is not mailed; a document revoked before the mail app
    carried it never leaves (its outbox message is closed) and the copy is withdrawn."""
    document = ready_document(clerk, sender, [by_mail])
    Document.objects.filter(pk=document.pk).update(classification=Classification.SECRET)
    document.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.transmission_send(actor=clerk, document=document)
    assert caught.value.code == "classified"
    assert not OutboxMessage.objects.exists()
    Document.objects.filter(pk=document.pk).update(classification=Classification.NORMAL)
    document.refresh_from_db()
    transmission = services.transmission_send(actor=clerk, document=document)
    services.transmission_revoke(actor=clerk, transmission=transmission, reason="Gửi nhầm")
    delivery = transmission.deliveries.get()
    assert delivery.state == "withdrawn"
    message = OutboxMessage.objects.get(delivery=delivery)
    assert message.done_at is not None
    assert message.last_error.startswith("revoked")
