"""Sending a document by mail through the outbox, to a real relay and Dovecot (R9.1, R3.1)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import override_settings

from vanban.directory.models import Agency
from vanban.exchange.core import states
from vanban.exchange.models import Channel, Delivery, OutboxKind, OutboxMessage, Transmission
from vanban.exchange.services.outbox import outbox_run
from vanban.mail.dkim import dkim_verify
from vanban.mail.dsn import dsn_match, dsn_parse
from vanban.mail.tests.conftest import DOMAIN, Road
from vanban.mail.tests.servers import free_port, unique_address
from vanban.registry.models import Document
from vanban.signatures.demo import demo_pki_load
from vanban.storage.selectors import blob_read

pytestmark = pytest.mark.django_db


def send(clerk: Any, sender: Agency, recipients: list[Agency],
         subject: str = "Về việc gửi văn bản qua thư công vụ") -> Transmission:
    """Draft → number → scan → sign → ready → send (real services); not yet carried."""
    from vanban.exchange import services as exchange
    from vanban.exchange.tests.conftest import confirmed, make_pdf
    from vanban.registry import services

    demo_pki_load(agencies=[sender])
    document = services.document_create(
        actor=clerk, agency=sender, type_code="cong_van", subject=subject, place="Bắc Giang",
        competence="KT.", position="PHÓ GIÁM ĐỐC", full_name="Nguyễn Văn Ánh",
        recipients=[services.RecipientInput(agency=a) for a in recipients])
    document = services.document_register(actor=clerk, document=document)
    services.document_upload(actor=clerk, document=document, main=[make_pdf("Cong van thu")],
                             filename="cong-van.pdf")
    services.document_sign(actor=clerk, document=document, confirmation=confirmed(clerk))
    document = services.document_mark_ready(actor=clerk, document=document)
    return exchange.transmission_send(actor=clerk, document=document)


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def dsns(road: Road, count: int) -> list[bytes]:
    """The DSNs in the sender's clerk mailbox, once there are ``count``."""
    return road.servers.wait_messages(road.sender_address, road.sender_password, count)


def test_signed_document_arrives_by_mail_signed_and_intact(road: Road, clerk: Any) -> None:
    """R9.1: a signed document to an agency whose route is its mailbox leaves through the outbox
    from the sender's clerk mailbox, DKIM-signed, with the register data and the signed PDF
    bit-exact; the relay's DSN marks the delivery delivered."""
    transmission = send(clerk, road.sender, [road.recipient])
    delivery = Delivery.objects.get(transmission=transmission)
    assert delivery.channel == Channel.MAIL
    report = outbox_run()
    assert report.sent == 1, report.errors
    raw = road.servers.wait_messages(road.recipient_address, road.recipient_password, 1)[0]
    mail = parsed(raw)
    assert dkim_verify(raw).status == "pass"
    assert max(raw) < 128  # 7-bit clean: no relay needs to re-encode what DKIM signed
    assert mail["From"].addresses[0].addr_spec == road.sender_address
    assert mail["X-Vanban-Document-Id"] == transmission.edxml_document_id
    assert mail["X-Vanban-Code-Notation"] == transmission.code_notation
    assert transmission.code_notation in str(mail["Subject"])
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert f"Trích yếu: {transmission.subject}" in body.get_content()
    pdfs = [part.get_content() for part in mail.iter_attachments()
            if part.get_content_type() == "application/pdf"]
    assert pdfs == [blob_read(transmission.file_sha256)]
    delivery.refresh_from_db()
    outbox = OutboxMessage.objects.get(delivery=delivery, kind=OutboxKind.MAIL)
    assert delivery.mail_message_id == mail["Message-ID"] == f"<{outbox.uid}@{DOMAIN}>"
    assert outbox.done_at is not None
    dsn = dsns(road, 1)[0]
    # R7.1: the same report read in another mailbox (forged there by someone who saw the
    # Message-ID) is never evidence; only the sender's own clerk mailbox counts.
    assert dsn_match(dsn, mailbox=road.recipient_address) is True
    delivery.refresh_from_db()
    assert delivery.state == states.State.SENT
    assert dsn_match(dsn, mailbox=road.sender_address) is True
    delivery.refresh_from_db()
    assert delivery.state == states.State.ARRIVED
    assert delivery.bounced_at is None
    assert dsn_match(dsn) is True  # read twice: nothing changes
    assert dsn_match(raw) is False  # a document is not a DSN


