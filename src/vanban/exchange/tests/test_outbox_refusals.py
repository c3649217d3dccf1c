"""The outbox stops retrying what a peer refused for good (R7.1, R16.1): a refused document is
an evidence record of its delivery and waits for the hub administrator; a peer that is down or
asks to wait is retried as before."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.evidence.models import EvidenceRecord
from vanban.exchange import identity, services
from vanban.exchange.models import Delivery, OutboxKind, OutboxMessage, Peer
from vanban.exchange.services.outbox import outbox_retry_now, outbox_run
from vanban.exchange.tests.conftest import ready_document

pytestmark = pytest.mark.django_db

INSTALLATION = "laocai"


class _Peer(BaseHTTPRequestHandler):
    """A peer installation on loopback that answers every post with ``status``."""

    status = 200
    posts = 0

    def do_POST(self) -> None:
        type(self).posts += 1
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b'{"code": "intake_refused"}'
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def remote() -> Iterator[type[_Peer]]:
    handler = type("PeerHandler", (_Peer,), {"status": 200, "posts": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def remote_delivery(remote: type[_Peer], clerk: Any, sender: Any, finance: Any) -> Delivery:
    now = clock.now()
    finance.installation = INSTALLATION
    finance.save(update_fields=["installation"])
    Peer.objects.create(installation_id=INSTALLATION, base_url=remote.url,  # type: ignore[attr-defined]
                        public_key_pem=identity.public_key_pem(), created_at=now, updated_at=now)
    document = ready_document(clerk, sender, [finance])
    transmission = services.transmission_send(actor=clerk, document=document)
    return Delivery.objects.get(transmission=transmission, recipient=finance)


def _message(delivery: Delivery) -> OutboxMessage:
    return OutboxMessage.objects.get(delivery=delivery, kind=OutboxKind.EDOC)


@pytest.mark.parametrize("status", [400, 403, 413, 422])
def test_final_refusal_is_kept_recorded_and_not_retried(remote, remote_delivery, status):
    """R7.1: a 4xx the peer means (malformed, not its agency, a file its intake refuses) stops the
    retries, is recorded as evidence of the delivery and shown to the hub administrator."""
    remote.status = status
    outbox_run(max_rounds=1)
    message = _message(remote_delivery)
    assert message.refused_at is not None
    assert message.done_at is None
    assert message.last_error.startswith(f"refused: HTTP {status}")
    record = EvidenceRecord.objects.get(delivery_id=str(remote_delivery.uid), event="refused")
    assert f"HTTP {status}" in record.reason
    assert AuditEvent.objects.filter(action="exchange.delivery_refused",
                                     object_id=str(remote_delivery.uid)).exists()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=clock.now())
    outbox_run(max_rounds=3)
    assert remote.posts == 1


@pytest.mark.parametrize("status", [401, 409, 429, 500, 503])
def test_passing_failures_are_retried(remote, remote_delivery, status):
    """R7.1: a peer that is down, overloaded, not yet ready or not yet configured is retried."""
    remote.status = status
    outbox_run(max_rounds=1)
    message = _message(remote_delivery)
    assert message.refused_at is None
    assert message.attempts == 1
    assert not EvidenceRecord.objects.filter(delivery_id=str(remote_delivery.uid),
                                             event="refused").exists()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=clock.now())
    remote.status = 200
    outbox_run(max_rounds=1)
    assert _message(remote_delivery).done_at is not None


def test_administrator_sends_a_refused_message_again(remote, remote_delivery, make_user):
    """R7.1: once the cause is fixed at the peer, the hub administrator retries; it goes."""
    from vanban.core.roles import Role

    remote.status = 422
    outbox_run(max_rounds=1)
    admin = make_user(None, roles=[Role.PROVINCE_ADMIN])
    outbox_retry_now(actor=admin, message=_message(remote_delivery))
    remote.status = 200
    outbox_run(max_rounds=1)
    message = _message(remote_delivery)
    assert message.done_at is not None
    assert message.refused_at is None
    assert remote.posts == 2
