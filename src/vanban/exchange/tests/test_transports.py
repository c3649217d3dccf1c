"""Outbox transports (ADR 0015): a peer's messages leave through the transport its row names,
with the outbox's retries and final refusals; outbox handlers registered by other apps (mail)
are called each round and carry their own kind of message (R7.1, R9.1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from vanban.core import clock
from vanban.core.errors import DomainError
from vanban.directory.models import Agency
from vanban.exchange import services
from vanban.exchange.core import edxml
from vanban.exchange.models import OutboxKind, OutboxMessage, Peer
from vanban.exchange.services import transports
from vanban.exchange.services.outbox import outbox_claim, outbox_done, outbox_failed
from vanban.exchange.services.transports import (
    Answer,
    RunReport,
    peer_sender,
    register_outbox_handler,
    register_peer_transport,
    unregister,
)
from vanban.exchange.tests.conftest import ready_document

pytestmark = pytest.mark.django_db
PEER = "truc-quoc-gia"


class Carried(list[tuple[str, str, bytes]]):
    """What the stand-in transport was given; ``refuse`` makes it refuse for good."""

    refuse = False


@pytest.fixture
def carried() -> Iterator[Carried]:
    """A stand-in transport that keeps what it was given."""
    seen = Carried()

    def send(peer: Peer, body: bytes, kind: str) -> Answer:
        seen.append((peer.installation_id, kind, body))
        if seen.refuse:
            return Answer(False, "refused: unknown agency", final=True)
        return Answer(True)

    register_peer_transport("test_standin", send)
    yield seen
    unregister("test_standin")


@pytest.fixture
def remote(finance: Agency) -> Peer:
    """Sở Tài chính served by a peer reached through the stand-in transport."""
    finance.installation = PEER
    finance.save(update_fields=["installation"])
    now = clock.now()
    return Peer.objects.create(installation_id=PEER, transport="test_standin",
                               settings={"gateway": "stand-in"}, created_at=now,
                               updated_at=now)


def test_a_peer_message_leaves_through_its_transport(carried: Carried, remote: Peer, clerk: Any,
                                                     sender: Agency, finance: Agency) -> None:
    """R7.1: the edXML the outbox builds goes through the transport the peer names, once."""
    document = ready_document(clerk, sender, [finance])
    services.transmission_send(actor=clerk, document=document)
    report = services.outbox_run()
    assert report.sent == 1
    [(installation, kind, body)] = carried
    assert (installation, kind) == (PEER, "edoc")
    assert edxml.parse_edoc(body).recipients[0].organ_id == finance.code
    assert OutboxMessage.objects.get().done_at is not None


def test_a_final_refusal_is_kept_and_not_retried(carried: Carried, remote: Peer, clerk: Any,
                                                 sender: Agency, finance: Agency) -> None:
    """R7.1: a transport's final answer marks the message refused, with its reason."""
    carried.refuse = True
    document = ready_document(clerk, sender, [finance])
    services.transmission_send(actor=clerk, document=document)
    report = services.outbox_run()
    assert report.failed == 1
    message = OutboxMessage.objects.get()
    assert message.refused_at is not None
    assert message.last_error == "refused: unknown agency"
    services.outbox_run()
    assert len(carried) == 1


def test_an_unknown_transport_is_named() -> None:
    """A peer naming a transport nobody registered is refused by name."""
    with pytest.raises(DomainError) as caught:
        peer_sender("nowhere")
    assert caught.value.code == "unknown_transport"


def test_registered_handlers_carry_their_kind(clerk: Any, sender: Agency, make_agency: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """R9.1: outbox_run calls each registered handler; it claims its messages, and what it
    carried counts as sent; a failure is retried later, a handler that raises is reported."""
    monkeypatch.setattr(transports, "_handlers", {})  # only the stand-ins below
    by_mail = make_agency("000.00.40.H06", connected=False, mailbox="vt@bqlda.gov.vn")
    document = ready_document(clerk, sender, [by_mail])
    services.transmission_send(actor=clerk, document=document)
    calls: list[int] = []

    def handler(batch: int, report: RunReport) -> int:
        calls.append(batch)
        messages = outbox_claim(OutboxKind.MAIL, batch)
        if len(calls) == 1:
            for message in messages:
                outbox_failed(message, Answer(False, "relay down"))
                report.failed += 1
            return len(messages)
        outbox_done(messages)
        report.sent += len(messages)
        return len(messages)

    def broken(batch: int, report: RunReport) -> int:
        raise RuntimeError("boom")

    register_outbox_handler("test_mail", handler)
    register_outbox_handler("test_broken", broken)
    try:
        first = services.outbox_run()
        message = OutboxMessage.objects.get()
        assert (first.failed, message.last_error, message.done_at) == (2, "relay down", None)
        assert any("boom" in e for e in first.errors)
        OutboxMessage.objects.update(next_attempt_at=clock.now())
        second = services.outbox_run()
        assert second.sent == 1
        assert OutboxMessage.objects.get().done_at is not None
    finally:
        unregister("test_mail")
        unregister("test_broken")
