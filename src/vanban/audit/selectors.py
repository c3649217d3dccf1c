"""Reading the audit log, scoped by role (R16.2): the province administrator sees every event;
an agency's head, IT officer and security officer see their own agency's events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet

from vanban.audit.models import AuditEvent
from vanban.core.clock import VN_TZ
from vanban.core.errors import forbidden
from vanban.core.roles import AUDIT_READERS, Actor, Role


@dataclass(frozen=True)
class EventFilter:
    """What a reader narrows the log to; empty fields do not filter. Dates are local days."""

    action: str = ""
    object_type: str = ""
    object_id: str = ""
    actor_username: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VN_TZ)


def can_read(actor: Actor, *, actor_agency_code: str | None) -> bool:
    """Whether ``actor`` may read any part of the log."""
    if actor.has_role(Role.PROVINCE_ADMIN):
        return True
    return bool(actor_agency_code) and any(actor.has_role(r) for r in AUDIT_READERS)


def can_verify(actor: Actor) -> bool:
    """Whether ``actor`` may run a verification from the web (province admin, IT officers)."""
    return actor.has_role(Role.PROVINCE_ADMIN) or actor.has_role(Role.IT_OFFICER)


def events_for(actor: Actor, *, actor_agency_code: str | None,
               filters: EventFilter | None = None) -> QuerySet[AuditEvent]:
    """Events ``actor`` may read, newest first. ``actor_agency_code`` is the code of the actor's
    agency, resolved by the caller (the directory sits above this app)."""
    if not can_read(actor, actor_agency_code=actor_agency_code):
        raise forbidden()
    events = AuditEvent.objects.order_by("-seq")
    if not actor.has_role(Role.PROVINCE_ADMIN):
        events = events.filter(agency_code=actor_agency_code)
    f = filters or EventFilter()
    if f.action:
        events = events.filter(action__startswith=f.action)
    if f.object_type:
        events = events.filter(object_type=f.object_type)
    if f.object_id:
        events = events.filter(object_id=f.object_id)
    if f.actor_username:
        events = events.filter(actor_username=f.actor_username)
    if f.date_from:
        events = events.filter(at__gte=_local_midnight(f.date_from))
    if f.date_to:
        events = events.filter(at__lt=_local_midnight(f.date_to + timedelta(days=1)))
    return events



def vouched(action: str, *, last: int | None = None) -> list[tuple[int, dict[str, Any]]]:
    """(seq, data) of the events of ``action`` in chain order (``last``: only the newest n).

    Other apps record there what must not silently disappear from their own tables (the
    evidence log's signed tree heads): the audit chain, sealed and witnessed, vouches for it.
    """
    rows = AuditEvent.objects.filter(action=action).order_by("-seq").values_list("seq", "data")
    picked = list(rows[:last] if last is not None else rows)
    return [(seq, json.loads(data)) for seq, data in reversed(picked)]
