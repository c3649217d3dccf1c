"""Reads of the twice-daily check (R10.2): a user's reminders, and the report of which agencies
checked their inbox in each window of each working day.

Who sees the report: the head, a delegate or a clerk sees their own agency; the province
administrator sees every agency of this installation (with a filter). Anyone else is refused;
another agency asked for by code is "not found" (R1.1).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet

from vanban.checks import times
from vanban.checks.core.windows import Window
from vanban.checks.models import CheckKind, InboxCheck, Reminder
from vanban.core import clock
from vanban.core.errors import ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor, Role
from vanban.core.workdays import public_holiday_name
from vanban.directory import rules
from vanban.directory.models import Agency
from vanban.directory.selectors import work_calendar
from vanban.exchange.models import INBOUND, Channel, Delivery

# Longest report range: a quarter (the province's reporting period is six months, in pieces).
MAX_REPORT_DAYS = 92
REPORT_ROLES = frozenset({Role.HEAD, Role.DELEGATE, Role.CLERK})


def reminders_of(actor: Actor) -> QuerySet[Reminder]:
    """The actor's own reminders, newest first."""
    return Reminder.objects.filter(user_id=int(str(actor.pk))).select_related("agency")


def reminders_unread_count(actor: Actor) -> int:
    """How many of the actor's reminders are unread (the home page's block)."""
    return reminders_of(actor).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class Cell:
    """One window of one agency's day. ``status``: done, missed, pending (not ended yet), off
    (not a working day)."""

    status: str
    window: Window
    first: InboxCheck | None = None
    checks: int = 0
    reminders: int = 0


@dataclass(frozen=True)
class Row:
    """One agency on one day."""

    agency: Agency
    day: date
    working: bool
    holiday: str
    cells: list[Cell]

    @property
    def complete(self) -> bool:
        """Both (all) checks of a working day happened."""
        return all(c.status == "done" for c in self.cells)


@dataclass
class AgencySummary:
    """Per agency over the range: working days, days with every check, windows missed."""

    agency: Agency
    working_days: int = 0
    complete_days: int = 0
    missed_windows: int = 0


@dataclass
class Report:
    """The report's rows (agency code, then day) and the per-agency summary."""

    start: date
    end: date
    rows: list[Row] = field(default_factory=list)
    summary: list[AgencySummary] = field(default_factory=list)


@dataclass(frozen=True)
class HubWaiting:
    """The non-mail arrivals (hub, federated, axis) of some agencies: when each arrived and
    when it left the waiting list (accepted, rejected or withdrawn; ``None``: still waits)."""

    spans: dict[int, list[tuple[datetime, datetime | None]]]

    def at(self, agency_id: int, moment: datetime) -> bool:
        """Whether one of them waited for the agency's clerk at ``moment``."""
        return any(arrived < moment and (left is None or left >= moment)
                   for arrived, left in self.spans.get(agency_id, []))


def hub_waiting(agency_ids: list[int], *, until: datetime) -> HubWaiting:
    """R10.2: the non-mail arrivals of ``agency_ids`` received before ``until``. A pass of the
    mail gateway checks the mail road only; while one of these waits, only a person's check
    satisfies a window."""
    spans: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    rows = (Delivery.objects.filter(INBOUND, recipient_id__in=agency_ids,
                                    received_at__lt=until)
            .exclude(channel=Channel.MAIL)
            .values_list("recipient_id", "received_at", "acknowledged_at", "rejected_at",
                         "withdrawn_at"))
    for agency_id, arrived, *ends in rows:
        left = min((e for e in ends if e is not None), default=None)
        if arrived is not None:
            spans[int(agency_id)].append((arrived, left))
    return HubWaiting(dict(spans))


def window_satisfied(found: list[InboxCheck], *, hub_waits: bool) -> bool:
    """R10.2: a person's check satisfies a window; the mail gateway's only when no non-mail
    arrival waited for the agency at the window's end."""
    return any(c.kind == CheckKind.PERSON or not hub_waits for c in found)


