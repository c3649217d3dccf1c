"""The axis peer: added or changed by the hub administrator, and the agencies routed to it.

An axis peer is a :class:`~vanban.exchange.models.Peer` whose ``transport`` is an axis adapter:
it has no vanban signing key (the axis is not a vanban installation), only the adapter's
settings: the spool folder, or the gateway's URL, its auth header and the *name* of the
setting or environment variable holding the credential (never the secret itself).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.exchange import identity
from vanban.exchange.axis.adapters import (
    HTTP,
    SPOOL,
    TOKEN_PREFIX,
    TRANSPORTS,
    axis_for,
    axis_peer,
    not_an_axis,
)
from vanban.exchange.models import Peer
from vanban.exchange.services.peers import may_admin, peer_route

OBJECT_PEER = "exchange.peer"


def axis_add(*, actor: Actor | None, installation_id: str, spool: str = "", url: str = "",
             name: str = "", auth_header: str = "", token_env: str = "") -> Peer:
    """Add the axis peer (or change its adapter): exactly one of ``spool`` and ``url``."""
    if not may_admin(actor):
        raise forbidden()
    installation_id = installation_id.strip()
    if not installation_id or len(installation_id) > 100 \
            or installation_id == identity.installation_id():
        raise ValidationFailed("Mã hệ thống không hợp lệ.", "Invalid installation id.",
                               code="bad_installation")
    if bool(spool) == bool(url):
        raise ValidationFailed("Cần đúng một trong hai: thư mục trao đổi hoặc địa chỉ cổng.",
                               "Give exactly one of a spool folder and a gateway URL.",
                               code="axis_adapter")
    if url and not url.startswith(("http://", "https://")):
        raise ValidationFailed("Địa chỉ phải bắt đầu bằng http:// hoặc https://.",
                               "The URL must start with http:// or https://.", code="bad_url")
    if token_env and not token_env.startswith(TOKEN_PREFIX):
        # Only a credential meant for the axis is ever sent to its gateway (never SECRET_KEY,
        # DATABASE_URL or another setting).
        raise ValidationFailed(f"Tên biến chứa khoá của trục phải bắt đầu bằng {TOKEN_PREFIX}.",
                               f"The axis credential's variable must start with {TOKEN_PREFIX}.",
                               code="bad_token_env")
    transport = SPOOL if spool else HTTP
    config = {"spool": spool} if spool else {
        "url": url.rstrip("/"), "auth_header": auth_header or "Authorization",
        "token_env": token_env}
    now = clock.now()
    with transaction.atomic():
        peer = Peer.objects.select_for_update().filter(installation_id=installation_id).first()
        before = None
        if peer is None:
            peer = Peer(installation_id=installation_id, created_at=now)
        else:
            if peer.transport not in TRANSPORTS:
                raise not_an_axis(peer)
            before = {"transport": peer.transport, "settings": peer.settings}
        peer.transport, peer.settings = transport, config
        peer.base_url = url.rstrip("/") if url else ""
        peer.public_key_pem = ""
        peer.name = name or peer.name or "Trục liên thông văn bản quốc gia"
        peer.active = True
        peer.updated_at = now
        peer.save()
        audit_append(actor=actor, action="exchange.axis_add", object_type=OBJECT_PEER,
                     object_id=installation_id, before=before,
                     after={"transport": transport, "settings": config})
    return peer


def axis_route(*, actor: Actor | None, peer: Peer, agency_codes: Sequence[str]) -> int:
    """Agencies outside the province reached through the axis (``Agency.installation``)."""
    if peer.transport not in TRANSPORTS:
        raise not_an_axis(peer)
    return peer_route(actor=actor, peer=peer, agency_codes=agency_codes)


def axis_register(*, actor: Actor | None, peer: Peer, agency: Agency) -> None:
    """Register one of this installation's agencies on the axis (``registerAgency``), so
    other systems can address it; audited."""
    if not may_admin(actor):
        raise forbidden()
    if agency.installation:
        raise ValidationFailed(
            f"Cơ quan “{agency.code}” không thuộc hệ thống này.",
            f"Agency “{agency.code}” is not served by this installation.", code="not_local")
    parent = agency.parent.code if agency.parent else ""
    axis_for(peer).register_agency(agency.code, agency.name, parent)
    audit_append(actor=actor, action="exchange.axis_register", object_type=OBJECT_PEER,
                 object_id=peer.installation_id, agency_code=agency.code,
                 data={"code": agency.code, "name": agency.name, "parent": parent})


__all__ = ["axis_add", "axis_peer", "axis_register", "axis_route"]
