"""Reminders at the end of each check window (R10.2).

At the end of the morning and of the afternoon, for every agency of this installation for which
the day is a working day, documents wait in the inbox, and no clerk opened the inbox during the
window, every active clerk of the agency gets a reminder in the app and by mail. The mail
gateway's pass counts for the mail road only: while a hub (or federated) delivery waits, only a
person's check spares the clerks the reminder. Each window is
processed once (a :class:`~vanban.checks.models.ReminderRun` row, and a unique reminder per
clerk, day and window), so the job can run every few minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from vanban.audit.services import audit_append
from vanban.checks import times
from vanban.checks.core.windows import Window, windows_ended
from vanban.checks.models import InboxCheck, Reminder, ReminderRun
from vanban.checks.selectors import hub_waiting, window_satisfied
from vanban.checks.services.mail import reminders_mail
from vanban.checks.services.record import waiting_by_agency
from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.directory.selectors import work_calendar


@dataclass
class WindowRun:
    """What one window's run found and did."""

    window: Window
    agencies_due: int = 0
    agencies_missed: int = 0
    agencies_off: int = 0
    reminder_ids: list[int] = field(default_factory=list)


def reminders_run(*, at: datetime | None = None) -> list[WindowRun]:
    """Process every window of ``at``'s local day (default: now) that has ended and was not
    processed yet; mails go out after each window's transaction commits."""
    moment = at if at is not None else clock.now()
    out: list[WindowRun] = []
    for window in windows_ended(moment, times.check_times(), clock.VN_TZ):
        result = _run_window(window)
        if result is not None:
            out.append(result)
    return out


def _run_window(window: Window) -> WindowRun | None:
    """One window in one transaction: claim it, remind, audit; ``None`` when already done."""
    with transaction.atomic():
        if ReminderRun.objects.filter(day=window.day, window=window.index).exists():
            return None
        try:
            with transaction.atomic():
                run = ReminderRun.objects.create(day=window.day, window=window.index,
                                                 window_end=window.end, ran_at=clock.now())
        except IntegrityError:  # another process claimed the window at the same moment
            return None
        result = _remind(window)
        run.agencies_due = result.agencies_due
        run.agencies_missed = result.agencies_missed
        run.reminders = len(result.reminder_ids)
        run.save(update_fields=["agencies_due", "agencies_missed", "reminders"])
        audit_append(actor=None, action="checks.reminders_run", object_type="checks.window",
                     object_id=f"{window.day.isoformat()}#{window.index}",
                     data=_audit_data(window, result))
        ids = list(result.reminder_ids)
        if ids:
            transaction.on_commit(lambda: reminders_mail(reminder_ids=ids))
    return result


def _audit_data(window: Window, result: WindowRun) -> dict[str, Any]:
    """The counts the run's audit event carries."""
    return {"day": window.day.isoformat(), "window": window.index,
            "window_end": window.end.isoformat(), "agencies_due": result.agencies_due,
            "agencies_missed": result.agencies_missed, "agencies_off": result.agencies_off,
            "reminders": len(result.reminder_ids)}


def _remind(window: Window) -> WindowRun:
    """Create the window's reminders (without mailing them)."""
    result = WindowRun(window=window)
    waiting = waiting_by_agency(arrived_before=window.end)
    agencies = list(Agency.objects.filter(pk__in=list(waiting), active=True, installation="")
                    .order_by("code").values_list("pk", flat=True))
    found: dict[int, list[InboxCheck]] = {}
    for check in InboxCheck.objects.filter(agency_id__in=agencies, checked_at__gte=window.start,
                                           checked_at__lt=window.end):
        found.setdefault(check.agency_id, []).append(check)
    hub = hub_waiting(agencies, until=window.end)
    checked = {agency_id for agency_id, checks in found.items()
               if window_satisfied(checks, hub_waits=hub.at(agency_id, window.end))}
    now = clock.now()
    for agency_id in agencies:
        if not work_calendar(agency_id).is_working_day(window.day):
            result.agencies_off += 1
            continue
        result.agencies_due += 1
        if agency_id in checked:
            continue
        result.agencies_missed += 1
        for user_id in _clerks(agency_id):
            reminder, created = Reminder.objects.get_or_create(
                user_id=user_id, day=window.day, window=window.index,
                defaults={"agency_id": agency_id, "window_end": window.end,
                          "waiting": waiting[agency_id], "created_at": now})
            if created:
                result.reminder_ids.append(reminder.pk)
    return result


def _clerks(agency_id: int) -> list[int]:
    """The agency's active clerks."""
    users = get_user_model().objects.filter(agency_id=agency_id, is_active=True,
                                            roles__role=Role.CLERK)
    return sorted(set(users.values_list("pk", flat=True)))
