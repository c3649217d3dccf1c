"""Federation applies the intake every door applies (R16.1, R3.1; issue 9, observed case 5):
a program, an HTML page, a PDF with JavaScript or a file carrying malware sent by a peer is
refused with a problem+json reason, audited with the peer, and nothing is stored; while the
scanner is down the answer is 503 with Retry-After and the peer's retry is accepted later."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.exchange import identity
from vanban.exchange.core import edxml
from vanban.exchange.models import Delivery, InboxMessage, Peer, Transmission
from vanban.security.models import Quarantine
from vanban.security.tests.clamd_server import FOUND_AS
from vanban.security.tests.fixtures import (
    HTML_PAGE,
    WINDOWS_PROGRAM,
    clean_pdf,
    infected_pdf,
    scripted_pdf,
)
from vanban.storage.models import Blob

pytestmark = pytest.mark.django_db
URL = "/exchange/federation/messages/"
PEER = "caobang"


@pytest.fixture
def parties(make_agency):
    """A local recipient agency and an agency served by the peer, which signs with this
    installation's own test key."""
    local = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    remote = make_agency("000.00.09.H11", name="Sở Tài chính Cao Bằng", short_name="STC-CB")
    remote.installation = PEER
    remote.save(update_fields=["installation"])
    now = clock.now()
    Peer.objects.create(installation_id=PEER, base_url="http://127.0.0.1:9",
                        public_key_pem=identity.public_key_pem(), created_at=now,
                        updated_at=now)
    return local, remote


def _edoc(parties, data: bytes, name: str = "cv.pdf") -> bytes:
    local, remote = parties
    return edxml.build_edoc(edxml.EdocMessage(
        message_id=str(uuid.uuid4()),
        sender=edxml.Organisation(organ_id=remote.code, name=remote.name),
        recipients=(edxml.Organisation(organ_id=local.code),), code_number="12",
        code_notation="STC-NS", promulgation_date=date(2026, 3, 2),
        subject="Về việc phối hợp liên tỉnh", type_name="Công văn",
        attachments=(edxml.Attachment(content_id="1", name=name,
                                      content_type="application/pdf", data=data),)))


def _post(body: bytes):
    return Client().post(URL, data=body, content_type="application/xml", headers={
        "X-Vanban-Installation": PEER, "X-Vanban-Signature": identity.sign(body)})


def _events(action: str) -> list[dict[str, Any]]:
    return [json.loads(e.data) for e in AuditEvent.objects.filter(action=action).order_by("seq")]


def _nothing_stored(data: bytes) -> None:
    assert not Transmission.objects.exists()
    assert not Delivery.objects.exists()
    assert not InboxMessage.objects.exists()
    assert not Blob.objects.filter(sha256=hashlib.sha256(data).hexdigest()).exists()


@pytest.mark.parametrize(("data", "name", "reason", "kind"), [
    (WINDOWS_PROGRAM, "cong-van.exe", "not_pdf", "exe"),
    (HTML_PAGE, "cong-van.html", "not_pdf", "html"),
    (None, "cong-van.pdf", "javascript", "pdf"),
])
def test_peer_cannot_deliver_programs_pages_or_scripted_pdfs(parties, data, name, reason, kind):
    """R16.1, R3.1: the same PDF intake rules as an upload; refused, audited, nothing stored.
    (Before: federation stored the first attachment with no check, and the recipient could
    open it.)"""
    data = scripted_pdf() if data is None else data
    response = _post(_edoc(parties, data, name))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "pdf_rejected"
    assert body["reason"] == reason
    assert body["detail_vi"]
    assert body["detail_en"]
    _nothing_stored(data)
    [event] = _events("security.intake_refused")
    assert event["door"] == "federation"
    assert event["peer"] == PEER
    assert event["reason"] == reason
    assert event["kind"] == kind
    assert event["sha256"] == hashlib.sha256(data).hexdigest()


def test_peer_cannot_deliver_malware(parties, scanner_on):
    """R16.1: EICAR inside an otherwise valid PDF is found by clamd; refused with a bilingual
    reason, audited with door, SHA-256 and signature; nothing stored."""
    data = infected_pdf()
    response = _post(_edoc(parties, data))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "malware_found"
    assert FOUND_AS in body["detail_vi"]
    assert FOUND_AS in body["detail_en"]
    _nothing_stored(data)
    [event] = _events("security.malware_found")
    assert event == {**event, "door": "federation", "peer": PEER, "signature": FOUND_AS,
                     "sha256": hashlib.sha256(data).hexdigest()}


