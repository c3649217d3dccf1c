"""Reads of the directory (R1.1).

The list of agencies is the province's address book: every signed-in user sees it (to address
documents). An agency's units are internal and visible only to its own staff and to the province
administrator; anyone else gets "not found".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from vanban.core.errors import ValidationFailed, not_found
from vanban.core.roles import Actor
from vanban.core.workdays import WorkCalendar
from vanban.core.year_schedule import shared_calendar
from vanban.directory import calendar_settings, rules
from vanban.directory.codes import normalise_code
from vanban.directory.models import Agency, CalendarDay, Unit


@dataclass
class AgencyNode:
    """An agency and its sub-agencies, for the collapsible tree."""

    agency: Agency
    children: list[AgencyNode] = field(default_factory=list)

    def count(self) -> int:
        """Agencies in this subtree, itself included."""
        return 1 + sum(child.count() for child in self.children)


def agency_tree(*, include_inactive: bool = False) -> list[AgencyNode]:
    """The whole province as a forest of roots (normally one: UBND tỉnh), ordered by code."""
    agencies = Agency.objects.select_related("parent").order_by("code")
    if not include_inactive:
        agencies = agencies.filter(active=True)
    nodes = {a.pk: AgencyNode(a) for a in agencies}
    roots: list[AgencyNode] = []
    for node in nodes.values():
        parent = nodes.get(node.agency.parent_id) if node.agency.parent_id else None
        (parent.children if parent is not None else roots).append(node)
    return roots


def agency_get(code: str) -> Agency:
    """One agency by its identifier code (any case), or ``NotFound``."""
    try:
        normal = normalise_code(code)
    except ValidationFailed:
        raise not_found("cơ quan", "Agency") from None
    agency = Agency.objects.select_related("parent").filter(code=normal).first()
    if agency is None:
        raise not_found("cơ quan", "Agency")
    return agency


def agency_options() -> QuerySet[Agency]:
    """Agencies to choose a parent or a recipient from."""
    return Agency.objects.filter(active=True).order_by("code")


def units_of(actor: Actor | None, agency: Agency) -> QuerySet[Unit]:
    """R1.1: the agency's units, for its own staff or the province administrator only."""
    if not rules.can_see_units(actor, agency.pk):
        raise not_found("cơ quan", "Agency")
    return Unit.objects.filter(agency=agency).select_related("agency").order_by("code")


def units_visible_to(actor: Actor | None) -> QuerySet[Unit]:
    """Every unit the actor may see: all for the province administrator, else its agency's."""
    units = Unit.objects.select_related("agency").order_by("agency__code", "code")
    if rules.is_province_admin(actor):
        return units
    if actor is None or actor.agency_id is None:
        return units.none()
    return units.filter(agency_id=actor.agency_id)


def unit_get(actor: Actor | None, unit_id: int) -> Unit:
    """One unit the actor may see, or ``NotFound`` (also for another agency's unit)."""
    unit = units_visible_to(actor).filter(pk=unit_id).first()
    if unit is None:
        raise not_found("đơn vị", "Unit")
    return unit


def agency_as_dict(agency: Agency) -> dict[str, Any]:
    """The public record of an agency, in the import file's keys (so it can be re-imported)."""
    return {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "parent_code": agency.parent.code if agency.parent is not None else "",
        "mailbox": agency.mailbox,
        "kind": agency.kind,
        "connected": agency.connected,
        "active": agency.active,
    }


def agency_list_json() -> dict[str, list[dict[str, Any]]]:
    """Every agency, as ``{"agencies": [...]}``: the import format, readable by integrators."""
    agencies = Agency.objects.select_related("parent").order_by("code")
    return {"agencies": [agency_as_dict(a) for a in agencies]}


def _with_settings(own: WorkCalendar | None = None) -> WorkCalendar:
    """The shared calendar under ``own`` (the operators' days) with the installation's three
    calendar settings: the one place that reads them, so every calendar of vanban agrees."""
    return shared_calendar(own, scheduled_years=calendar_settings.scheduled_years(),
                           extra_holidays=calendar_settings.extra_holidays(),
                           national_day_adjacent=calendar_settings.national_day_adjacent())


def settled_calendar() -> WorkCalendar:
    """The shared calendar before any operator's entry: statutory days, the shipped yearly
    schedules and the calendar settings. The calendar page judges a new entry against it, so
    a make-up day the schedule already names is not entered twice (ADR 0019)."""
    return _with_settings()


def work_calendar(agency_id: int | None) -> WorkCalendar:
    """vanban's one working-day calendar for an agency (``None``: the province's), read by
    workflow deadlines, check windows, notices and the one-stop clock alike (ADR 0019): public
    holidays, the shipped yearly schedules, the recurring extra holidays of the settings, then
    the province's entries and the agency's own (an agency's entry wins over the province's on
    the same date, and any entry over the shipped schedule)."""
    days: dict[date, bool] = {}
    rows = CalendarDay.objects.filter(Q(agency__isnull=True) | Q(agency_id=agency_id or 0))
    for day, working, own in rows.order_by("agency_id").values_list("day", "working", "agency_id"):
        if own is not None or day not in days:
            days[day] = working
    own_days = WorkCalendar.of(working=[d for d, w in days.items() if w],
                               off=[d for d, w in days.items() if not w])
    return _with_settings(own_days)
