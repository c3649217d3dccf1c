"""Peer installations (the federation's address book) and which agencies each one serves.

Only the console operator, the province administrator and IT officers configure peers: a peer's
key decides whose messages this installation believes.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import ValidationFailed, forbidden
from vanban.core.roles import Actor, Role
from vanban.directory.models import Agency
from vanban.exchange import identity
from vanban.exchange.models import Peer

OBJECT_PEER = "exchange.peer"


def may_admin(actor: Actor | None) -> bool:
    """Console operator or province administrator: the hub serves every agency, so an agency's
    own IT officer must not see other agencies' traffic (R1.1)."""
    return actor is None or actor.has_role(Role.PROVINCE_ADMIN)


def peer_add(*, actor: Actor | None, installation_id: str, base_url: str, public_key_pem: str,
             name: str = "") -> Peer:
    """Add a peer, or replace its address and key (the change is audited with both keys)."""
    if not may_admin(actor):
        raise forbidden()
    installation_id = installation_id.strip()
    if not installation_id or len(installation_id) > 100:
        raise ValidationFailed("Mã hệ thống không hợp lệ.", "Invalid installation id.",
                               code="bad_installation")
    if installation_id == identity.installation_id():
        raise ValidationFailed("Đây là mã của chính hệ thống này.",
                               "That is this installation's own id.", code="self_peer")
    if not base_url.startswith(("http://", "https://")):
        raise ValidationFailed("Địa chỉ phải bắt đầu bằng http:// hoặc https://.",
                               "The URL must start with http:// or https://.", code="bad_url")
    try:
        identity.load_public_key(public_key_pem)
    except (ValueError, TypeError):
        raise ValidationFailed("Khoá công khai không phải khoá Ed25519 (PEM).",
                               "The public key is not an Ed25519 key (PEM).",
                               code="bad_key") from None
    now = clock.now()
    with transaction.atomic():
        peer = Peer.objects.select_for_update().filter(installation_id=installation_id).first()
        before = None
        if peer is None:
            peer = Peer(installation_id=installation_id, created_at=now)
        else:
            before = {"base_url": peer.base_url, "key": peer.public_key_pem}
        peer.base_url = base_url.rstrip("/")
        peer.public_key_pem = public_key_pem.strip() + "\n"
        peer.name = name or peer.name
        peer.active = True
        peer.updated_at = now
        peer.save()
        audit_append(actor=actor, action="exchange.peer_add", object_type=OBJECT_PEER,
                     object_id=installation_id, before=before,
                     after={"base_url": peer.base_url, "key": peer.public_key_pem})
        return peer


def peer_route(*, actor: Actor | None, peer: Peer, agency_codes: Sequence[str]) -> int:
    """Mark directory agencies as served by ``peer`` (``Agency.installation``). Returns how many
    changed; unknown codes are refused before anything changes."""
    if not may_admin(actor):
        raise forbidden()
    codes = [c.strip() for c in agency_codes if c.strip()]
    agencies = list(Agency.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {a.code for a in agencies})
    if missing:
        raise ValidationFailed(f"Không có cơ quan: {', '.join(missing)}.",
                               f"Unknown agencies: {', '.join(missing)}.", code="unknown_agency")
    with transaction.atomic():
        changed = [a for a in agencies if a.installation != peer.installation_id]
        Agency.objects.filter(pk__in=[a.pk for a in changed]).update(
            installation=peer.installation_id, updated_at=clock.now())
        audit_append(actor=actor, action="exchange.peer_route", object_type=OBJECT_PEER,
                     object_id=peer.installation_id,
                     data={"agencies": sorted(a.code for a in changed)})
        return len(changed)
