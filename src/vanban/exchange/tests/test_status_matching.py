"""A status whose DocumentId the receiver rebuilt still finds our document (issue 10, observed
7): matched on the issuing agency, number, notation and date when the id does not match, never
on a document of another issuer or day (R7.1)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client

from vanban.core import clock
from vanban.directory.models import Agency
from vanban.exchange import identity
from vanban.exchange.core import edxml
from vanban.exchange.core.states import State
from vanban.exchange.core.status import StatusCode, StatusMessage, build_status
from vanban.exchange.models import Peer
from vanban.exchange.services.matching import key_from_document_id, keys_of, parse_date

pytestmark = pytest.mark.django_db
URL = "/exchange/federation/messages/"
PEER = "caobang"


@pytest.fixture
def peer(finance: Agency) -> Peer:
    """A peer that signs with this installation's own key; it serves Sở Tài chính."""
    now = clock.now()
    finance.installation = PEER
    finance.save(update_fields=["installation"])
    return Peer.objects.create(installation_id=PEER, base_url="http://127.0.0.1:9",
                               public_key_pem=identity.public_key_pem(), created_at=now,
                               updated_at=now)


def _post(body: bytes) -> Any:
    return Client().post(URL, data=body, content_type="application/xml", headers={
        "X-Vanban-Installation": PEER, "X-Vanban-Signature": identity.sign(body)})


def _status(finance: Agency, response_for: edxml.ResponseFor, code: str = "03") -> bytes:
    return build_status(StatusMessage(
        message_id=str(uuid.uuid4()), response_for=response_for,
        sender=edxml.Organisation(organ_id=finance.code), status_code=StatusCode(code),
        timestamp=clock.now().replace(microsecond=0)))


def test_a_rebuilt_document_id_is_matched_on_issuer_number_and_date(
        peer: Peer, clerk: Any, sender: Agency, finance: Agency) -> None:
    """Issue 10 observed 7: the receiver wrote the date day-first, padded the number and
    lower-cased the notation; the status still updates our delivery."""
    from vanban.exchange import services
    from vanban.exchange.tests.conftest import ready_document

    document = ready_document(clerk, sender, [finance])
    transmission = services.transmission_send(actor=clerk, document=document)
    delivery = transmission.deliveries.get()
    issued = transmission.issued_date
    assert issued is not None
    rebuilt = (f"{sender.code},{issued:%d/%m/%Y},"
               f"{int(transmission.code_number):03d}/{transmission.code_notation.lower()}")
    assert rebuilt != transmission.edxml_document_id
    # Another day's document with the same number is not it.
    wrong_day = rebuilt.replace(f"{issued:%d/%m/%Y}", "01/01/2001")
    assert _post(_status(finance, edxml.ResponseFor(organ_id=sender.code,
                                                    document_id=wrong_day))).status_code == 409
    response = _post(_status(finance, edxml.ResponseFor(organ_id=sender.code,
                                                        document_id=rebuilt)))
    assert response.status_code == 200, response.content
    delivery.refresh_from_db()
    assert delivery.state == State.ACCEPTED


def test_response_for_fields_match_when_the_id_is_empty(
        peer: Peer, clerk: Any, sender: Agency, finance: Agency) -> None:
    """Issue 10 observed 7: a status with no usable DocumentId but ResponseFor's organ, code
    and date finds the document."""
    from vanban.exchange import services
    from vanban.exchange.tests.conftest import ready_document

    document = ready_document(clerk, sender, [finance])
    transmission = services.transmission_send(actor=clerk, document=document)
    response_for = edxml.ResponseFor(
        organ_id=sender.code, code=f"{transmission.code_number}/{transmission.code_notation}",
        promulgation_date=transmission.issued_date, document_id="rebuilt-by-the-receiver")
    assert _post(_status(finance, response_for, "02")).status_code == 200
    assert transmission.deliveries.get().state == State.REJECTED


def test_document_ids_are_read_leniently() -> None:
    """The forms receivers write are read; what is not a DocumentId gives no key."""
    key = key_from_document_id("000.00.02.H06, 20/11/2026 , 015 / SNV-VP")
    assert key is not None
    assert (key.organ_id, key.issued, key.number, key.notation) == (
        "000.00.02.H06", date(2026, 11, 20), "015", "SNV-VP")
    assert parse_date("2026-11-20T08:00:00+07:00") == date(2026, 11, 20)
    assert key_from_document_id("garbage") is None
    assert key_from_document_id("A,not a date,1/X") is None
    both = keys_of(edxml.ResponseFor(organ_id="A", code="1/X", promulgation_date=date(2026, 1, 2),
                                     document_id="A,2026/01/02,01/x"))
    assert len(both) == 2
