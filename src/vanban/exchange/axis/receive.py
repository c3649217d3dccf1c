"""Receiving from the national axis (``vanban axis poll``): list, fetch, file, acknowledge.

Each waiting message is fetched and read with the codec. Its sender must be an agency served by
this axis peer; an agency the directory does not know yet (the national list is large and not
always imported) is created as an external agency served by the axis, with the name the
message gives, and audited (``exchange.axis_agency_created``); an agency of this installation
or of another peer is impersonation, refused and audited. Documents go to the one arrival port
(channel ``axis``, origin the peer, key the axis id); revocations and statuses to the
federation's own code for them, recorded once per axis id. Then the axis is told ``done``, or
``fail`` with the reason (audited: ``exchange.axis_refused``). A message that cannot be filed
now (the scanner down, a status about a document not received yet, the axis unreachable) is
left unacknowledged: the axis lists it again at the next poll. A repeat (the same axis id, or
the same bytes under another id) is acknowledged and filed once.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import DomainError, ValidationFailed
from vanban.directory.codes import normalise_code
from vanban.directory.models import Agency, AgencyKind
from vanban.exchange.arrivals import arrival_accept, edoc_arrival
from vanban.exchange.axis.adapters import TRANSPORTS, axis_for, not_an_axis
from vanban.exchange.axis.port import AxisError, AxisPort, AxisUnavailable, ReceivedItem
from vanban.exchange.core import edxml
from vanban.exchange.core.status import StatusMessage
from vanban.exchange.core.trace import BusinessType
from vanban.exchange.models import Channel, InboxMessage, Peer, Transmission
from vanban.exchange.services.federation_trust import SenderNotServed

log = logging.getLogger(__name__)
OBJECT_PEER = "exchange.peer"
# Refusals that a later poll can turn into success: the item stays waiting on the axis.
TRANSIENT = frozenset({"scanner_unavailable", "unknown_document"})


@dataclass
class PollReport:
    """What one poll did."""

    listed: int = 0
    filed: int = 0
    applied: int = 0       # statuses and revocations
    duplicates: int = 0
    refused: int = 0
    waiting: int = 0       # left on the axis for the next poll
    errors: list[str] = field(default_factory=list)


def axis_poll(peer: Peer, *, limit: int = 500) -> PollReport:
    """Fetch and file what waits for us on the axis peer (at most ``limit`` messages)."""
    if peer.transport not in TRANSPORTS:
        raise not_an_axis(peer)
    report = PollReport()
    port = axis_for(peer)
    try:
        items = port.received_list()[:limit]
    except AxisError as err:
        report.errors.append(f"list: {err}")
        return report
    report.listed = len(items)
    for item in items:
        try:
            _one(peer, port, item, report)
        except AxisUnavailable as err:  # the axis went away mid-poll: the rest waits
            report.waiting += 1
            report.errors.append(f"{item.id}: {err}")
            break
        except AxisError as err:
            report.errors.append(f"{item.id}: {err}")
        except Exception as err:  # a fault of ours (storage, database): retried next poll
            log.exception("axis %s: message %s could not be filed", peer.installation_id,
                          item.id)
            report.waiting += 1
            report.errors.append(f"{item.id}: {type(err).__name__}: {err}"[:500])
    return report


def _one(peer: Peer, port: AxisPort, item: ReceivedItem, report: PollReport) -> None:
    data = port.get_edoc(item.id)
    try:
        outcome = receive_body(peer, item.id, data)
    except DomainError as err:
        if err.code in TRANSIENT or err.status >= 500:
            report.waiting += 1
            report.errors.append(f"{item.id}: {err.en}")
            return
        _refused(peer, item, data, err)
        port.update_status(item.id, "fail", f"{err.code}: {err.en}"[:500])
        report.refused += 1
        return
    port.update_status(item.id, "done")
    if outcome == "duplicate":
        report.duplicates += 1
    elif outcome == "filed":
        report.filed += 1
    else:
        report.applied += 1


def _refused(peer: Peer, item: ReceivedItem, data: bytes, err: DomainError) -> None:
    audit_append(actor=None, action="exchange.axis_refused", object_type=OBJECT_PEER,
                 object_id=peer.installation_id,
                 data={"axis_id": item.id[:100], "from": item.sender[:100], "code": err.code,
                       "reason": err.en[:500], "size": len(data),
                       "body_sha256": hashlib.sha256(data).hexdigest()})
    log.warning("axis %s: message %s refused: %s", peer.installation_id, item.id, err.en)


def receive_body(peer: Peer, axis_id: str, data: bytes) -> str:
    """File one message fetched from the axis; returns ``filed``, ``applied`` or
    ``duplicate``, or raises the refusal (a ``DomainError``)."""
    message = edxml.parse_message(data)
    if isinstance(message, StatusMessage) or message.business_type is BusinessType.REVOKE:
        return _apply_once(peer, axis_id, data, message)
    if _same_bytes_filed(peer, data):
        return "duplicate"
    sender = speaker(peer, message.sender)
    result = arrival_accept(edoc_arrival(
        message, channel=Channel.AXIS, origin=peer.installation_id, key=axis_id, sender=sender,
        raw=data, evidence={"peer": peer.installation_id, "axis_id": axis_id,
                            "message_id": message.message_id}))
    return "duplicate" if result.duplicate else "filed"


def _same_bytes_filed(peer: Peer, data: bytes) -> bool:
    """The same message delivered again under another axis id."""
    return Transmission.objects.filter(channel=Channel.AXIS, origin=peer.installation_id,
                                       raw_sha256=hashlib.sha256(data).hexdigest()).exists()


def _apply_once(peer: Peer, axis_id: str, data: bytes,
                message: edxml.EdocMessage | StatusMessage) -> str:
    """A status or a revocation, applied once per axis id (the federation's code)."""
    from vanban.exchange.services import federation

    kind = "status" if isinstance(message, StatusMessage) else "revoke"
    if InboxMessage.objects.filter(peer=peer, message_key=axis_id).exists():
        return "duplicate"
    sender = speaker(peer, message.sender)
    try:
        with transaction.atomic():
            if isinstance(message, StatusMessage):
                federation._apply_status(peer, message, sender)
            else:
                federation._apply_revoke(peer, message, sender)
            InboxMessage.objects.create(
                peer=peer, kind=kind, message_key=axis_id[:100],
                body_sha256=hashlib.sha256(data).hexdigest(), received_at=clock.now())
    except IntegrityError:
        if InboxMessage.objects.filter(peer=peer, message_key=axis_id).exists():
            return "duplicate"
        raise
    return "applied"


def speaker(peer: Peer, organisation: edxml.Organisation) -> Agency:
    """The sending agency: served by this axis peer, or new to the directory and created as
    such (audited); an agency served here or by another peer is refused (audited)."""
    try:
        code = normalise_code(organisation.organ_id)
    except DomainError:
        raise ValidationFailed(
            f"Mã cơ quan gửi “{organisation.organ_id[:40]}” không hợp lệ.",
            f"Invalid sending agency code “{organisation.organ_id[:40]}”.",
            code="bad_sender") from None
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        return _external(peer, code, organisation)
    if agency.installation != peer.installation_id:
        error = SenderNotServed(
            f"Trục liên thông “{peer.installation_id}” không phục vụ cơ quan “{code}”.",
            f"The axis “{peer.installation_id}” does not serve agency “{code}”.",
            sender=code, installation=peer.installation_id)
        from vanban.audit.services import audit_refusal

        raise audit_refusal(actor=None, error=error, action="exchange.axis_receive",
                            object_type=OBJECT_PEER, object_id=peer.installation_id,
                            agency_code=code,
                            data={"claimed_sender": code, "served_by": agency.installation})
    return agency


def _external(peer: Peer, code: str, organisation: edxml.Organisation) -> Agency:
    """An agency first heard of through the axis: created as served by it (audited)."""
    name = " ".join(organisation.name.split())[:200] or code
    now = clock.now()
    with transaction.atomic():
        agency, created = Agency.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": code[:30], "kind": AgencyKind.OTHER,
                                 "installation": peer.installation_id, "created_at": now,
                                 "updated_at": now})
        if created:
            audit_append(actor=None, action="exchange.axis_agency_created",
                         object_type="agency", object_id=code, agency_code=code,
                         data={"peer": peer.installation_id, "name": name})
    if agency.installation != peer.installation_id:
        return speaker(peer, organisation)
    return agency
