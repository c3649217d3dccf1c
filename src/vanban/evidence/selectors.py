"""Reading the evidence log: deliveries grouped from the records, the log's status (R7.2)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet

from vanban.core.roles import Actor
from vanban.evidence.hubkey import hub_key
from vanban.evidence.models import EvidenceRecord, TreeHead
from vanban.evidence.services import may_operate

EVENTS_CHUNK = 500  # delivery ids per query for the events (far below SQLite's variable cap)


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


def _party(agency_code: str | None) -> QuerySet[EvidenceRecord]:
    """The records ``agency_code`` is party to (sender or recipient); None: every record."""
    rows = EvidenceRecord.objects.all()
    if agency_code is not None:
        rows = rows.filter(Q(sender=agency_code) | Q(recipient=agency_code))
    return rows


def delivery_starts(*, agency_code: str | None) -> QuerySet[EvidenceRecord]:
    """One row per delivery: its first record among those the agency is party to.

    The API pages this by the record's unique ``index`` (newest delivery first), so a page is
    a range of the log, never a grouping of the agency's whole history (issue 15); the
    "no earlier record of the same delivery" test reads the ``(delivery_id, index)`` index.
    """
    return _first_of_delivery(_party(agency_code), agency_code=agency_code)


def _first_of_delivery(rows: QuerySet[EvidenceRecord], *,
                       agency_code: str | None) -> QuerySet[EvidenceRecord]:
    """``rows`` that have no earlier record of their delivery among the agency's."""
    earlier = _party(agency_code).filter(delivery_id=OuterRef("delivery_id"),
                                         index__lt=OuterRef("index"))
    return rows.filter(~Exists(earlier)).only(
        "index", "sender", "recipient", "transmission_id", "delivery_id", "at")


class PartyStarts:
    """:func:`delivery_starts` of one agency read as two keyset-ordered branches, the records it
    sent and those it received, each an index range scan of ``(sender, index)`` or
    ``(recipient, index)`` with its own ``LIMIT``, merged by ``UNION`` (issue 15, R14.3).

    One ``sender = X OR recipient = X`` query ordered by ``index`` lets PostgreSQL walk the
    whole log's ``index`` backwards when the agency is small (a commune's 12 records among a
    province's million: 1 s a page, measured by ``bench.evidence_lists``). The rows are the
    same: every filter and the ordering apply to both branches (a filter distributes over the
    union), and ``UNION`` keeps a record the agency both sent and received once. It offers what
    the keyset paging and :func:`deliveries` use: ``filter``, ``order_by``, slicing, iteration.
    """

    model = EvidenceRecord

    def __init__(self, sent: QuerySet[EvidenceRecord], received: QuerySet[EvidenceRecord],
                 ordering: tuple[str, ...] = ("-index",)) -> None:
        self.sent, self.received, self.ordering = sent, received, ordering

    def filter(self, *args: Any, **kwargs: Any) -> Self:
        """Both branches narrowed alike."""
        return type(self)(self.sent.filter(*args, **kwargs),
                          self.received.filter(*args, **kwargs), self.ordering)

    def with_other_party(self, other: str) -> Self:
        """Keep the deliveries whose other party is ``other``: the records sent to it and
        those received from it (each branch's side of ``sender = X AND recipient = other OR
        sender = other AND recipient = X``, without the ``OR`` that hides the index)."""
        return type(self)(self.sent.filter(recipient=other), self.received.filter(sender=other),
                          self.ordering)

    def order_by(self, *fields: str) -> Self:
        """Both branches and their merge in this order (a unique key: the paging's)."""
        return type(self)(self.sent, self.received, tuple(fields))

    def merged(self, stop: int | None) -> QuerySet[EvidenceRecord]:
        """The union of the branches in order, each branch read only up to ``stop`` rows
        (PostgreSQL; SQLite, for development and tests, merges the whole branches)."""
        sent, received = self.sent.order_by(), self.received.order_by()
        if stop is not None and connections[sent.db].features.supports_slicing_ordering_in_compound:
            sent = sent.order_by(*self.ordering)[:stop]
            received = received.order_by(*self.ordering)[:stop]
        return sent.union(received).order_by(*self.ordering)

    def __getitem__(self, bounds: slice) -> list[EvidenceRecord]:
        """The rows ``bounds`` (a slice) of the merged list."""
        if not isinstance(bounds, slice) or bounds.step is not None:
            raise TypeError("PartyStarts takes a plain slice")
        return list(self.merged(bounds.stop)[bounds.start or 0:bounds.stop])

    def __iter__(self) -> Iterator[EvidenceRecord]:
        return iter(self[:])


def party_starts(*, agency_code: str) -> PartyStarts:
    """:func:`delivery_starts` of ``agency_code``, as :class:`PartyStarts` pages it."""
    records = EvidenceRecord.objects.all()
    # Each branch names its own side only (no "OR"), so the planner sees the plain
    # ``sender = X`` range of its index and its true size.
    return PartyStarts(
        _first_of_delivery(records.filter(sender=agency_code), agency_code=agency_code),
        _first_of_delivery(records.filter(recipient=agency_code), agency_code=agency_code))


def with_events(starts: Iterable[EvidenceRecord], *,
                agency_code: str | None) -> list[DeliveryEvidence]:
    """The deliveries whose first records are ``starts`` (in that order), each with its
    events in log order, read in one query."""
    found = {s.delivery_id: DeliveryEvidence(s.delivery_id, s.transmission_id, s.sender,
                                             s.recipient) for s in starts}
    ids = list(found)
    for first in range(0, len(ids), EVENTS_CHUNK):  # the CLI lists every delivery
        rows = _party(agency_code).filter(delivery_id__in=ids[first:first + EVENTS_CHUNK])
        for index, event, at, did in rows.order_by("index").values_list(
                "index", "event", "at", "delivery_id"):
            found[did].events.append({"index": index, "event": event, "at": _iso(at)})
    return list(found.values())


def deliveries(*, agency_code: str | None = None, delivery_id: str | None = None,
               limit: int | None = None) -> list[DeliveryEvidence]:
    """Deliveries found in the log, the latest begun first; ``agency_code`` keeps those it is
    party to (the status page reads 20, the CLI all)."""
    starts: QuerySet[EvidenceRecord] | PartyStarts
    if agency_code is None:
        starts = delivery_starts(agency_code=None).order_by("-index")
    else:
        starts = party_starts(agency_code=agency_code)
    if delivery_id is not None:
        starts = starts.filter(delivery_id=delivery_id)
    return with_events(starts[:limit] if limit is not None else starts,
                       agency_code=agency_code)


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
