"""Reading the workflow pages' forms into service inputs.

A target is written ``u:<unit id>`` (a unit) or ``p:<user id>`` (a person); the selectors and
services check that it belongs to the agency, so a forged value ends as "not found".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.http import QueryDict

from vanban.core.dayinput import parse_day
from vanban.core.errors import ValidationFailed, not_found
from vanban.directory.models import Unit
from vanban.workflow.models import LineRole
from vanban.workflow.services import LineInput, WorkFileInput


def parse_date(value: str) -> date | None:
    """``dd/mm/yyyy`` (what the pages' text inputs ask for) or ``yyyy-mm-dd``; empty is None."""
    return parse_day(value)


def parse_int(value: str, *, what_vi: str, what_en: str) -> int | None:
    """A whole number, or None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(f"{what_vi} phải là số.", f"The {what_en} must be a number.",
                               code="bad_number") from None


def target(value: str, agency_id: int) -> tuple[Unit | None, Any]:
    """The unit or person a ``u:``/``p:`` value names, within the agency."""
    kind, _, raw = value.partition(":")
    if kind == "u" and raw.isdigit():
        unit = Unit.objects.filter(pk=int(raw), agency_id=agency_id).first()
        if unit is not None:
            return unit, None
    if kind == "p" and raw.isdigit():
        user = get_user_model().objects.filter(pk=int(raw), agency_id=agency_id).first()
        if user is not None:
            return None, user
    raise not_found("đơn vị hoặc cán bộ", "Unit or staff member")


# The co-operating and for-information targets come from one list each (``cooperate``,
# ``inform``) or from separate lists of units and of people, so a page can offer them apart.
LIST_NAMES: dict[str, tuple[str, ...]] = {
    LineRole.COOPERATE: ("cooperate", "cooperate_units", "cooperate_people"),
    LineRole.INFORM: ("inform", "inform_units", "inform_people"),
}


def _targets_of(post: QueryDict, role: str) -> list[str]:
    values: list[str] = []
    for name in LIST_NAMES[role]:
        for value in post.getlist(name):
            if value and value not in values:
                values.append(value)
    return values


def lines_from(post: QueryDict, agency_id: int) -> list[LineInput]:
    """The lead (``lead``, ``lead_days`` or ``lead_deadline``), the co-operating (``cooperate``
    or ``cooperate_units`` and ``cooperate_people``, several; ``cooperate_days``) and
    for-information (``inform`` or ``inform_units`` and ``inform_people``) targets."""
    out: list[LineInput] = []
    lead = post.get("lead", "")
    if lead:
        unit, user = target(lead, agency_id)
        out.append(LineInput(role=LineRole.LEAD, unit=unit, user=user,
                             working_days=parse_int(post.get("lead_days", ""),
                                                    what_vi="Số ngày", what_en="number of days"),
                             deadline=parse_date(post.get("lead_deadline", ""))))
    coop_days = parse_int(post.get("cooperate_days", ""), what_vi="Số ngày",
                          what_en="number of days")
    out += _many(_targets_of(post, LineRole.COOPERATE), LineRole.COOPERATE, agency_id,
                 coop_days)
    out += _many(_targets_of(post, LineRole.INFORM), LineRole.INFORM, agency_id, None)
    return out


def _many(values: Sequence[str], role: str, agency_id: int, days: int | None) -> list[LineInput]:
    out = []
    for value in values:
        if value:
            unit, user = target(value, agency_id)
            out.append(LineInput(role=role, unit=unit, user=user, working_days=days))
    return out


def work_file_from(post: QueryDict, agency_id: int) -> WorkFileInput:
    """The Phụ lục V metadata of the create and the edit form; retention ``vv`` is permanent,
    an empty year follows the start date (or, when editing, stays)."""
    retention = post.get("retention", "").strip()
    unit_id = post.get("unit", "")
    unit = None
    if unit_id:
        unit, _user = target(f"u:{unit_id}", agency_id)
    return WorkFileInput(
        notation=post.get("notation", ""), title=post.get("title", ""),
        retention_years=None if retention in ("vv", "") else parse_int(
            retention, what_vi="Thời hạn bảo quản", what_en="retention period"),
        start_date=parse_date(post.get("start_date", "")), unit=unit,
        year=parse_int(post.get("year", ""), what_vi="Năm hình thành hồ sơ", what_en="year"),
        rights=post.get("rights", ""), language=post.get("language", "") or "Tiếng Việt",
        page_total=parse_int(post.get("page_total", ""), what_vi="Số tờ",
                             what_en="page count"),
        note=post.get("note", ""))
