"""Whom a peer is believed to be, and for whom it may speak (R14.3, R4.3).

A peer's Ed25519 signature proves which installation posted a message, not which agency wrote
it. The directory says which installation serves each agency (``Agency.installation``: empty
for our own agencies, else the peer's id, set by ``peer_route``). So a peer speaks only for the
agencies routed to it: a document, revocation or status claiming an agency served here or by
another peer is impersonation, refused with 403 (the peer is known, the act is not allowed),
and an agency missing from the directory with 400 as before. Both are audited
(``exchange.federation_receive.denied``) with the peer and the claimed sender.

A request with an unknown installation or a bad signature is audited as
``exchange.federation_refused``. Anyone on the network can send those, so the rows are bounded:
only the size and SHA-256 of the body are kept, and per kind of refusal (the peer and reason,
or every unknown installation together) only the 1st, 2nd, 4th, 8th… in a time window are
written, each with the count so far: a flood of n requests leaves about log2(n) rows.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from vanban.audit.services import audit_append, audit_refusal
from vanban.core import clock
from vanban.core.errors import DomainError, Forbidden, ValidationFailed
from vanban.directory.models import Agency
from vanban.exchange import identity
from vanban.exchange.core import edxml
from vanban.exchange.core.status import StatusMessage
from vanban.exchange.models import Peer

OBJECT_PEER = "exchange.peer"
RECEIVE = "exchange.federation_receive"
REFUSED = "exchange.federation_refused"
_TEXT = 100  # longest claimed installation, code or message id kept in an audit row


class Unauthenticated(DomainError):
    """Unknown peer or bad signature (RFC 9457 problem with status 401)."""

    status = 401
    code = "federation_unauthenticated"


class SenderNotServed(Forbidden):
    """The message's sender agency is not served by the peer that posted it (403)."""

    code = "federation_sender_not_served"


def _unauthenticated() -> Unauthenticated:
    return Unauthenticated("Hệ thống gửi không được cấu hình hoặc chữ ký không hợp lệ.",
                           "Unknown installation or invalid signature.")


def authenticate(*, installation: str, signature: str, body: bytes) -> Peer:
    """The configured, active peer whose key signed ``body``; else 401, audited (bounded)."""
    claimed = installation.strip()
    peer = Peer.objects.filter(installation_id=claimed).first() if claimed else None
    if peer is None:
        reason = "unknown_peer"
    elif not peer.active:
        reason = "inactive_peer"
    elif not signature:
        reason = "no_signature"
    elif not identity.verify(peer.public_key_pem, body, signature):
        reason = "bad_signature"
    else:
        return peer
    _record_refusal(claimed, known=peer is not None, reason=reason, body=body)
    raise _unauthenticated()


def _window_seconds() -> int:
    return int(getattr(settings, "VANBAN_FEDERATION_REFUSAL_WINDOW", 300))


def _count_in_window(kind: str) -> int:
    """How many refusals of ``kind`` this window has seen, this one included (the cache is
    shared by the processes that share it; each process at worst counts on its own)."""
    window = _window_seconds()
    slot = int(clock.now().timestamp()) // window
    key = "vanban:federation_refused:" + hashlib.sha256(
        f"{slot}:{kind}".encode()).hexdigest()[:40]
    cache.add(key, 0, timeout=2 * window)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=2 * window)
        return 1


def _record_refusal(claimed: str, *, known: bool, reason: str, body: bytes) -> None:
    """Audit a refused request: never its body, and a bounded number of rows (see above)."""
    # Unknown installations count together: a stranger varying the header gains nothing.
    count = _count_in_window(f"{claimed if known else '*'}:{reason}")
    if count & (count - 1):  # not a power of two
        return
    audit_append(actor=None, action=REFUSED, object_type=OBJECT_PEER,
                 object_id=claimed[:80],
                 data={"installation": claimed[:_TEXT], "reason": reason, "count": count,
                       "window_seconds": _window_seconds(), "size": len(body),
                       "body_sha256": hashlib.sha256(body).hexdigest()})


def _kind(message: edxml.EdocMessage | StatusMessage) -> str:
    if isinstance(message, StatusMessage):
        return "status"
    return str(message.business_type)


def speaker(*, peer: Peer, message: edxml.EdocMessage | StatusMessage) -> Agency:
    """The agency ``message`` says it comes from, when ``peer`` serves it; else the refusal
    is audited (in its own transaction, before anything is applied) and raised."""
    code = message.sender.organ_id
    agency = Agency.objects.filter(code=code).first()
    error: DomainError
    if agency is None:
        error = ValidationFailed(f"Không có cơ quan gửi mã “{code}” trong danh bạ.",
                                 f"No sending agency with code “{code}” in the directory.",
                                 code="unknown_agency")
    elif agency.installation != peer.installation_id:
        error = SenderNotServed(
            f"Hệ thống “{peer.installation_id}” không phục vụ cơ quan “{code}”; một hệ thống "
            "liên thông chỉ được gửi nhân danh các cơ quan của mình.",
            f"Installation “{peer.installation_id}” does not serve agency “{code}”; a peer may "
            "only send in the name of its own agencies.",
            sender=code, installation=peer.installation_id)
    else:
        return agency
    raise audit_refusal(
        actor=None, error=error, action=RECEIVE, object_type=OBJECT_PEER,
        object_id=peer.installation_id, agency_code=agency.code if agency is not None else "",
        data={"peer": peer.installation_id, "claimed_sender": code[:_TEXT],
              "served_by": agency.installation if agency is not None else None,
              "kind": _kind(message), "message_id": message.message_id[:_TEXT]})
