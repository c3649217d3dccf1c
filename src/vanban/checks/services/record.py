"""Recording a check of the inbox (R10.2): a clerk opening it, or the mail gateway reading the
clerk mailbox."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count

from vanban.checks.models import CheckKind, InboxCheck
from vanban.core import clock
from vanban.core.roles import Actor, Role
from vanban.exchange.core.states import State
from vanban.exchange.models import INBOUND, Delivery


def waiting_count(agency_id: int) -> int:
    """Deliveries that arrived for the agency and wait for the clerk (neither accepted nor
    rejected yet)."""
    return Delivery.objects.filter(INBOUND, recipient_id=agency_id, received_at__isnull=False,
                                   state=State.ARRIVED).count()


def waiting_by_agency(*, arrived_before: datetime) -> dict[int, int]:
    """Per agency, the deliveries that arrived before ``arrived_before`` and still wait for the
    clerk: what a reminder run at a window's end looks at (one query for the whole province)."""
    rows = (Delivery.objects.filter(INBOUND, received_at__lt=arrived_before,
                                    state=State.ARRIVED)
            .values("recipient_id").annotate(n=Count("id")).values_list("recipient_id", "n"))
    return {int(agency_id): int(n) for agency_id, n in rows}


def inbox_check_record(*, actor: Actor) -> InboxCheck | None:
    """Record a clerk's opening of the inbox; other roles' views are not checks (returns None).

    Not audited: an opening changes nothing and the check table itself is the record R10.2 asks
    for; auditing every page view would flood the chain.
    """
    if actor.agency_id is None or not actor.has_role(Role.CLERK):
        return None
    at = clock.now()
    with transaction.atomic():
        return InboxCheck.objects.create(
            agency_id=actor.agency_id, user_id=int(str(actor.pk)), checked_at=at,
            day=at.astimezone(clock.VN_TZ).date(), waiting=waiting_count(actor.agency_id))


def inbox_check_record_gateway(*, agency_id: int) -> InboxCheck:
    """Record the mail gateway's pass over the agency's clerk mailbox as an automatic check.

    R10.2 counts it (the official mailbox is one of the inbox's two roads and the gateway files
    what it finds at once), but never under a person's name: the row has no user and says
    ``mail_gateway``, and the report shows it as "Cổng thư tự động".
    """
    at = clock.now()
    with transaction.atomic():
        return InboxCheck.objects.create(
            agency_id=agency_id, kind=CheckKind.MAIL_GATEWAY, user=None, checked_at=at,
            day=at.astimezone(clock.VN_TZ).date(), waiting=waiting_count(agency_id))
