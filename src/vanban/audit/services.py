"""Writing to the audit log. Every mutating service calls :func:`audit_append` inside its own
transaction, so the change and its event commit (or roll back) together (architecture rule 2)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from django.db import transaction

from vanban.audit import chain
from vanban.audit.models import AuditEvent, AuditHead
from vanban.core import clock
from vanban.core.roles import Actor


def _iso(at: Any) -> str:
    return str(at.astimezone(UTC).isoformat(timespec="microseconds"))


def audit_append(
    *,
    actor: Actor | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
    agency_code: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event, linked to the previous one by hash. Joins the caller's transaction."""
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditHead.objects.create(pk=1, seq=0, hash=chain.GENESIS_HASH)
        at = clock.now()
        seq = head.seq + 1
        fields: dict[str, Any] = {
            "seq": seq,
            "actor_id": int(str(actor.pk)) if actor is not None and actor.pk is not None else None,
            "actor_username": actor.username if actor is not None else "",
            "agency_code": agency_code,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "before_digest": chain.digest(before),
            "after_digest": chain.digest(after),
            "data": chain.canonical_json(data),
        }
        digest = chain.event_hash(prev_hash=head.hash, at_iso=_iso(at), **fields)
        event = AuditEvent.objects.create(at=at, prev_hash=head.hash, hash=digest, **fields)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest)
        return event