def test_scanner_down_is_503_then_the_retry_is_accepted(parties, scanner_down, clamd_server):
    """R16.1: never accepted unscanned. With clamd down the peer gets 503 with Retry-After (its
    outbox keeps the file and retries); the same message once clamd answers is delivered."""
    data = clean_pdf("Lien tinh")
    body = _edoc(parties, data)
    response = _post(body)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "scanner_unavailable"
    _nothing_stored(data)
    assert not Quarantine.objects.exists()  # the file waits in the sender's outbox
    assert _events("security.scan_unavailable")[0]["peer"] == PEER
    from django.test import override_settings

    with override_settings(VANBAN_CLAMD_SOCKET=clamd_server.socket):
        again = _post(body)
    assert again.status_code == 200, again.content
    transmission = Transmission.objects.get()
    assert transmission.file_sha256 == hashlib.sha256(data).hexdigest()
    assert Delivery.objects.filter(recipient=parties[0]).exists()


def test_clean_pdf_is_delivered_with_the_scanner_on(parties, scanner_on):
    """R16.1: a clean PDF passes the same intake and lands in the recipient's inbox."""
    data = clean_pdf("Van ban sach")
    response = _post(_edoc(parties, data))
    assert response.status_code == 200, response.content
    assert Transmission.objects.get().file_sha256 == hashlib.sha256(data).hexdigest()
    assert not _events("security.malware_found")


def test_a_pdf_and_a_word_file_are_both_kept(parties, scanner_on):
    """R4.1, R16.1 (issue 10 observed 2): a peer's letter with a .doc before its PDF keeps
    both, each scanned, each with the type its bytes show; the PDF is the main document."""
    from vanban.exchange.models import Attachment

    local, remote = parties
    pdf = clean_pdf("Hai tep")
    doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    body = edxml.build_edoc(edxml.EdocMessage(
        message_id=str(uuid.uuid4()),
        sender=edxml.Organisation(organ_id=remote.code, name=remote.name),
        recipients=(edxml.Organisation(organ_id=local.code),), code_number="12",
        code_notation="STC-NS", promulgation_date=date(2026, 3, 2),
        subject="Về việc phối hợp liên tỉnh", type_name="Công văn",
        attachments=(edxml.Attachment(content_id="1", name="du-thao.doc",
                                      content_type="application/msword", data=doc),
                     edxml.Attachment(content_id="2", name="cong-van.pdf",
                                      content_type="application/pdf", data=pdf))))
    response = _post(body)
    assert response.status_code == 200, response.content
    transmission = Transmission.objects.get()
    assert transmission.file_sha256 == hashlib.sha256(pdf).hexdigest()
    rows = list(Attachment.objects.filter(transmission=transmission).order_by("position"))
    assert [(a.name, a.content_type, a.main) for a in rows] == [
        ("du-thao.doc", "application/msword", False), ("cong-van.pdf", "application/pdf", True)]
    assert Blob.objects.filter(sha256=hashlib.sha256(doc).hexdigest()).exists()
    assert Blob.objects.filter(sha256=transmission.raw_sha256).exists()


def test_malware_in_a_word_file_refuses_the_message(parties, scanner_on):
    """R16.1: a file that is not a PDF is scanned too; malware in it refuses the whole
    message, audited with the peer, and nothing of the message is stored."""
    from vanban.security.tests.clamd_server import eicar

    local, remote = parties
    pdf = clean_pdf("Kem tep nhiem")
    doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + eicar()
    body = edxml.build_edoc(edxml.EdocMessage(
        message_id=str(uuid.uuid4()),
        sender=edxml.Organisation(organ_id=remote.code, name=remote.name),
        recipients=(edxml.Organisation(organ_id=local.code),), code_number="13",
        code_notation="STC-NS", promulgation_date=date(2026, 3, 2), subject="Tệp nhiễm",
        attachments=(edxml.Attachment(content_id="1", name="cong-van.pdf",
                                      content_type="application/pdf", data=pdf),
                     edxml.Attachment(content_id="2", name="phu-luc.doc",
                                      content_type="application/msword", data=doc))))
    response = _post(body)
    assert response.status_code == 400
    assert response.json()["code"] == "malware_found"
    _nothing_stored(doc)
    [event] = _events("security.malware_found")
    assert event == {**event, "door": "federation", "peer": PEER, "name": "phu-luc.doc",
                     "sha256": hashlib.sha256(doc).hexdigest()}
