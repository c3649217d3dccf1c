"""A peer speaks only for its own agencies (R14.3, R4.3): a federated document, revocation or
status whose sender agency is not served by the posting peer is refused (403, or 400 for an
agency the directory does not know) and audited; a request with an unknown installation or a
bad signature is audited too, with a bounded number of rows and never its body."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.directory.models import Agency
from vanban.exchange import identity
from vanban.exchange.core import edxml
from vanban.exchange.core.states import State
from vanban.exchange.core.status import StatusCode, StatusMessage, build_status
from vanban.exchange.core.trace import BusinessType
from vanban.exchange.models import Delivery, InboxMessage, Peer, Transmission
from vanban.exchange.tests.conftest import make_pdf, ready_document

pytestmark = pytest.mark.django_db
URL = "/exchange/federation/messages/"
PEER = "caobang"
OTHER_PEER = "langson"
DENIED = "exchange.federation_receive.denied"
REFUSED = "exchange.federation_refused"


def _add_peer(installation: str, *serves: Agency) -> Peer:
    """A peer signing with this test installation's own key, serving ``serves``."""
    now = clock.now()
    for agency in serves:
        agency.installation = installation
        agency.save(update_fields=["installation"])
    return Peer.objects.create(installation_id=installation, base_url="http://127.0.0.1:9",
                               public_key_pem=identity.public_key_pem(), created_at=now,
                               updated_at=now)


@pytest.fixture(autouse=True)
def _fresh_refusal_counters():
    """The refusal audit is bounded per time window through the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def peer(finance: Agency) -> Peer:
    """Cao Bằng: serves Sở Tài chính (in these tests) and nothing else."""
    return _add_peer(PEER, finance)


@pytest.fixture
def other_peer(health: Agency) -> Peer:
    """Lạng Sơn: serves Sở Y tế."""
    return _add_peer(OTHER_PEER, health)


def _post(body: bytes, *, installation: str = PEER, signature: str | None = None):
    return Client().post(URL, data=body, content_type="application/xml", headers={
        "X-Vanban-Installation": installation,
        "X-Vanban-Signature": identity.sign(body) if signature is None else signature})


def _edoc(sender_code: str, to_code: str, *, business: BusinessType = BusinessType.NEW,
          document_id: str = "", notation: str = "STC-NS") -> bytes:
    return edxml.build_edoc(edxml.EdocMessage(
        message_id=str(uuid.uuid4()),
        sender=edxml.Organisation(organ_id=sender_code, name="Cơ quan gửi"),
        recipients=(edxml.Organisation(organ_id=to_code),), code_number="12",
        code_notation=notation, promulgation_date=date(2026, 3, 2),
        subject="Về việc phối hợp liên tỉnh", type_name="Công văn",
        business=edxml.Business(type=business, document_id=document_id,
                                reason="Ban hành nhầm" if document_id else ""),
        attachments=(edxml.Attachment(content_id="1", name="cv.pdf",
                                      content_type="application/pdf", data=make_pdf()),)))


def _data(event: AuditEvent) -> dict[str, Any]:
    return dict(json.loads(event.data))


def _denials(claimed: str) -> list[AuditEvent]:
    return [e for e in AuditEvent.objects.filter(action=DENIED)
            if _data(e).get("claimed_sender") == claimed]


def _assert_refused(response, *, status: int, code: str, claimed: str, inbox: int = 0) -> None:
    """Refused as a bilingual problem naming the claimed sender, audited once, not recorded as
    received (``inbox``: the messages legitimately received before)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code
    assert claimed in problem["detail_vi"]
    assert claimed in problem["detail_en"]
    events = _denials(claimed)
    assert len(events) == 1
    assert events[0].actor_id is None
    assert _data(events[0])["peer"] == PEER
    assert _data(events[0])["reason"] == code
    assert InboxMessage.objects.count() == inbox


def test_peer_cannot_send_in_the_name_of_a_local_agency(peer, sender, health):
    """R14.3, R4.3: Cao Bằng posts a document 'from' Sở Y tế, an agency this installation
    serves itself: refused (403), nothing stored, the attempt audited with the claimed sender."""
    response = _post(_edoc(health.code, sender.code))
    _assert_refused(response, status=403, code="federation_sender_not_served", claimed=health.code)
    assert not Transmission.objects.exists()
    assert not Delivery.objects.exists()


def test_peer_cannot_send_in_the_name_of_another_peers_agency(peer, other_peer, sender, health):
    """R14.3, R4.3: Sở Y tế is served by Lạng Sơn; Cao Bằng may not speak for it."""
    response = _post(_edoc(health.code, sender.code))
    _assert_refused(response, status=403, code="federation_sender_not_served", claimed=health.code)
    assert not Transmission.objects.exists()