def test_relay_down_is_retried_and_sent_once(road: Road, clerk: Any) -> None:
    """R9.1: with the relay unreachable the message waits in the outbox with the error; once the
    relay is back it is sent, once, with the Message-ID it was built with."""
    transmission = send(clerk, road.sender, [road.recipient])
    with override_settings(VANBAN_MAIL_SMTP_PORT=free_port()):
        report = outbox_run(max_rounds=1)
    outbox = OutboxMessage.objects.get(delivery__transmission=transmission)
    assert report.sent == 0
    assert outbox.done_at is None
    assert outbox.attempts == 1
    assert "ConnectionRefused" in outbox.last_error
    assert Delivery.objects.get(transmission=transmission).mail_sent_at is None
    assert outbox_run().sent == 1
    assert outbox_run().sent == 0
    got = road.servers.wait_messages(road.recipient_address, road.recipient_password, 1)
    assert len(got) == 1
    assert parsed(got[0])["Message-ID"] == f"<{outbox.uid}@{DOMAIN}>"


def test_classified_document_is_refused_by_the_mail_handler(road: Road, clerk: Any) -> None:
    """R3.1: a document marked classified after it was queued never leaves by mail; the outbox
    keeps it as refused with the reason."""
    transmission = send(clerk, road.sender, [road.recipient])
    Document.objects.filter(transmissions=transmission).update(classification="mat")
    outbox_run()
    outbox = OutboxMessage.objects.get(delivery__transmission=transmission)
    assert outbox.refused_at is not None
    assert "R3.1" in outbox.last_error
    assert road.servers.messages(road.recipient_address, road.recipient_password) == []
    assert Delivery.objects.get(transmission=transmission).mail_sent_at is None


def test_unknown_recipient_bounces_with_the_reason(road: Road, clerk: Any,
                                                   make_agency: Any) -> None:
    """R9.1: the relay takes the message, the recipient's server has no such mailbox; the DSN
    that comes back marks the delivery bounced with the server's reason."""
    nowhere = make_agency(name="Sở Xây dựng", connected=False,
                          mailbox=unique_address("khong-co", DOMAIN))
    transmission = send(clerk, road.sender, [nowhere])
    assert outbox_run().sent == 1
    dsn = dsns(road, 1)[0]
    report = dsn_parse(dsn)
    assert report is not None
    assert report.recipients[0].action == "failed"
    assert dsn_match(dsn)
    delivery = Delivery.objects.get(transmission=transmission)
    assert delivery.bounced_at is not None
    assert delivery.state == states.State.SENT
    assert "doesn't exist" in delivery.reason


def test_sender_without_signing_key_waits(road: Road, clerk: Any) -> None:
    """No DKIM key of the province for the sender's domain: nothing unsigned leaves; the
    message waits with the reason."""
    from vanban.mail.models import DkimKey

    DkimKey.objects.all().delete()
    transmission = send(clerk, road.sender, [road.recipient])
    outbox_run(max_rounds=1)
    outbox = OutboxMessage.objects.get(delivery__transmission=transmission)
    assert outbox.done_at is None
    assert outbox.refused_at is None
    assert "DKIM" in outbox.last_error


def test_a_retry_builds_the_same_message(road: Road, clerk: Any) -> None:
    """R9.1: the message depends only on the outbox message: the same bytes and Message-ID on
    every attempt, so the receiving gateway files it once."""
    from vanban.mail.compose import compose

    transmission = send(clerk, road.sender, [road.recipient])
    outbox = OutboxMessage.objects.get(delivery__transmission=transmission)
    delivery = Delivery.objects.select_related("transmission__sender", "recipient").get(
        transmission=transmission)
    first = compose(outbox, delivery, road.sender_address)
    again = compose(outbox, delivery, road.sender_address)
    assert first == again
    assert first.message_id == f"<{outbox.uid}@{DOMAIN}>"


def test_a_dsn_naming_another_message_changes_nothing(road: Road, clerk: Any) -> None:
    """A DSN whose envelope id names the delivery but whose returned headers name another
    message is not taken as this delivery's (a forged or confused report)."""
    transmission = send(clerk, road.sender, [road.recipient])
    outbox_run()
    dsn = dsns(road, 1)[0]
    outbox = OutboxMessage.objects.get(delivery__transmission=transmission)
    forged = dsn.replace(f"<{outbox.uid}@{DOMAIN}>".encode(), f"<khac@{DOMAIN}>".encode())
    assert forged != dsn
    assert dsn_match(forged) is True
    delivery = Delivery.objects.get(transmission=transmission)
    assert delivery.state == states.State.SENT


def test_a_disabled_clerk_mailbox_sends_nothing(road: Road, clerk: Any) -> None:
    """R13.1, R9.1: once the province disables the sending agency's clerk mailbox (the
    directory still names it) nothing is sent from it: the message waits in the outbox, with
    the reason, until an active clerk mailbox exists."""
    from vanban.mail.services import mailbox_by_address, mailbox_disable

    mailbox_disable(actor=None, mailbox=mailbox_by_address(road.sender_address))
    transmission = send(clerk, road.sender, [road.recipient])
    report = outbox_run(max_rounds=1)
    outbox = OutboxMessage.objects.get(delivery__transmission=transmission)
    assert report.sent == 0
    assert outbox.done_at is None
    assert "no active clerk mailbox" in outbox.last_error
    assert Delivery.objects.get(transmission=transmission).mail_sent_at is None
