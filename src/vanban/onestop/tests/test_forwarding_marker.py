"""R11.1(a): inside this installation a delivery carries a forwarded dossier only when the
sending desk recorded the sending (its DossierForwarding row for the document and recipient):
a clerk's own "Phiếu chuyển" is not one, and a sending made before the type existed (its
document a "công văn") still is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import Conflict, NotFound
from vanban.directory.models import Agency
from vanban.exchange.models import Delivery
from vanban.exchange.services import transmission_send
from vanban.exchange.services.outbox import deliver_internal_batch
from vanban.onestop import selectors
from vanban.onestop.services.forwarding import dossier_send_to_agency
from vanban.onestop.services.from_agency import forwarded_waiting_get, is_forwarded
from vanban.onestop.tests.factories import make_pdf
from vanban.onestop.tests.test_forwarding import T0, Pair
from vanban.registry import services as registry
from vanban.registry.models import Document
from vanban.registry.services import RecipientInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> Pair:
    return Pair(make_agency, make_user)


def _send(pair: Pair, document: Document) -> Delivery:
    with clock.frozen(T0):
        document = registry.document_register(actor=pair.clerk, document=document)
        document = registry.document_mark_ready(actor=pair.clerk, document=document)
        transmission_send(actor=pair.clerk, document=document)
        deliver_internal_batch()
    return Delivery.objects.get(transmission__document=document)


def test_clerk_phieu_chuyen_is_not_a_forwarded_dossier(pair: Pair) -> None:
    """R11.1(a): a "Phiếu chuyển" the clerk wrote (no sending recorded by a desk) stays the
    clerk's: not in the desk's list, not openable there."""
    with clock.frozen(T0):
        document = registry.document_create(
            actor=pair.clerk, agency=pair.commune, type_code="phieu_chuyen",
            subject="Phiếu chuyển đơn thư", recipients=[RecipientInput(agency=pair.district)])
        registry.document_upload(actor=pair.clerk, document=document,
                                 main=[make_pdf("phieu chuyen")])
    delivery = _send(pair, document)
    assert not is_forwarded(delivery)
    assert selectors.forwarded_waiting(pair.district_officer) == []
    with pytest.raises(NotFound):
        forwarded_waiting_get(pair.district_officer, str(delivery.uid))


def test_sending_typed_cong_van_before_the_upgrade_is_still_forwarded(pair: Pair) -> None:
    """R11.1(a): a sending prepared before the forwarding type existed (its document a
    "công văn") reaches the other desk as a forwarded dossier: its row says so."""
    with clock.frozen(T0):
        document = dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier,
                                          target_agency=pair.district)
    Document.objects.filter(pk=document.pk).update(type_code="cong_van")
    document.refresh_from_db()
    delivery = _send(pair, document)
    assert delivery.transmission.type_name != "Phiếu chuyển"
    assert is_forwarded(delivery)
    assert selectors.forwarded_waiting(pair.district_officer) == [delivery]


def test_clerk_cannot_readdress_the_forwarding_draft(pair: Pair, make_agency: Callable[..., Agency]
                                                     ) -> None:
    """R11.1(a): the clerk may edit the desk's forwarding draft but not its recipient nor its
    type (refused and audited); the same recipient is accepted."""
    other = make_agency("000.00.45.H06", name="UBND huyện khác")
    with clock.frozen(T0):
        document = dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier,
                                          target_agency=pair.district)
    for type_code, recipients in (("phieu_chuyen", [other]),
                                  ("phieu_chuyen", [pair.district, other]),
                                  ("cong_van", [pair.district])):
        with pytest.raises(Conflict) as moved:
            registry.document_update(
                actor=pair.clerk, document=document, type_code=type_code,
                subject=document.subject, description=document.description,
                recipients=[RecipientInput(agency=a) for a in recipients])
        assert moved.value.code == "forwarding_recipient"
    denied = AuditEvent.objects.filter(action="registry.document_update.denied")
    assert denied.count() == 3
    document.refresh_from_db()
    assert [r.agency for r in document.recipients.all()] == [pair.district]
    registry.document_update(actor=pair.clerk, document=document, type_code="phieu_chuyen",
                             subject="Chuyển hồ sơ (sửa trích yếu)",
                             description=document.description,
                             recipients=[RecipientInput(agency=pair.district)])
