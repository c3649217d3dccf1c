"""The axis peer's adapter, built from its row, and the outbox's senders for it.

``Peer.transport`` chooses the adapter (``axis_spool``: ``settings["spool"]`` is the folder;
``axis_http``: ``settings["url"]``, ``auth_header``, ``token_env``, ``paths``). The senders are
registered as peer transports (``ExchangeConfig.ready``), so documents, revocations and
statuses to agencies routed to the axis leave through the outbox with its retries, back-off,
final refusals and idempotency: the body is posted with its message id, which names the spool
file (a retry overwrites it) and is the HTTP gateway's ``Idempotency-Key``.
"""

from __future__ import annotations

import hashlib
import os

from django.conf import settings

from vanban.core.errors import ValidationFailed, not_found
from vanban.exchange.axis.http import HttpAxis
from vanban.exchange.axis.port import (
    AxisError,
    AxisPort,
    AxisRefused,
    AxisUnavailable,
    NationalAgency,
    message_type_for,
)
from vanban.exchange.axis.spool import SpoolAxis
from vanban.exchange.core import edxml
from vanban.exchange.core.status import StatusMessage
from vanban.exchange.core.xmlsafe import EdxmlError
from vanban.exchange.models import Peer
from vanban.exchange.services.transports import Answer

SPOOL = "axis_spool"
HTTP = "axis_http"
TRANSPORTS = (SPOOL, HTTP)
TOKEN_PREFIX = "VANBAN_AXIS_"  # noqa: S105 - a prefix of variable names, not a secret


def not_an_axis(peer: Peer) -> ValidationFailed:
    """The peer is not connected through the axis."""
    return ValidationFailed(
        f"Hệ thống “{peer.installation_id}” không phải trục liên thông quốc gia.",
        f"Peer “{peer.installation_id}” is not the national axis.", code="not_axis_peer")


def _token(name: str) -> str:
    """The credential named by ``token_env``: a Django setting, else an environment variable;
    only names meant for the axis (:data:`TOKEN_PREFIX`), whatever the row says."""
    if not name or not name.startswith(TOKEN_PREFIX):
        return ""
    return str(getattr(settings, name, "") or os.environ.get(name, ""))


def axis_for(peer: Peer) -> AxisPort:
    """The adapter of an axis peer."""
    config = peer.settings or {}
    if peer.transport == SPOOL:
        return SpoolAxis(str(config.get("spool", "")))
    if peer.transport == HTTP:
        headers = {}
        token = _token(str(config.get("token_env", "")))
        if token:
            headers[str(config.get("auth_header") or "Authorization")] = token
        timeout = float(getattr(settings, "VANBAN_EXCHANGE_TIMEOUT", None)
                        or os.environ.get("VANBAN_EXCHANGE_TIMEOUT", "30"))
        paths = config.get("paths") if isinstance(config.get("paths"), dict) else None
        return HttpAxis(str(config.get("url") or peer.base_url), headers=headers, paths=paths,
                        timeout=timeout)
    raise not_an_axis(peer)


def _facts(body: bytes) -> tuple[str, str]:
    """(message id, sender code) of a body we built; the id falls back to the body's hash."""
    message = edxml.parse_message(body)
    sender = message.sender.organ_id
    key = message.message_id or hashlib.sha256(body).hexdigest()
    return key, sender


def send(peer: Peer, body: bytes, kind: str) -> Answer:
    """One outbox attempt through the axis: an outage is retried, a refusal is final."""
    try:
        key, sender = _facts(body)
    except EdxmlError as err:
        return Answer(False, f"refused: the message does not read back: {err.en}"[:500], True)
    service_type, message_type = message_type_for(kind)
    try:
        axis_for(peer).send_edoc(body, sender_code=sender, service_type=service_type,
                                 message_type=message_type, message_id=key)
    except AxisUnavailable as err:
        return Answer(False, f"axis unavailable: {err}"[:500])
    except AxisRefused as err:
        return Answer(False, f"refused: {err}"[:500], True)
    return Answer(True)


def is_status(body: bytes) -> bool:
    """Whether a body we built is a status message."""
    return isinstance(edxml.parse_message(body), StatusMessage)


def axis_peer(installation_id: str) -> Peer:
    """The axis peer with that id (else not found / not an axis)."""
    peer = Peer.objects.filter(installation_id=installation_id.strip()).first()
    if peer is None:
        raise not_found("trục liên thông", "Axis peer")
    if peer.transport not in TRANSPORTS:
        raise not_an_axis(peer)
    return peer


def national_agencies(installation_id: str) -> list[NationalAgency]:
    """The national list from the axis peer ``installation_id`` (the directory's source)."""
    try:
        return axis_for(axis_peer(installation_id)).agencies()
    except AxisError as err:
        raise ValidationFailed(f"Không lấy được danh sách cơ quan từ trục: {err}",
                               f"Could not fetch the agency list from the axis: {err}",
                               code="axis_unavailable") from err
