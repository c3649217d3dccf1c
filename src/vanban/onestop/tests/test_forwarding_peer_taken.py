"""R11.1(a), R11.2: a dossier sent to a peer's desk ends here as *transferred* once the peer's
status 03 for that delivery is applied: the desk's periodic pass ends it (one event, however
often the pass runs)."""

from __future__ import annotations

from typing import Any

import pytest

from vanban.core import clock
from vanban.exchange.core.states import Code
from vanban.exchange.models import OutboxMessage
from vanban.exchange.services import transmission_send
from vanban.exchange.services.statuses import stamp
from vanban.onestop import services
from vanban.onestop.models import DossierEvent
from vanban.onestop.services.forwarding import dossier_send_to_agency, forwarding_open
from vanban.onestop.services.sweep import dossiers_sweep
from vanban.onestop.tests.factories import make_pdf
from vanban.onestop.tests.test_forwarding_federation import PEER, desks
from vanban.registry import services as registry

pytestmark = pytest.mark.django_db
__all__ = ["desks"]


def test_peer_status_03_ends_the_dossier_as_transferred(desks: dict[str, Any]) -> None:
    """R11.1(a), R11.2: until the peer's 03 the dossier waits (the sending open); with 03
    applied the sweep ends it as *transferred*, once."""
    local, remote, officer = desks["local"], desks["remote"], desks["officer"]
    procedure = desks["procedure"]
    mandatory = procedure.required_documents.get(mandatory=True)
    dossier = services.dossier_receive(
        actor=officer, desk=local, procedure=procedure,
        applicant=services.Applicant(name="Hoàng Thị Lan"),
        papers=[services.Paper(parts=[make_pdf("don")], filename="don.pdf",
                               required_document_id=mandatory.pk)])
    document = dossier_send_to_agency(actor=officer, dossier=dossier, target_agency=remote)
    document = registry.document_register(actor=desks["clerk"], document=document)
    document = registry.document_mark_ready(actor=desks["clerk"], document=document)
    transmission_send(actor=desks["clerk"], document=document)
    delivery = OutboxMessage.objects.get(peer__installation_id=PEER).delivery
    assert delivery is not None
    dossiers_sweep()
    dossier.refresh_from_db()
    assert dossier.state == "submitted"
    delivery.state = "03"
    delivery.save(update_fields=stamp(delivery, Code.ACCEPTED, clock.now(), ""))
    assert forwarding_open(dossier)
    dossiers_sweep()
    dossiers_sweep()
    dossier.refresh_from_db()
    assert dossier.state == "transferred"
    events = DossierEvent.objects.filter(dossier=dossier, action="taken_by_agency")
    assert events.count() == 1
    assert events.get().data["delivery"] == str(delivery.uid)