def can_see_all(actor: Actor | None) -> bool:
    """The province administrator (and the console operator) sees every agency."""
    return rules.is_province_admin(actor)


def report_agencies(actor: Actor | None, agency_code: str = "") -> list[Agency]:
    """The agencies the actor may see in the report, narrowed to ``agency_code`` when given."""
    agencies = Agency.objects.filter(active=True, installation="").order_by("code")
    if agency_code:
        agencies = agencies.filter(code=agency_code.strip().upper())
    if can_see_all(actor):
        return list(agencies)
    if actor is None or actor.agency_id is None or not any(actor.has_role(r)
                                                           for r in REPORT_ROLES):
        raise forbidden()
    own = list(agencies.filter(pk=actor.agency_id))
    if agency_code and not own:
        raise not_found("cơ quan", "Agency")
    return own


def check_range(start: date, end: date) -> None:
    """A range the report can show: start ≤ end, at most :data:`MAX_REPORT_DAYS` days."""
    if end < start:
        raise ValidationFailed("Ngày bắt đầu phải trước ngày kết thúc.",
                               "The start date must be before the end date.")
    if (end - start).days + 1 > MAX_REPORT_DAYS:
        raise ValidationFailed(f"Chỉ xem được tối đa {MAX_REPORT_DAYS} ngày một lần.",
                               f"At most {MAX_REPORT_DAYS} days can be shown at once.")


def check_report(actor: Actor | None, *, start: date, end: date,
                 agency_code: str = "") -> Report:
    """R10.2: per agency and day, whether each check window had a check (who, when, how many
    documents waited), whether reminders went out; non-working days are marked as such. A
    window with only the mail gateway's pass while hub deliveries waited is missed, the pass
    shown in it."""
    check_range(start, end)
    agencies = report_agencies(actor, agency_code)
    report = Report(start=start, end=end)
    if not agencies:
        return report
    ids = [a.pk for a in agencies]
    since = datetime.combine(start, time(0, 0), tzinfo=clock.VN_TZ)
    until = datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=clock.VN_TZ)
    checks: dict[tuple[int, date, int], list[InboxCheck]] = defaultdict(list)
    rows = (InboxCheck.objects.filter(agency_id__in=ids, checked_at__gte=since,
                                      checked_at__lt=until)
            .select_related("user").order_by("checked_at", "id"))
    for check in rows:
        window = times.window_at(check.checked_at)
        if window is not None:
            checks[(check.agency_id, window.day, window.index)].append(check)
    reminded = {(a, d, w): n for a, d, w, n in Reminder.objects.filter(
        agency_id__in=ids, day__gte=start, day__lte=end)
        .values("agency_id", "day", "window").annotate(n=Count("id"))
        .values_list("agency_id", "day", "window", "n")}
    now = clock.now()
    waiting = hub_waiting(ids, until=until)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    for agency in agencies:
        calendar = work_calendar(agency.pk)
        summary = AgencySummary(agency=agency)
        for day in days:
            working = calendar.is_working_day(day)
            cells = []
            for window in times.windows_of(day):
                found = checks.get((agency.pk, day, window.index), [])
                people = [c for c in found if c.kind == CheckKind.PERSON]
                if not working:
                    status = "off"
                elif window_satisfied(found, hub_waits=waiting.at(agency.pk, window.end)):
                    status = "done"
                else:  # a gateway pass alone while hub deliveries waited is shown, not counted
                    status = "missed" if window.end <= now else "pending"
                first = people[0] if people else found[0] if found else None
                cells.append(Cell(status=status, window=window,
                                  first=first, checks=len(found),
                                  reminders=reminded.get((agency.pk, day, window.index), 0)))
            row = Row(agency=agency, day=day, working=working,
                      holiday=public_holiday_name(day) or "", cells=cells)
            report.rows.append(row)
            if working:
                summary.working_days += 1
                summary.complete_days += int(row.complete)
                summary.missed_windows += sum(c.status == "missed" for c in cells)
        report.summary.append(summary)
    return report
