"""The incoming side is the same whatever the channel (ADR 0015; issue 11 point 4): a document
that arrived through the port with several files shows each of them (name, type, size, the main
one marked) and its channel, downloads each through the audited file response, verifies and
registers like a hub delivery; a mail arrival shows the gateway's verdict and registering it
sends no status (mail has none) (R4.1, R4.3, R10.1)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.directory.models import Agency
from vanban.exchange.arrivals import Arrival, ArrivalHeader, ArrivedFile, arrival_accept
from vanban.exchange.models import Channel, Delivery, OutboxMessage, Peer
from vanban.incoming.models import IncomingDocument, IncomingSource
from vanban.incoming.services import incoming_register_delivery, incoming_verify

pytestmark = pytest.mark.django_db
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
PEER = "caobang"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _arrive(sender: Agency, finance: Agency, files: list[ArrivedFile], *, channel: str,
            origin: str, verification_id: int | None = None) -> Delivery:
    header = ArrivalHeader(document_id=f"{sender.code},2026/11/20,15/SNV-VP",
                           subject="Về việc phối hợp", code_number="15", code_notation="SNV-VP",
                           type_name="Công văn")
    result = arrival_accept(Arrival(
        channel=channel, origin=origin, message_key="k-1", sender=sender, recipients=[finance],
        header=header, files=files, raw=b"raw", verification_id=verification_id))
    return result.deliveries[0]


def test_every_attachment_is_listed_and_downloaded(signed_pdf: bytes, sender: Agency,
                                                   finance: Agency, finance_clerk: Any) -> None:
    """R4.3 (issue 10 observed 2): the delivery page lists the .doc and the signed PDF with
    their types, marks the main one, shows the channel; each downloads, audited; a file that is
    not a PDF is served as a download only."""
    sender.installation = PEER
    sender.save(update_fields=["installation"])
    now = clock.now()
    Peer.objects.create(installation_id=PEER, base_url="http://127.0.0.1:9", created_at=now,
                        updated_at=now)
    delivery = _arrive(sender, finance, [ArrivedFile("du-thao.doc", OLE_DOC),
                                         ArrivedFile("cong-van.pdf", signed_pdf)],
                       channel=Channel.FEDERATED, origin=PEER)
    client = _client(finance_clerk)
    page = client.get(f"/incoming/delivery/{delivery.uid}/").content.decode()
    assert page.count('data-testid="attachment"') == 2
    assert 'data-main="1"' in page
    assert "application/msword" in page
    assert 'data-channel="federated"' in page
    doc = client.get(f"/incoming/delivery/{delivery.uid}/file/?n=0")
    assert doc.status_code == 200
    assert doc.content == OLE_DOC
    assert doc["Content-Disposition"].startswith("attachment")
    assert doc["Content-Type"] == "application/octet-stream"
    main = client.get(f"/incoming/delivery/{delivery.uid}/file/?n=1")
    assert main.content == signed_pdf
    assert client.get(f"/incoming/delivery/{delivery.uid}/file/?n=9").status_code == 404
    downloads = [json.loads(e.data) for e in
                 AuditEvent.objects.filter(action="document.downloaded").order_by("seq")]
    assert len(downloads) == 2
    assert {d["sha256"] for d in downloads} == {delivery.transmission.file_sha256,
                                                 hashlib.sha256(OLE_DOC).hexdigest()}
    assert 'data-channel="federated"' in client.get("/incoming/").content.decode()
    # Registered, the register line keeps every file within reach.
    entry = incoming_register_delivery(actor=finance_clerk, delivery=delivery,
                                       recipient_user=finance_clerk)
    line = client.get(f"/incoming/entry/{entry.pk}/").content.decode()
    assert line.count('data-testid="attachment"') == 2
    assert client.get(f"/incoming/entry/{entry.pk}/file/?n=0").content == OLE_DOC
    assert client.get(f"/incoming/entry/{entry.pk}/file/?n=5").status_code == 404
    # The inbox shows the channel too, and the verdict is the federated channel's.
    assert incoming_verify(delivery=delivery).peer == PEER


def test_a_mail_arrival_uses_the_gateway_verdict_and_sends_no_status(
        signed_pdf: bytes, sender: Agency, finance: Agency, finance_clerk: Any) -> None:
    """R4.1, R10.1: the verdict the mail gateway linked is the one shown and relied on; the
    register line says it came by mail; no status message is queued."""
    from vanban.signatures.verification import VerificationChannel, pdf_verify

    verdict = pdf_verify(data=signed_pdf, sender=sender, channel=VerificationChannel.mail())
    assert verdict.valid
    delivery = _arrive(sender, finance, [ArrivedFile("cong-van.pdf", signed_pdf)],
                       channel=Channel.MAIL, origin="vt.snv@bacgiang.gov.vn",
                       verification_id=verdict.pk)
    assert incoming_verify(delivery=delivery).pk == verdict.pk
    entry = incoming_register_delivery(actor=finance_clerk, delivery=delivery,
                                       recipient_user=finance_clerk)
    assert entry.source == IncomingSource.MAIL
    assert entry.verification_id == verdict.pk
    delivery.refresh_from_db()
    assert delivery.state == "03"
    assert not OutboxMessage.objects.exists()
    assert IncomingDocument.objects.count() == 1
