"""The verification of an arrived delivery (R4.2, R4.3), as the clerk sees it, whatever the
channel it came through (ADR 0015): a channel that judged the document itself on arrival (the
mail gateway, R4.1) linked its verdict to the transmission, and that verdict is the one shown.

The hub verifies each arrived document once its arrival commits (a background task); a
delivery whose verification is not there yet (the task has not run, or failed) is verified
when the inbox lists it or the clerk opens it. ``pdf_verify`` is keyed by the SHA-256, the
sender and the channel the document came through (this installation's hub, or the peer it was
received from: ADR 0011), so a document sent to a thousand agencies is verified once, and a
verdict reached for one channel is never shown for a copy that came through another.
"""

from __future__ import annotations

from collections.abc import Iterable

from vanban.exchange.models import Channel, Delivery, Transmission
from vanban.signatures.models import Verification, VerificationPath
from vanban.signatures.verification import VerificationChannel, pdf_verify, verification_of
from vanban.storage.selectors import blob_read

_Key = tuple[str, int, str, str]


def channel_of(transmission: Transmission) -> VerificationChannel:
    """The channel a transmission arrived through: the hub, the official mailbox, or the peer
    it came from (a federated peer or the national axis, both peers of this installation)."""
    if transmission.channel == Channel.MAIL:
        return VerificationChannel.mail()
    return VerificationChannel.of_origin(transmission.origin)


def _key(transmission: Transmission) -> _Key:
    channel = channel_of(transmission)
    return (transmission.file_sha256, transmission.sender_id, channel.kind.value, channel.peer)


def stored_verifications(deliveries: Iterable[Delivery]) -> dict[int, Verification]:
    """The verifications already stored for ``deliveries`` (one query), by delivery id."""
    rows = list(deliveries)
    out = _linked(rows)
    rows = [d for d in rows if d.pk not in out]
    keys = {_key(d.transmission) for d in rows}
    if not keys:
        return out
    found = {(v.blob_id, v.sender_id, v.channel, v.peer): v for v in Verification.objects.filter(
        blob_id__in={k[0] for k in keys}, sender_id__in={k[1] for k in keys},
        path=VerificationPath.SIGNATURE, channel__in={k[2] for k in keys},
        peer__in={k[3] for k in keys})}
    for delivery in rows:
        record = found.get(_key(delivery.transmission))
        if record is not None:
            out[delivery.pk] = record
    return out


def _linked(rows: list[Delivery]) -> dict[int, Verification]:
    """The verdicts channels linked on arrival, by delivery id (one query)."""
    ids = {d.transmission.verification_id for d in rows} - {None}
    if not ids:
        return {}
    found = Verification.objects.in_bulk(ids)
    return {d.pk: found[d.transmission.verification_id] for d in rows
            if d.transmission.verification_id in found}


def incoming_verify(*, delivery: Delivery) -> Verification:
    """The delivery's verification: the channel's verdict, the stored one, or verify now
    (bytes kept as received)."""
    transmission = delivery.transmission
    if transmission.verification_id is not None:
        return Verification.objects.get(pk=transmission.verification_id)
    channel = channel_of(transmission)
    found = verification_of(sha256=transmission.file_sha256, sender_id=transmission.sender_id,
                            channel=channel)
    if found is not None:
        return found
    return pdf_verify(data=blob_read(transmission.file_sha256), sender=transmission.sender,
                      channel=channel)


def verifications_for(deliveries: Iterable[Delivery], *,
                      verify_missing: int = 10) -> dict[int, Verification]:
    """Stored verifications of ``deliveries``, verifying at most ``verify_missing`` that have
    none yet (the rest show as "being checked" and are verified on a later view)."""
    rows = list(deliveries)
    out = stored_verifications(rows)
    budget = verify_missing
    for delivery in rows:
        if delivery.pk in out or budget <= 0:
            continue
        budget -= 1
        out[delivery.pk] = incoming_verify(delivery=delivery)
        for other in rows:  # the same document to this agency twice shares the record
            if other.pk not in out and _key(other.transmission) == _key(delivery.transmission):
                out[other.pk] = out[delivery.pk]
    return out
