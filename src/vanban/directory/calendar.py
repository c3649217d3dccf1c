"""Writes and reads of the working-day calendar's exceptions (R8.1 deadlines).

A :class:`~vanban.directory.models.CalendarDay` is a make-up working day on a weekend or holiday
(ngày làm bù) or an extra day off on what would be a working day. The province administrator
keeps the province-wide days (``agency=None``); an agency's head or delegate keeps its own, which
win over the province's on the same date (:func:`vanban.directory.selectors.work_calendar`).
Every change is audited; a refused attempt too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from vanban.audit.services import audit_append, audit_refusal
from vanban.core import clock
from vanban.core.errors import DomainError, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor, Role
from vanban.core.workdays import public_holiday_name
from vanban.directory import rules
from vanban.directory.models import Agency, CalendarDay
from vanban.directory.selectors import settled_calendar, work_calendar

OBJECT_TYPE = "directory.calendar_day"


def can_manage_calendar(actor: Actor | None, agency: Agency | None) -> bool:
    """The province administrator for the province's days; an agency's head or delegate (or
    the province administrator) for the agency's own."""
    if rules.is_province_admin(actor):
        return True
    if agency is None or actor is None:
        return False
    return actor.agency_id == agency.pk and (actor.has_role(Role.HEAD)
                                             or actor.has_role(Role.DELEGATE))


def _state(entry: CalendarDay | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"day": entry.day.isoformat(), "working": entry.working, "note": entry.note}


def _refuse(actor: Actor | None, action: str, agency: Agency | None, day: date) -> DomainError:
    if actor is not None and agency is not None and actor.agency_id != agency.pk \
            and not rules.is_province_admin(actor):
        error: DomainError = not_found("cơ quan", "Agency")
    else:
        error = forbidden()
    return audit_refusal(actor=actor, error=error, action=action, object_type=OBJECT_TYPE,
                         object_id=day.isoformat(), agency_code=agency.code if agency else "")


def _entries(agency: Agency | None) -> QuerySet[CalendarDay]:
    if agency is None:
        return CalendarDay.objects.filter(agency__isnull=True)
    return CalendarDay.objects.filter(agency=agency)


def calendar_day_set(*, actor: Actor | None, agency: Agency | None, day: date, working: bool,
                     note: str = "") -> CalendarDay:
    """Declare ``day`` a make-up working day (``working``) or an extra day off.

    A make-up day must fall on a weekend or a public holiday, an extra day off on a normal
    working day: anything else would change nothing and is most likely a typing mistake.
    """
    action = "directory.calendar_day_set"
    if not can_manage_calendar(actor, agency):
        raise _refuse(actor, action, agency, day)
    note = " ".join(note.split())
    if len(note) > 200:
        raise ValidationFailed("Ghi chú dài tối đa 200 ký tự.",
                               "The note has at most 200 characters.", code="too_long")
    # What the entry would override: for an agency the province's calendar (its entries win
    # over the province's), for the province the settled calendar beneath every entry.
    beneath = settled_calendar() if agency is None else work_calendar(None)
    normally_working = beneath.is_working_day(day)
    if working and normally_working:
        raise ValidationFailed(
            f"Ngày {day:%d/%m/%Y} vốn là ngày làm việc, không cần khai báo làm bù.",
            f"{day:%d/%m/%Y} is already a working day; no make-up day is needed.",
            code="already_working")
    if not working and not normally_working:
        raise ValidationFailed(
            f"Ngày {day:%d/%m/%Y} vốn là ngày nghỉ.",
            f"{day:%d/%m/%Y} is already a day off.", code="already_off")
    with transaction.atomic():
        entry = _entries(agency).select_for_update().filter(day=day).first()
        before = _state(entry)
        if entry is None:
            entry = CalendarDay.objects.create(agency=agency, day=day, working=working,
                                               note=note, created_at=clock.now())
        else:
            entry.working, entry.note = working, note
            entry.save(update_fields=["working", "note"])
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE,
                     object_id=day.isoformat(), agency_code=agency.code if agency else "",
                     before=before, after=_state(entry),
                     data={"scope": agency.code if agency else "province"})
    return entry


def calendar_day_remove(*, actor: Actor | None, agency: Agency | None, day: date) -> None:
    """Remove the exception on ``day`` (the day follows the ordinary rule again)."""
    action = "directory.calendar_day_remove"
    if not can_manage_calendar(actor, agency):
        raise _refuse(actor, action, agency, day)
    with transaction.atomic():
        entry = _entries(agency).select_for_update().filter(day=day).first()
        if entry is None:
            raise not_found("ngày trong lịch", "Calendar day")
        before = _state(entry)
        entry.delete()
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE,
                     object_id=day.isoformat(), agency_code=agency.code if agency else "",
                     before=before, data={"scope": agency.code if agency else "province"})


def calendar_days_of(agency: Agency | None, year: int) -> QuerySet[CalendarDay]:
    """The year's exceptions: the province's (``agency=None``) or the province's and the
    agency's (the agency's own win on the same date; both are listed)."""
    days = CalendarDay.objects.filter(day__year=year).select_related("agency")
    if agency is None:
        return days.filter(agency__isnull=True).order_by("day")
    return days.filter(Q(agency__isnull=True) | Q(agency=agency)).order_by("day", "agency_id")


@dataclass(frozen=True)
class Holiday:
    """A public holiday (from the ``holidays`` package) with its Vietnamese name."""

    day: date
    name: str


def public_holidays(year: int) -> list[Holiday]:
    """The year's public holidays, Tết and substitute days off included."""
    out: list[Holiday] = []
    day = date(year, 1, 1)
    while day.year == year:
        name = public_holiday_name(day)
        if name:
            out.append(Holiday(day, name))
        day += timedelta(days=1)
    return out
