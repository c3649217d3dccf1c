"""Reading the evidence log: deliveries grouped from the records, the log's status (R7.2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vanban.core.roles import Actor
from vanban.evidence.hubkey import hub_key
from vanban.evidence.models import EvidenceRecord, TreeHead
from vanban.evidence.services import may_operate


@dataclass
class DeliveryEvidence:
    """One delivery as its records tell it: parties, transmission, events in order."""

    delivery_id: str
    transmission_id: str
    sender: str
    recipient: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (``vanban evidence list --json``, the API)."""
        return {"delivery_id": self.delivery_id, "transmission_id": self.transmission_id,
                "sender": self.sender, "recipient": self.recipient,
                "records": len(self.events), "events": self.events}


def deliveries(*, agency_code: str | None = None, delivery_id: str | None = None,
               limit: int | None = None) -> list[DeliveryEvidence]:
    """Deliveries found in the log, newest first; ``agency_code`` keeps those it is party to."""
    rows = EvidenceRecord.objects.order_by("index")
    if agency_code is not None:
        rows = rows.filter(sender=agency_code) | rows.filter(recipient=agency_code)
    if delivery_id is not None:
        rows = rows.filter(delivery_id=delivery_id)
    found: dict[str, DeliveryEvidence] = {}
    for index, event, at, sender, recipient, tid, did in rows.values_list(
            "index", "event", "at", "sender", "recipient", "transmission_id", "delivery_id"):
        item = found.setdefault(did, DeliveryEvidence(did, tid, sender, recipient))
        item.events.append({"index": index, "event": event, "at": _iso(at)})
    result = sorted(found.values(), key=lambda d: d.events[-1]["index"], reverse=True)
    return result[:limit] if limit is not None else result


def _iso(at: datetime) -> str:
    return at.isoformat()


@dataclass(frozen=True)
class LogStatus:
    """What the status page shows."""

    records: int
    latest_head: TreeHead | None
    hub_fingerprint: str
    certificate_pem: str


def log_status() -> LogStatus:
    """Record count, latest signed head, the hub certificate."""
    hub = hub_key()
    return LogStatus(records=EvidenceRecord.objects.count(),
                     latest_head=TreeHead.objects.order_by("-size").first(),
                     hub_fingerprint=hub.fingerprint, certificate_pem=hub.certificate_pem)


def can_operate(actor: Actor | None) -> bool:
    """Province administrator and IT officers (and the console)."""
    return may_operate(actor)
