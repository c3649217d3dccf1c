"""A clerk marks reminders as read (R10.2)."""

from __future__ import annotations

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.checks.models import Reminder
from vanban.core import clock
from vanban.core.roles import Actor


def reminders_mark_read(*, actor: Actor, reminder_id: int | None = None) -> int:
    """Mark the actor's own unread reminders read (one, or all when ``reminder_id`` is None).

    Another user's reminder is silently not matched (R1.1: nothing is revealed). Returns how many
    changed; one audit event when any did.
    """
    user_id = int(str(actor.pk))
    with transaction.atomic():
        unread = Reminder.objects.filter(user_id=user_id, read_at__isnull=True)
        if reminder_id is not None:
            unread = unread.filter(pk=reminder_id)
        ids = sorted(unread.values_list("pk", flat=True))
        if not ids:
            return 0
        code = Reminder.objects.filter(pk=ids[0]).values_list("agency__code", flat=True).first()
        Reminder.objects.filter(pk__in=ids).update(read_at=clock.now())
        audit_append(actor=actor, agency_code=code or "", action="checks.reminders_read",
                     object_type="checks.reminder", object_id=ids[0] if len(ids) == 1 else "",
                     data={"reminders": ids})
    return len(ids)