def test_peer_cannot_send_in_the_name_of_an_unknown_agency(peer, sender):
    """R14.3, R4.3: an agency missing from the directory is refused as before (400), and now
    audited too."""
    claimed = "000.00.99.H99"
    response = _post(_edoc(claimed, sender.code))
    _assert_refused(response, status=400, code="unknown_agency", claimed=claimed)
    assert not Transmission.objects.exists()


def test_peer_still_sends_for_its_own_agency(peer, finance, sender):
    """R14.3: the agency the peer serves is believed, and no denial is written."""
    response = _post(_edoc(finance.code, sender.code))
    assert response.status_code == 200, response.content
    assert Delivery.objects.get().transmission.sender == finance
    assert not AuditEvent.objects.filter(action=DENIED).exists()


def test_peer_cannot_revoke_in_the_name_of_an_agency_it_does_not_serve(peer, other_peer,
                                                                       finance, sender, health):
    """R14.3: a revocation is the sender's act: Cao Bằng's own document cannot be withdrawn by
    a message that claims to come from Lạng Sơn's Sở Y tế."""
    assert _post(_edoc(finance.code, sender.code)).status_code == 200
    transmission = Transmission.objects.get()
    revoke = _edoc(health.code, sender.code, business=BusinessType.REVOKE,
                   document_id=transmission.edxml_document_id)
    _assert_refused(_post(revoke), status=403, code="federation_sender_not_served",
                    claimed=health.code, inbox=1)
    transmission.refresh_from_db()
    assert transmission.frozen_at is None
    assert Delivery.objects.get().state == State.ARRIVED


def _status(sender_code: str, about: str, document_id: str, code: str) -> bytes:
    return build_status(StatusMessage(
        message_id=str(uuid.uuid4()),
        response_for=edxml.ResponseFor(organ_id=about, document_id=document_id),
        sender=edxml.Organisation(organ_id=sender_code), status_code=StatusCode(code),
        timestamp=clock.now().replace(microsecond=0)))


@pytest.mark.usefixtures("peer", "other_peer")
def test_status_in_the_name_of_an_agency_the_peer_does_not_serve(clerk, sender, finance, health):
    """R14.3, R4.3: a 03 'from' Sở Y tế (served by Lạng Sơn) posted by Cao Bằng is refused and
    audited; Sở Y tế's delivery is unchanged. A status in the name of a local agency likewise."""
    from vanban.exchange import services

    document = ready_document(clerk, sender, [finance, health])
    transmission = services.transmission_send(actor=clerk, document=document)
    status = _status(health.code, sender.code, transmission.edxml_document_id, "03")
    _assert_refused(_post(status), status=403, code="federation_sender_not_served",
                    claimed=health.code)
    assert Delivery.objects.get(recipient=health).state == State.SENT
    local = _status(sender.code, sender.code, transmission.edxml_document_id, "03")
    response = _post(local)
    assert response.status_code == 403
    assert len(_denials(sender.code)) == 1
    assert _post(_status(finance.code, sender.code, transmission.edxml_document_id,
                         "03")).status_code == 200
    assert Delivery.objects.get(recipient=finance).state == State.ACCEPTED


def _refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=REFUSED).order_by("seq"))


def test_unknown_peer_and_bad_signature_are_audited_without_the_body(peer, finance, sender):
    """R14.3: every refused signature leaves an audit event naming the claimed installation and
    the reason, but not the body (only its size and hash)."""
    body = _edoc(finance.code, sender.code)
    assert _post(body, installation="nobody").status_code == 401
    assert _post(body, signature="AAAA").status_code == 401
    assert _post(body, signature="").status_code == 401
    events = _refusals()
    assert [(_data(e)["installation"], _data(e)["reason"]) for e in events] == [
        ("nobody", "unknown_peer"), (PEER, "bad_signature"), (PEER, "no_signature")]
    for event in events:
        assert event.actor_id is None
        assert _data(event)["size"] == len(body)
        assert len(_data(event)["body_sha256"]) == 64
        assert "Về việc" not in event.data
    assert not Transmission.objects.exists()


def test_refusal_audit_is_bounded(peer, finance, sender):
    """R14.3: a flood of forged posts writes a bounded number of rows: the 1st, 2nd, 4th, 8th…
    refusal of a kind in a window, each with the count so far (a stranger varying the claimed
    installation still counts as one kind)."""
    body = _edoc(finance.code, sender.code)
    for n in range(40):
        assert _post(body, installation=f"forger-{n}").status_code == 401
    events = _refusals()
    assert [_data(e)["count"] for e in events] == [1, 2, 4, 8, 16, 32]
    assert _data(events[-1])["installation"] == "forger-31"


def test_deactivated_peer_is_refused_and_audited(peer, finance, sender):
    """R14.3: a peer switched off is not believed, even with its right key; audited as such."""
    peer.active = False
    peer.save(update_fields=["active"])
    assert _post(_edoc(finance.code, sender.code)).status_code == 401
    assert [(_data(e)["installation"], _data(e)["reason"]) for e in _refusals()] == [
        (PEER, "inactive_peer")]
    assert not Transmission.objects.exists()
