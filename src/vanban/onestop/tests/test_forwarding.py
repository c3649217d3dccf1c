"""R11.1(a): a desk forwards a dossier to another agency's desk as a registry draft addressed to
it with the dossier's papers; the clerk numbers and sends it through the hub; the other desk
receives it as a dossier of channel *agency* and accepts it like any intake. Bad requests are
refused and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.clock import VN_TZ
from vanban.core.errors import Conflict, NotFound, ValidationFailed
from vanban.core.roles import Role
from vanban.directory.models import Agency, AgencyKind
from vanban.exchange.models import Delivery
from vanban.exchange.services import transmission_send
from vanban.exchange.services.outbox import deliver_internal_batch
from vanban.onestop import selectors, services
from vanban.onestop.models import Classification, Dossier
from vanban.onestop.services.forwarding import MARK, dossier_send_to_agency
from vanban.onestop.tests.factories import make_pdf, make_procedure
from vanban.registry import services as registry
from vanban.registry.models import Document
from vanban.signatures.models import Verification

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 14, 9, tzinfo=VN_TZ)


class Pair:
    """A commune desk that received a dossier of the district's procedure, and the district."""

    def __init__(self, make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> None:
        province = make_agency("000.00.00.H06", name="UBND tỉnh", kind=AgencyKind.PROVINCE)
        self.commune = make_agency("000.41.27.H06", name="UBND xã Đồng Tâm", parent=province)
        self.district = make_agency("000.00.41.H06", name="UBND huyện Yên Thế",
                                    parent=province, kind=AgencyKind.DISTRICT)
        self.officer = make_user(self.commune, roles=[Role.ONESTOP])
        self.district_officer = make_user(self.district, roles=[Role.ONESTOP])
        self.district_procedure = make_procedure(self.district, code="2.002345")
        self.clerk = make_user(self.commune, roles=[Role.CLERK])
        self.procedure = make_procedure(self.commune)
        mandatory = self.procedure.required_documents.get(mandatory=True)
        with clock.frozen(T0):
            self.dossier = services.dossier_receive(
                actor=self.officer, desk=self.commune, procedure=self.procedure,
                applicant=services.Applicant(name="Ngô Văn Hải"),
                papers=[services.Paper(parts=[make_pdf("don")], filename="don.pdf",
                                       required_document_id=mandatory.pk),
                        services.Paper(parts=[make_pdf("ban ve")], filename="ban-ve.pdf")])


@pytest.fixture
def pair(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> Pair:
    return Pair(make_agency, make_user)


def forward(pair: Pair) -> Delivery:
    """The commune forwards its dossier; its clerk numbers and sends the draft; the hub
    delivers it to the district (R11.1a)."""
    with clock.frozen(T0):
        document = dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier,
                                          target_agency=pair.district)
    assert document.state == "draft"
    assert document.agency == pair.commune
    assert [r.agency for r in document.recipients.all()] == [pair.district]
    assert document.description.startswith(MARK + "; ")
    assert f"Thủ tục: {pair.procedure.code}" in document.description
    assert document.files.exists()
    assert AuditEvent.objects.filter(action="onestop.send_to_agency",
                                     object_id=str(pair.dossier.pk)).count() == 1
    with clock.frozen(T0):
        document = registry.document_register(actor=pair.clerk, document=document)
        document = registry.document_mark_ready(actor=pair.clerk, document=document)
        transmission_send(actor=pair.clerk, document=document)
        deliver_internal_batch()
    delivery = Delivery.objects.get(transmission__document=document)
    assert delivery.recipient == pair.district
    assert delivery.transmission.sender == pair.commune
    return delivery


def test_forwarded_dossier_reaches_the_other_agency_through_the_hub(pair: Pair) -> None:
    """R11.1(a): the draft names the district, carries both papers and the dossier's facts; once
    the clerk registers, readies and sends it, the district's inbox has the delivery."""
    forward(pair)


def test_receiving_desk_takes_the_forwarded_dossier_into_intake(pair: Pair) -> None:
    """R11.1(a), R11.2: the district's officer sees the forwarded dossier, receives it as a
    dossier of channel *agency* with the hub's origin and verification on its first event,
    then accepts it like any intake; the same delivery is never received twice."""
    delivery = forward(pair)
    assert selectors.forwarded_waiting(pair.district_officer) == [delivery]
    assert selectors.forwarded_waiting(pair.officer) == []
    mandatory = pair.district_procedure.required_documents.get(mandatory=True)
    with clock.frozen(T0):
        dossier = services.dossier_receive_from_agency(
            actor=pair.district_officer, delivery_uid=str(delivery.uid),
            procedure=pair.district_procedure,
            applicant=services.Applicant(name="Ngô Văn Hải"),
            required_document_ids=[mandatory.pk])
    assert dossier.channel == "agency"
    assert dossier.desk == pair.district
    assert dossier.state == "submitted"
    assert dossier.files.count() == 1
    origin = dossier.events.get(action="receive").data["origin"]
    assert origin["sender"] == pair.commune.code
    assert origin["delivery"] == str(delivery.uid)
    assert origin["verdict"] in {"valid", "invalid"}
    assert Verification.objects.filter(pk=origin["verification"]).exists()
    assert selectors.forwarded_waiting(pair.district_officer) == []
    with clock.frozen(T0):
        accepted = services.dossier_accept(actor=pair.district_officer, dossier=dossier)
    assert accepted.dossier.state == "accepted"
    with pytest.raises(Conflict) as twice:
        services.dossier_receive_from_agency(
            actor=pair.district_officer, delivery_uid=str(delivery.uid),
            procedure=pair.district_procedure, applicant=services.Applicant(name="X"))
    assert twice.value.code == "already_received"
    with pytest.raises(NotFound):  # another desk cannot take the district's delivery
        services.dossier_receive_from_agency(
            actor=pair.officer, delivery_uid=str(delivery.uid),
            procedure=pair.procedure, applicant=services.Applicant(name="X"))
    assert Dossier.objects.filter(channel="agency").count() == 1


def test_bad_forwarding_is_refused_and_writes_nothing(pair: Pair,
                                                      make_user: Callable[..., Any]) -> None:
    """Own desk, a classified dossier, or someone not the desk's officer: refused, no draft."""
    with pytest.raises(ValidationFailed) as own:
        dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier,
                               target_agency=pair.commune)
    assert own.value.code == "bad_target"
    with pytest.raises(NotFound):  # R1.1: not the desk's officer: "not found"
        dossier_send_to_agency(actor=pair.clerk, dossier=pair.dossier,
                               target_agency=pair.district)
    Dossier.objects.filter(pk=pair.dossier.pk).update(classification=Classification.SECRET)
    pair.dossier.refresh_from_db()
    with pytest.raises(ValidationFailed) as secret:
        dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier,
                               target_agency=pair.district)
    assert secret.value.code == "classified"
    assert not Document.objects.exists()
    assert AuditEvent.objects.filter(action="onestop.send_to_agency.denied").count() == 3
