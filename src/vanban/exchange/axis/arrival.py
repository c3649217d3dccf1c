"""An edXML document from the axis as the arrival port's :class:`Arrival`."""

from __future__ import annotations

from vanban.core.errors import DomainError
from vanban.directory.codes import normalise_code
from vanban.directory.models import Agency
from vanban.exchange import wire
from vanban.exchange.arrivals import Arrival, ArrivalHeader, ArrivedFile
from vanban.exchange.core import edxml
from vanban.exchange.models import Channel, Peer


def local_recipients(message: edxml.EdocMessage) -> list[Agency]:
    """The message's recipients served by this installation, in the message's order (a
    receiver without a usable code is skipped: the others still get it)."""
    codes = []
    for organisation in message.recipients:
        try:
            codes.append(normalise_code(organisation.organ_id))
        except DomainError:
            continue
    known = {a.code: a for a in Agency.objects.filter(code__in=codes, installation="")}
    return [known[c] for c in dict.fromkeys(codes) if c in known]


def document_arrival(peer: Peer, axis_id: str, raw: bytes, message: edxml.EdocMessage,
                     sender: Agency) -> Arrival:
    """What the port needs: who, for whom, the header, every file, the raw message."""
    hops = [h for h in message.trace if getattr(h, "timestamp", None) is not None]
    header = ArrivalHeader(
        document_id=message.document_id or f"{sender.code},axis,{axis_id}",
        subject=message.subject, code_number=message.code_number,
        code_notation=message.code_notation, issued_date=message.promulgation_date,
        type_name=message.type_name, priority=message.priority,
        business_type=wire.ROW_BUSINESS[message.business_type],
        related_document_id=message.business.document_id, reason=message.business.reason,
        sent_at=hops[0].timestamp if hops else None, due_date=message.due_date)
    files = [ArrivedFile(name=a.name, data=a.data, declared_type=a.content_type,
                         description=a.description) for a in message.attachments]
    return Arrival(channel=Channel.AXIS, origin=peer.installation_id, message_key=axis_id,
                   sender=sender, recipients=local_recipients(message), header=header,
                   files=files, raw=raw,
                   evidence={"peer": peer.installation_id, "axis_id": axis_id,
                             "message_id": message.message_id})
